/**
 * LIKE matching (SQL-M18) without RegExp: `%` is any run of characters, `_` exactly one
 * character (a code point), `\%` and `\_` are the literal characters, and every other
 * character (a backslash before anything else included, TCK `'ab\c' LIKE 'ab\c'`) matches
 * itself, case-sensitively. Compiled once per expression.
 *
 * The pattern splits at `%` into segments of fixed code-point length. The first segment is
 * anchored at the start, the last at the end, and each middle one is placed at its leftmost
 * match, which is always a safe choice. Worst case O(n·m), never the exponential
 * backtracking a naive `.*` RegExp can hit on hostile input.
 */
import { codePointLength, indexOfLastCodePoints, isHighSurrogate, isLowSurrogate, widthAt } from './code-points.js';

type Item = string | typeof ANY_ONE; // a literal run, or `_`
type Segment = readonly Item[];

const ANY_ONE = 0;

export function compileLikePattern(pattern: string): (s: string) => boolean {
  const segments = splitPattern(pattern);
  const first = segments[0] as Segment;
  if (segments.length === 1) return (s) => matchAt(s, 0, first) === s.length;
  const last = segments[segments.length - 1] as Segment;
  const lastWidth = codePointWidth(last);
  const middle = segments.slice(1, -1);
  return (s) => {
    let pos = matchAt(s, 0, first);
    if (pos < 0) return false;
    const lastStart = indexOfLastCodePoints(s, lastWidth);
    if (lastStart < pos) return false;
    for (const seg of middle) {
      pos = findFrom(s, pos, lastStart, seg);
      if (pos < 0) return false;
    }
    return matchAt(s, lastStart, last) === s.length;
  };
}

function splitPattern(pattern: string): Segment[] {
  const segments: Segment[] = [];
  let items: Item[] = [];
  let run = '';
  const flush = (): void => {
    if (run !== '') items.push(run);
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    const next = pattern[i + 1];
    if (ch === '\\' && (next === '%' || next === '_')) {
      run += next;
      i++;
    } else if (ch === '%') {
      flush();
      segments.push(items);
      items = [];
    } else if (ch === '_') {
      flush();
      items.push(ANY_ONE);
    } else {
      run += ch;
    }
  }
  flush();
  segments.push(items);
  return segments;
}

/** Match one segment at i; returns the end index or -1. Never splits a surrogate pair. */
function matchAt(s: string, i: number, seg: Segment): number {
  let p = i;
  for (const item of seg) {
    if (item === ANY_ONE) {
      if (p >= s.length) return -1;
      p += widthAt(s, p);
    } else {
      if (!s.startsWith(item, p)) return -1;
      p += item.length;
      if (p < s.length && isLowSurrogate(s.charCodeAt(p)) && isHighSurrogate(s.charCodeAt(p - 1))) return -1;
    }
  }
  return p;
}

/** Leftmost match of seg starting at or after `from` and ending at or before `limit`. */
function findFrom(s: string, from: number, limit: number, seg: Segment): number {
  for (let i = from; i <= limit; i += widthAt(s, i)) {
    const end = matchAt(s, i, seg);
    if (end >= 0) return end <= limit ? end : -1;
    if (i >= s.length) break;
  }
  return -1;
}

function codePointWidth(seg: Segment): number {
  let n = 0;
  for (const item of seg) n += item === ANY_ONE ? 1 : codePointLength(item);
  return n;
}
