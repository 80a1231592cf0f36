/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Recipients must accept all
 * three date forms (RFC 9110 §5.6.7): IMF-fixdate, obsolete RFC 850 and asctime, all in GMT.
 */
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const IMF = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 = /^[A-Za-z]+, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function utc(year: number, month: string, day: number, h: number, m: number, s: number): number | undefined {
  const mon = MONTHS.indexOf(month.toLowerCase());
  if (mon < 0 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return undefined;
  return Date.UTC(year, mon, day, h, m, s);
}

/** Milliseconds since the epoch of an HTTP-date, or undefined. */
export function parseHttpDate(value: string): number | undefined {
  let m = IMF.exec(value);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850.exec(value);
  if (m) {
    // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
    const yy = Number(m[3]);
    const nowYear = new Date().getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + yy;
    if (year > nowYear + 50) year -= 100;
    return utc(year, m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME.exec(value);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}

/**
 * The wait a `Retry-After` value asks for, in ms (0 for a date in the past), or undefined when
 * absent or unparseable. A repeated header counts only when every copy agrees.
 */
export function parseRetryAfter(header: string | readonly string[] | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const values = typeof header === 'string' ? [header] : [...header];
  if (values.length === 0 || values.some((v) => v !== values[0])) return undefined;
  const v = (values[0] as string).trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v), 2 ** 31) * 1000;
  const at = parseHttpDate(v);
  return at === undefined ? undefined : Math.max(0, at - now);
}
