/**
 * CESQL counts characters (LENGTH, LEFT, RIGHT, SUBSTRING, LIKE's `_`), not UTF-16 units:
 * we count Unicode code points (SQL-M22), so an emoji is one character. A lone surrogate
 * counts as one character. These walk the string without allocating.
 */
export const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
export const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** UTF-16 length (1 or 2) of the code point that starts at index i. */
export function widthAt(s: string, i: number): number {
  return isHighSurrogate(s.charCodeAt(i)) && isLowSurrogate(s.charCodeAt(i + 1)) ? 2 : 1;
}

export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i += widthAt(s, i)) n++;
  return n;
}

/** UTF-16 index where code point number `n` (0-based) starts; s.length when n is past the end. */
export function indexOfCodePoint(s: string, n: number): number {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) i += widthAt(s, i);
  return i;
}

/** UTF-16 index where the last `k` code points start, or -1 when s has fewer than k. */
export function indexOfLastCodePoints(s: string, k: number): number {
  let j = s.length;
  for (let n = 0; n < k; n++) {
    if (j <= 0) return -1;
    j -= j >= 2 && isLowSurrogate(s.charCodeAt(j - 1)) && isHighSurrogate(s.charCodeAt(j - 2)) ? 2 : 1;
  }
  return j;
}
