/**
 * Strict RFC 3339 §5.6 `date-time` check (CORE-M12). `Date.parse` accepts far too much
 * (`2018-04-05T18:31Z`, `2018-04-05`), so this is a regex plus range checks.
 */

// full-date "T" full-time; RFC 3339 §5.6 NOTE allows lower-case "t" and "z".
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True for an RFC 3339 timestamp such as `2018-04-05T17:31:00Z` or `…T18:31:00.5+01:00`. */
export function isRfc3339(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  // Second 60 is RFC 3339's leap second (§5.7); we accept it rather than guess leap-second tables.
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (m[7] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return false;
  return true;
}
