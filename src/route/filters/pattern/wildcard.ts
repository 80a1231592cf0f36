/**
 * EventBridge `wildcard` strings (AWS EventBridge User Guide, "Comparison operators for use in
 * event patterns" › "Wildcard matching"; event-ruler README "Wildcard matching"):
 * - `*` matches zero or more characters; a value may hold several of them,
 * - two consecutive `*` are not allowed,
 * - `\*` is a literal asterisk and `\\` a literal backslash; a backslash before anything else
 *   is an error.
 * Matching is exact and case-sensitive elsewhere.
 */

/** A parsed wildcard: the literal pieces between the stars (n stars → n + 1 pieces). */
export interface Wildcard {
  readonly pieces: readonly string[];
}

/** Parses `text`; returns the reason as a string when it is not a valid wildcard. */
export function parseWildcard(text: string): Wildcard | string {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '*') {
      if (text[i + 1] === '*') return `consecutive wildcard characters at position ${i}`;
      pieces.push(current);
      current = '';
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') return `invalid escape at position ${i}: only \\* and \\\\ are allowed`;
      current += next;
      i++;
    } else {
      current += c;
    }
  }
  pieces.push(current);
  return { pieces };
}

/**
 * Does `value` match? With only `*` as a metacharacter, matching the first piece as a prefix,
 * the last as a suffix and each middle piece at its leftmost possible place is exact (a later
 * placement never leaves more room for the pieces after it), so this is linear, not a regex.
 */
export function matchWildcard(w: Wildcard, value: string): boolean {
  const { pieces } = w;
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return value === first;
  const last = pieces[pieces.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let pos = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] ?? '';
    const at = value.indexOf(piece, pos);
    if (at < 0 || at + piece.length > end) return false;
    pos = at + piece.length;
  }
  return true;
}
