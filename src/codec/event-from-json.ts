/**
 * Maps one scanned JSON object to a CloudEvent (JSON event format, spec digest §2),
 * collecting every problem instead of stopping at the first.
 */
import type { AttributeValue, CloudEvent, ErrorItem } from '../core/index.js';
import { attributeNameViolation, isJsonContentType, validateAttributes } from './attributes.js';
import { encodeUtf8, tryDecodeBase64 } from './bytes.js';
import type { JsonNode } from './json-scanner.js';
import { isWellFormedUtf16 } from './string-type.js';

type JsonObject = Extract<JsonNode, { kind: 'object' }>;

export interface JsonEventResult {
  /** Set when `errors` is empty. */
  readonly event: CloudEvent | undefined;
  readonly errors: ErrorItem[];
}

// JSON-M3, CORE-M18: an Integer is a JSON number with an integer part only, no exponent,
// no fraction and no leading zeros; `5.0` and `1e3` are not Integers.
const JSON_INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/**
 * `text` is the whole scanned document (spans in `obj` point into it). `prefix` goes in front
 * of every error path (`[2]/` for batch members).
 */
export function eventFromJson(obj: JsonObject, text: string, prefix: string): JsonEventResult {
  const attrs: Record<string, AttributeValue> = {};
  const errors: ErrorItem[] = [];
  const reported = new Set<string>(); // members already reported: no "missing" on top
  const seen = new Set<string>();
  let data: JsonNode | undefined;
  let dataBase64: JsonNode | undefined;
  const bad = (name: string, message: string, code: NonNullable<ErrorItem['code']>): void => {
    errors.push({ path: prefix + name, message, code });
    reported.add(name);
  };

  for (const { key, value } of obj.members) {
    if (seen.has(key)) {
      bad(key, `Member "${key}" appears more than once (CORE-M2)`, 'CW_DUPLICATE_ATTRIBUTE');
      continue;
    }
    seen.add(key);
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
    if (badName !== undefined) {
      bad(key, `Attribute "${key}" ${badName}`, 'CW_INVALID_ATTRIBUTE_NAME');
    } else if (value.kind === 'string' || value.kind === 'boolean') {
      attrs[key] = value.value;
    } else if (value.kind === 'number' && JSON_INTEGER.test(value.raw)) {
      attrs[key] = Number(value.raw) || 0; // `-0` is the Integer 0
    } else if (value.kind === 'number') {
      bad(
        key,
        `Attribute "${key}" is ${value.raw}, not an Integer: only whole numbers without fraction or exponent are allowed (CORE-M16, CORE-M18)`,
        'CW_INVALID_ATTRIBUTE',
      );
    } else {
      bad(
        key,
        `Attribute "${key}" is a JSON ${value.kind}; attribute values must be a string, boolean or integer (CORE-M16, JSON-M3)`,
        'CW_INVALID_ATTRIBUTE',
      );
    }
  }

  for (const e of validateAttributes(attrs, prefix)) {
    const name = e.path.slice(prefix.length);
    if (!(e.code === 'CW_MISSING_ATTRIBUTE' && reported.has(name))) errors.push(e);
  }

  const ct = typeof attrs['datacontenttype'] === 'string' ? attrs['datacontenttype'] : undefined;
  const bytes = decodeData(data, dataBase64, ct, text, prefix, errors);
  return { event: errors.length === 0 ? { attributes: attrs, data: bytes } : undefined, errors };
}

function decodeData(
  data: JsonNode | undefined,
  dataBase64: JsonNode | undefined,
  ct: string | undefined,
  text: string,
  prefix: string,
  errors: ErrorItem[],
): Uint8Array | undefined {
  const fail = (member: string, message: string): undefined => {
    errors.push({ path: prefix + member, message, code: 'CW_INVALID_DATA' });
    return undefined;
  };
  if (data !== undefined && dataBase64 !== undefined) {
    return fail('data_base64', 'Members "data" and "data_base64" are mutually exclusive (JSON-M6)');
  }
  if (dataBase64 !== undefined) {
    // JSON-M7: decode to bytes; nothing is assumed about their format.
    const bytes = dataBase64.kind === 'string' ? tryDecodeBase64(dataBase64.value) : undefined;
    return bytes ?? fail('data_base64', 'Member "data_base64" must be a Base64 (RFC 4648) string (JSON-M7)');
  }
  if (data === undefined) return undefined;
  if (isJsonContentType(ct)) {
    // JSON-M8, JSON-N4: the JSON value's own text, exactly as received; a JSON string stays
    // quoted and is never parsed again. `null` is explicit null data (JSON-N1).
    return encodeUtf8(text.slice(data.start, data.end));
  }
  // Non-JSON content type: data is the content as a string (JSON-S3).
  if (data.kind === 'string') {
    if (!isWellFormedUtf16(data.value)) return fail('data', 'Member "data" holds an unpaired surrogate, which has no UTF-8 form');
    return encodeUtf8(data.value);
  }
  // Decision: with a non-JSON content type, `"data": null` can only mean "no content".
  if (data.kind === 'null') return undefined;
  return fail('data', `Member "data" must be a JSON string when datacontenttype "${ct ?? ''}" is not JSON (JSON-S3)`);
}
