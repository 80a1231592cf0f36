/**
 * Media-type checks for `datacontenttype` and `Content-Type` (RFC 2046 / RFC 9110 §8.3.1).
 */

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED_STRING = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*"';
const OWS = '[ \\t]*';
// parameters = *( OWS ";" OWS [ parameter ] ) per RFC 9110; we also tolerate whitespace
// around "=" (`charset = "utf-8"`), which sdk-java's JSON-detection vectors contain.
// Written so every character has exactly one way to match: the textbook form
// `(OWS ";" OWS [param])* OWS` lets whitespace between two ";" belong to either
// iteration, which backtracks exponentially on `a/b; ; ; … x` (a ReDoS on a client header).
const PARAMETER = `${TOKEN}${OWS}=${OWS}(?:${TOKEN}|${QUOTED_STRING})`;
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}${OWS}(?:;${OWS}(?:${PARAMETER}${OWS})?)*$`);

/** CORE-M8: `type/subtype[; params]`. Rejects `xyz`, `""`, `text/`, `a b/c`. */
export function isMediaType(s: string): boolean {
  return MEDIA_TYPE.test(s);
}

/**
 * JSON-M5: does this content type declare JSON data? `*\/json` or `*\/*+json` with the type
 * `application` or `text` (sdk-java's yes/no list: `test/json` and `applications/json` are not
 * JSON). The media type ends at the first ";" and is compared case-insensitively (CORE-M9);
 * whitespace before the ";" is not allowed (`text/json ;` is not JSON). Absent means JSON
 * (JSON-S1).
 */
export function isJsonContentType(ct: string | undefined): boolean {
  if (ct === undefined) return true;
  const semi = ct.indexOf(';');
  const mt = (semi < 0 ? ct : ct.slice(0, semi)).toLowerCase();
  return /^(?:application|text)\/(?:[!#$%&'*+.^_`|~0-9a-z-]+\+)?json$/.test(mt);
}

/** The `type/subtype` part, lower-cased and trimmed, for comparisons (CORE-M9). */
export function mediaTypeEssence(ct: string): string {
  const semi = ct.indexOf(';');
  return (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
}
