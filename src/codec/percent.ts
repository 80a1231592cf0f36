/**
 * HTTP binary-mode header value encoding (HTTP-M7, HTTP-M8, HTTP-M9).
 *
 * Strictness (HTTP-N3): sdk-go, sdk-java and sdk-javascript do not percent-encode, so a
 * value they send with a literal `%` that is not followed by two hex digits is rejected
 * here with CW_INVALID_HEADER_ENCODING rather than guessed at; the spec makes decoding a MUST.
 */
import { CausewayError } from '../core/index.js';
import { encodeUtf8, tryDecodeUtf8 } from './bytes.js';
import { isWellFormedUtf16 } from './string-type.js';

const HEX = '0123456789ABCDEF';

function fail(value: string, why: string): never {
  throw new CausewayError('CW_INVALID_HEADER_ENCODING', `Header value ${JSON.stringify(value)}: ${why} (HTTP-M8)`);
}

/**
 * HTTP-M7: percent-encode space, `"`, `%` and every character outside U+0021–U+007E
 * (control characters included) as upper-case `%XY` of its UTF-8 bytes.
 * Throws CW_INVALID_ATTRIBUTE for unpaired surrogates, which have no UTF-8 form (CORE-M19).
 */
export function percentEncode(value: string): string {
  if (!isWellFormedUtf16(value)) {
    throw new CausewayError('CW_INVALID_ATTRIBUTE', 'Cannot percent-encode a value with an unpaired surrogate (CORE-M19)');
  }
  let out = '';
  for (const ch of value) {
    const c = ch.charCodeAt(0);
    if (c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x25) {
      out += ch;
      continue;
    }
    for (const b of encodeUtf8(ch)) out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/**
 * HTTP-N4: Node's HTTP parser hands raw header bytes over as latin1 characters. A value with
 * characters in 0x80–0xFF and none above is therefore read back as bytes and decoded as
 * strict UTF-8. A value with characters above 0xFF did not come from the wire as latin1 and is
 * taken as already-decoded text.
 */
function fromLatin1Wire(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[^\x00-\xff]/.test(value)) return value;
  return tryDecodeUtf8(Uint8Array.from(value, (ch) => ch.charCodeAt(0))) ?? fail(value, 'raw header bytes are not valid UTF-8');
}

/** HTTP-M8 (1): remove RFC 7230 §3.2.6 quoted-string quoting, with its backslash escapes. */
function unquote(value: string): string {
  if (!value.includes('"')) return value;
  let out = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (!quoted) {
      // Outside quotes a backslash is an ordinary character (`non-escaping backslash\end`).
      if (ch === '"') quoted = true;
      else out += ch;
    } else if (ch === '"') {
      quoted = false;
    } else if (ch === '\\') {
      if (i + 1 >= value.length) fail(value, 'unterminated escape in quoted string');
      out += value[++i];
    } else {
      out += ch;
    }
  }
  if (quoted) fail(value, 'unterminated quoted string');
  return out;
}

const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * HTTP-M8: decode a `ce-*` header value. Quotes are removed first, then exactly one round of
 * percent-decoding (lower-case hex and needlessly encoded characters accepted), and the
 * resulting bytes must be valid UTF-8 (no overlongs, no surrogates, nothing truncated).
 * Throws CausewayError CW_INVALID_HEADER_ENCODING on any failure.
 */
export function percentDecode(headerValue: string): string {
  const text = unquote(fromLatin1Wire(headerValue));
  if (!text.includes('%')) {
    if (!isWellFormedUtf16(text)) fail(headerValue, 'unpaired surrogate');
    return text;
  }
  const bytes: number[] = [];
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const h = text.charCodeAt(i + 1);
      const l = text.charCodeAt(i + 2);
      if (!isHex(h) || !isHex(l)) fail(headerValue, `"%" at index ${i} is not followed by two hex digits`);
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else if (c < 0x80) {
      bytes.push(c);
      i++;
    } else {
      // A literal non-ASCII character (or surrogate pair): take its UTF-8 bytes.
      const cp = text.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      if (!isWellFormedUtf16(ch)) fail(headerValue, 'unpaired surrogate');
      bytes.push(...encodeUtf8(ch));
      i += ch.length;
    }
  }
  // HTTP-M8: fatal decoding rejects overlongs, encoded surrogates and truncated sequences.
  return tryDecodeUtf8(Uint8Array.from(bytes)) ?? fail(headerValue, 'percent-decoded bytes are not valid UTF-8');
}
