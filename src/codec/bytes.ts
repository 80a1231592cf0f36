/** Byte helpers shared by the codecs: strict UTF-8 and RFC 4648 Base64. */

export const utf8Encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, never U+FFFD; ignoreBOM: a leading U+FEFF is content.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes strict UTF-8; undefined when the bytes are not valid UTF-8. */
export function tryDecodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function encodeUtf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

// RFC 4648 §4 alphabet. Padding is optional on input (sdk-java's decoder takes both);
// a length that leaves one dangling character can never be valid.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Strict Base64 decode (CORE-M20, JSON-M7); undefined for anything else. */
export function tryDecodeBase64(s: string): Uint8Array | undefined {
  if (!BASE64.test(s)) return undefined;
  return Uint8Array.from(Buffer.from(s, 'base64'));
}

/** Canonical padded Base64 (CORE-M20). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
