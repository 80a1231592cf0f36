/**
 * The `date-time` format (RFC 3339 §5.6) exactly as ajv-formats' full mode checks it, without its
 * regular expressions: ajv-formats splits the string with a RegExp, matches the date and the time
 * with two more and converts their capture strings, ~0.4 µs per value; the bench's event has two
 * of them, which made the format checks about as costly as the rest of Ajv. Same answers on every
 * string (test/unit/registry/date-time-format.test.ts compares them with ajv-formats' own).
 *
 * What ajv-formats accepts: one separator (`t`, `T` or a whitespace character) between a date
 * `dddd-dd-dd` (month 01–12, a day that exists in that month, leap years included) and a time
 * `dd:dd:dd[.d+]` with a required zone `z` / `Z` / `±dd[[:]dd]` (zone hours ≤ 23, minutes ≤ 59);
 * hours ≤ 23 and minutes ≤ 59, seconds < 60, or a leap second (:60) at 23:59 UTC.
 */
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** JavaScript's `\s`, for the separator (ajv-formats splits on /t|\s/i). */
const WHITESPACE = /^\s$/;

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};

/** Two digits at `i` as a number, or -1. */
function two(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function isSeparator(c: number, s: string, i: number): boolean {
  if (c === 0x74 || c === 0x54) return true;
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  return c >= 0xa0 && WHITESPACE.test(s[i]!);
}

/** `dddd-dd-dd` at 0..10 naming a day that exists. */
function date(s: string): boolean {
  const hi = two(s, 0);
  const lo = two(s, 2);
  if (hi < 0 || lo < 0 || s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d) return false;
  const year = hi * 100 + lo;
  const month = two(s, 5);
  const day = two(s, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS[month]!);
}

/** The time from `p` to the end of `s`. */
function time(s: string, p: number): boolean {
  const n = s.length;
  const hr = two(s, p);
  const min = two(s, p + 3);
  const whole = two(s, p + 6);
  if (hr < 0 || min < 0 || whole < 0 || s.charCodeAt(p + 2) !== 0x3a || s.charCodeAt(p + 5) !== 0x3a) return false;
  let sec = whole;
  let at = p + 8;
  if (s.charCodeAt(at) === 0x2e) {
    const from = at;
    at++;
    while (digit(s, at) >= 0) at++;
    if (at === from + 1) return false;
    sec = Number(s.slice(p + 6, at)); // as ajv-formats converts it (`+"59.9999999999999999"` is 60)
  }
  if (at >= n) return false; // the zone is required
  const z = s.charCodeAt(at);
  let sign = 1;
  let tzH = 0;
  let tzM = 0;
  if (z === 0x7a || z === 0x5a) {
    if (at + 1 !== n) return false;
  } else if (z === 0x2b || z === 0x2d) {
    sign = z === 0x2d ? -1 : 1;
    tzH = two(s, at + 1);
    if (tzH < 0) return false;
    at += 3;
    if (at < n) {
      if (s.charCodeAt(at) === 0x3a) at++;
      tzM = two(s, at);
      if (tzM < 0 || at + 2 !== n) return false;
    }
  } else return false;
  if (tzH > 23 || tzM > 59) return false;
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  // A leap second: 23:59:60 in UTC.
  const utcMin = min - tzM * sign;
  const utcHr = hr - tzH * sign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
}

export function isDateTime(s: string): boolean {
  return s.length > 11 && isSeparator(s.charCodeAt(10), s, 10) && date(s) && time(s, 11);
}
