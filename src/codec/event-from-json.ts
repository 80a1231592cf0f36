/**
 * Maps one scanned JSON object to a CloudEvent (JSON event format, spec digest §2),
 * collecting every problem instead of stopping at the first.
 */
import type { AttributeValue, CloudEvent, ErrorItem } from '../core/index.js';
import { attributeNameViolation, isJsonContentType, validateAttributes } from './attributes.js';
import { encodeUtf8, tryDecodeBase64 } from './bytes.js';
import type { JsonObjectRef, JsonValueRef } from './json-event-scan.js';
import { isWellFormedUtf16 } from './string-type.js';

/** The scanned document: spans are UTF-16 offsets into `text`, which was decoded from `bytes` at `byteOffset`. */
export interface JsonSource {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly byteOffset: number;
}

export interface JsonEventResult {
  /** Set when `errors` is empty. */
  readonly event: CloudEvent | undefined;
  readonly errors: ErrorItem[];
}

// JSON-M3, CORE-M18: an Integer is a JSON number with an integer part only, no exponent,
// no fraction and no leading zeros; `5.0` and `1e3` are not Integers.
const JSON_INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/**
 * `source` is the whole scanned document (spans in `obj` point into its text). `prefix` goes in
 * front of every error path (`[2]/` for batch members).
 */
export function eventFromJson(obj: JsonObjectRef, source: JsonSource, prefix: string): JsonEventResult {
  const attrs: Record<string, AttributeValue> = {};
  const errors: ErrorItem[] = [];
  let reported: Set<string> | undefined; // members already reported: no "missing" on top
  const members = obj.members;
  let data: JsonValueRef | undefined;
  let dataBase64: JsonValueRef | undefined;

  for (let i = 0; i < members.length; i++) {
    const { key, value } = members[i]!;
    // CORE-M2. Events have a handful of members: a scan of the earlier keys beats a Set.
    if (seenBefore(members, i, key)) {
      (reported ??= new Set()).add(key);
      errors.push({ path: prefix + key, message: `Member "${key}" appears more than once (CORE-M2)`, code: 'CW_DUPLICATE_ATTRIBUTE' });
      continue;
    }
    if (key === 'data') {
      data = value;
      continue;
    }
    if (key === 'data_base64') {
      // A null data_base64 carries nothing, so it counts as absent (JSON-M4 by analogy).
      if (value.kind !== 'null') dataBase64 = value;
      continue;
    }
    if (value.kind === 'null') continue; // JSON-M4: null means unset
    // Names are checked before any assignment: `attrs.__proto__ = …` would vanish silently.
    const badName = attributeNameViolation(key);
    let problem: string | undefined;
    let code: NonNullable<ErrorItem['code']> = 'CW_INVALID_ATTRIBUTE';
    if (badName !== undefined) {
      problem = `Attribute "${key}" ${badName}`;
      code = 'CW_INVALID_ATTRIBUTE_NAME';
    } else if (value.kind === 'string' || value.kind === 'boolean') {
      attrs[key] = value.value;
    } else if (value.kind === 'number' && JSON_INTEGER.test(value.raw)) {
      attrs[key] = Number(value.raw) || 0; // `-0` is the Integer 0
    } else if (value.kind === 'number') {
      problem = `Attribute "${key}" is ${value.raw}, not an Integer: only whole numbers without fraction or exponent are allowed (CORE-M16, CORE-M18)`;
    } else {
      problem = `Attribute "${key}" is a JSON ${value.kind}; attribute values must be a string, boolean or integer (CORE-M16, JSON-M3)`;
    }
    if (problem !== undefined) {
      errors.push({ path: prefix + key, message: problem, code });
      (reported ??= new Set()).add(key);
    }
  }

  for (const e of validateAttributes(attrs, prefix)) {
    if (!(e.code === 'CW_MISSING_ATTRIBUTE' && reported?.has(e.path.slice(prefix.length)))) errors.push(e);
  }

  const ct = typeof attrs['datacontenttype'] === 'string' ? attrs['datacontenttype'] : undefined;
  const bytes = decodeData(data, dataBase64, ct, source, prefix, errors);
  return { event: errors.length === 0 ? { attributes: attrs, data: bytes } : undefined, errors };
}

function seenBefore(members: JsonObjectRef['members'], i: number, key: string): boolean {
  for (let j = 0; j < i; j++) if (members[j]!.key === key) return true;
  return false;
}

/**
 * The bytes of `text[start, end)`. When the text is pure ASCII (as many bytes as characters),
 * offsets in it are byte offsets, and the bytes are the received ones: a view, no re-encoding.
 * Only a view on a buffer of its own: a slice of someone's bigger buffer (a Kafka fetch) would
 * keep all of it alive and be copied whole whenever the event crosses a thread (postMessage).
 */
function spanBytes(source: JsonSource, start: number, end: number): Uint8Array {
  const { bytes, text, byteOffset } = source;
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  if (own && bytes.length - byteOffset === text.length) return bytes.subarray(byteOffset + start, byteOffset + end);
  return encodeUtf8(text.slice(start, end));
}

function dataError(errors: ErrorItem[], path: string, message: string): undefined {
  errors.push({ path, message, code: 'CW_INVALID_DATA' });
  return undefined;
}

function decodeData(
  data: JsonValueRef | undefined,
  dataBase64: JsonValueRef | undefined,
  ct: string | undefined,
  source: JsonSource,
  prefix: string,
  errors: ErrorItem[],
): Uint8Array | undefined {
  if (data !== undefined && dataBase64 !== undefined) {
    return dataError(errors, prefix + 'data_base64', 'Members "data" and "data_base64" are mutually exclusive (JSON-M6)');
  }
  if (dataBase64 !== undefined) {
    // JSON-M7: decode to bytes; nothing is assumed about their format.
    const bytes = dataBase64.kind === 'string' ? tryDecodeBase64(dataBase64.value) : undefined;
    return bytes ?? dataError(errors, prefix + 'data_base64', 'Member "data_base64" must be a Base64 (RFC 4648) string (JSON-M7)');
  }
  if (data === undefined) return undefined;
  if (isJsonContentType(ct)) {
    // JSON-M8, JSON-N4: the JSON value's own text, exactly as received; a JSON string stays
    // quoted and is never parsed again. `null` is explicit null data (JSON-N1).
    return spanBytes(source, data.start, data.end);
  }
  // Non-JSON content type: data is the content as a string (JSON-S3).
  if (data.kind === 'string') {
    if (!isWellFormedUtf16(data.value))
      return dataError(errors, prefix + 'data', 'Member "data" holds an unpaired surrogate, which has no UTF-8 form');
    return encodeUtf8(data.value);
  }
  // Decision: with a non-JSON content type, `"data": null` can only mean "no content".
  if (data.kind === 'null') return undefined;
  return dataError(errors, prefix + 'data', `Member "data" must be a JSON string when datacontenttype "${ct ?? ''}" is not JSON (JSON-S3)`);
}
