/**
 * Kafka protocol binding (spec digest §5): binary and structured mode; Kafka has no batch mode.
 *
 * Header keys are matched strictly (KAFKA-N1): only lower-case `ce_` keys are attributes and
 * only `content-type` is the content type, as sdk-csharp does; `CE_ID` or `Content-Type` are
 * foreign headers and are ignored. We emit lower-case keys only.
 */
import { CausewayError, type AttributeValue, type CloudEvent, type ErrorItem } from '../core/index.js';
import { attributeNameViolation, canonicalString, validateAttributes } from './attributes.js';
import { tryDecodeUtf8 } from './bytes.js';
import { eventError } from './event-error.js';
import { JSON_EVENT_MEDIA_TYPE, encodeStructuredEvent, parseStructuredEvent } from './json-format.js';
import { mediaTypeEssence } from './media-type.js';

export type KafkaHeaderValue = Uint8Array | string;
export type KafkaMode = 'binary' | 'structured';

export interface KafkaMessage {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: Record<string, string>;
}

/** KAFKA-M8: always set on structured records, since readers detect the mode by it. */
export const KAFKA_STRUCTURED_CONTENT_TYPE = `${JSON_EVENT_MEDIA_TYPE}; charset=UTF-8`;

/** KAFKA-M1: structured when `content-type` starts with `application/cloudevents` (any case). */
export function detectKafkaMode(contentType: string | undefined): KafkaMode {
  return contentType?.trimStart().toLowerCase().startsWith('application/cloudevents') === true ? 'structured' : 'binary';
}

/**
 * Binary mode (KAFKA-M4..M7, KAFKA-M11): `ce_<name>` headers holding the canonical string as
 * raw UTF-8 (no percent-encoding), `content-type` for datacontenttype, the data as the value,
 * null when there is no data (a tombstone on compacted topics). The key is passed through
 * unchanged and `partitionkey`, if any, stays a header. No content type is invented when
 * datacontenttype is absent: the record must carry the event as it is.
 */
export function encodeKafkaBinary(ev: CloudEvent, key: Uint8Array | null): KafkaMessage {
  const headers: Record<string, string> = {};
  const attrs = ev.attributes;
  for (const name of Object.keys(attrs)) {
    const value = attrs[name];
    if (value === undefined) continue;
    headers[headerName(name)] = canonicalString(value);
  }
  return { key, value: ev.data ?? null, headers };
}

/** Attribute name → header key; the few names in use are remembered rather than concatenated per event. */
const HEADER_NAMES = new Map<string, string>([['datacontenttype', 'content-type']]);
function headerName(attribute: string): string {
  let h = HEADER_NAMES.get(attribute);
  if (h === undefined) {
    h = `ce_${attribute}`;
    if (HEADER_NAMES.size < 256) HEADER_NAMES.set(attribute, h);
  }
  return h;
}

/** Structured mode (KAFKA-M8, KAFKA-M9): the JSON event is the value, never a tombstone. */
export function encodeKafkaStructured(ev: CloudEvent, key: Uint8Array | null): KafkaMessage {
  return { key, value: encodeStructuredEvent(ev), headers: { 'content-type': KAFKA_STRUCTURED_CONTENT_TYPE } };
}

function headerText(value: KafkaHeaderValue, path: string, errors: ErrorItem[]): string | undefined {
  if (typeof value === 'string') return value;
  const text = tryDecodeUtf8(value);
  // KAFKA-M6: header values are UTF-8 strings.
  if (text === undefined) errors.push({ path, message: 'Header value is not valid UTF-8 (KAFKA-M6)', code: 'CW_INVALID_HEADER_ENCODING' });
  return text;
}

/**
 * Decodes a Kafka record (KAFKA-M1..M9). The key is not used: `partitionkey` is never made
 * up from it (KAFKA-N4). Throws CausewayError: CW_UNSUPPORTED_MEDIA_TYPE (a CloudEvents
 * format other than JSON, or the batch type), CW_DUPLICATE_ATTRIBUTE, CW_MALFORMED_JSON or
 * the first validation problem's code, with every problem in `errors`.
 */
export function decodeKafka(
  headers: ReadonlyArray<readonly [string, KafkaHeaderValue]>,
  value: Uint8Array | null,
  _key: Uint8Array | null,
): CloudEvent {
  const errors: ErrorItem[] = [];
  const cts = headers.filter(([k]) => k === 'content-type');
  if (cts.length > 1) {
    throw eventError('Invalid Kafka record', [
      { path: 'datacontenttype', message: `Header content-type given ${cts.length} times (CORE-M2)`, code: 'CW_DUPLICATE_ATTRIBUTE' },
    ]);
  }
  const ct = cts[0] === undefined ? undefined : headerText(cts[0][1], 'datacontenttype', errors);
  if (detectKafkaMode(ct) === 'structured') {
    if (mediaTypeEssence(ct ?? '') !== JSON_EVENT_MEDIA_TYPE) {
      throw new CausewayError(
        'CW_UNSUPPORTED_MEDIA_TYPE',
        `Unsupported CloudEvents format ${JSON.stringify(ct)} on Kafka; only ${JSON_EVENT_MEDIA_TYPE} is supported (KAFKA-M1, KAFKA-M3)`,
      );
    }
    if (value === null) throw new CausewayError('CW_INVALID_REQUEST', 'A structured-mode record must have a value (KAFKA-M9)');
    return parseStructuredEvent(value);
  }

  const attrs: Record<string, AttributeValue> = {};
  const seen = new Set<string>();
  for (const [key, raw] of headers) {
    if (!key.startsWith('ce_')) continue;
    const name = key.slice(3);
    const badName = attributeNameViolation(name);
    if (badName !== undefined) {
      // CORE-M13/M14, checked before assignment: `attrs.__proto__ = …` would vanish silently.
      if (!seen.has(name)) errors.push({ path: name, message: `Attribute "${name}" ${badName}`, code: 'CW_INVALID_ATTRIBUTE_NAME' });
      seen.add(name);
      continue;
    }
    if (seen.has(name)) {
      // CORE-M2: two `ce_id` headers on one record are rejected, not merged (derived).
      if (!errors.some((e) => e.path === name))
        errors.push({ path: name, message: `Header ${key} given more than once (CORE-M2)`, code: 'CW_DUPLICATE_ATTRIBUTE' });
      continue;
    }
    seen.add(name);
    if (name === 'datacontenttype') {
      // KAFKA-M5: datacontenttype travels only as `content-type`; strict, as for HTTP-M2.
      errors.push({
        path: name,
        message: 'Header ce_datacontenttype is not allowed; use content-type (KAFKA-M5)',
        code: 'CW_INVALID_ATTRIBUTE',
      });
      continue;
    }
    const text = headerText(raw, name, errors);
    if (text !== undefined) attrs[name] = text; // KAFKA-M6: raw UTF-8, no percent-decoding; strings (CORE-N3)
  }
  if (ct !== undefined) attrs['datacontenttype'] = ct; // KAFKA-M5
  const reported = new Set(errors.map((e) => e.path));
  errors.push(...validateAttributes(attrs).filter((e) => !reported.has(e.path)));
  if (errors.length > 0) throw eventError('Invalid binary-mode Kafka record', errors);
  // KAFKA-M4, KAFKA-M7: the value is the data; a null (or empty) value means no data.
  return { attributes: attrs, data: value !== null && value.length > 0 ? value : undefined };
}
