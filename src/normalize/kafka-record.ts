/**
 * A record from a raw Kafka topic becomes a CloudEvent (DESIGN §2, issue 3), by the topic's rule:
 *
 * - `cloudevents`: the Kafka protocol binding, binary or structured mode picked by `content-type`
 *   (KAFKA-M1), decoded by the codec with its strict header rules (KAFKA-N1).
 * - `json`: the value is plain JSON and Causeway is the producer. Each of `type`, `source`, `id`,
 *   `subject` and `time` comes from the place its mapping names (a JSON pointer into the value, a
 *   header, a constant or the record key), else the mapping's `default`, else the built-in one:
 *   `id` = `kafka://topic/partition/offset` (deterministic, so a redelivered record keeps its id
 *   and the dedupe window absorbs it, CORE-N1), `source` = `kafka://topic`, `time` = the record
 *   timestamp; `type` has none (it is read from `/type` unless mapped) and `subject` is left out.
 *   The data is the value bytes as received (JSON-N4) with `datacontenttype: application/json`;
 *   `recordedtime` is `now`, since Causeway creates the event (EXT-REC-N1).
 *
 * Pure: throws CausewayError (CW_MALFORMED_JSON, CW_INGRESS_INVALID_RECORD, or the codec's codes).
 */
import { CausewayError, type AttributeValue, type CloudEvent, type ErrorItem, type KafkaRecord } from '../core/index.js';
import { decodeKafka, getByPointer, validateAttributes } from '../codec/index.js';

/** Exactly one place, plus an optional default used when that place is empty. */
export type KafkaFieldRef = (
  { readonly field: string } | { readonly header: string } | { readonly value: string } | { readonly key: true }
) & { readonly default?: string };

export type MappedAttribute = 'type' | 'source' | 'id' | 'subject' | 'time';
export type KafkaRecordMapping = { readonly [A in MappedAttribute]?: KafkaFieldRef };

export interface KafkaRecordRule {
  readonly mode: 'cloudevents' | 'json';
  /** json mode only. */
  readonly mapping?: KafkaRecordMapping;
}

/** The built-in json-mode `id`: where the record sits, so a redelivery gets the same id. */
export const kafkaRecordId = (r: Pick<KafkaRecord, 'topic' | 'partition' | 'offset'>): string =>
  `kafka://${r.topic}/${r.partition}/${r.offset}`;

const EMPTY = new Uint8Array(0);
// fatal: bytes that are not UTF-8 are an error, never U+FFFD.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// RFC 8259 §8.1: a parser MAY ignore a leading BOM; producers on Windows do send one.
const jsonUtf8 = new TextDecoder('utf-8', { fatal: true });
const FAILED = Symbol('failed');

export function normalizeKafkaRecord(record: KafkaRecord, rule: KafkaRecordRule, now: Date = new Date()): CloudEvent {
  if (rule.mode === 'cloudevents') {
    // A null header value reads as empty: the codec then reports the attribute as invalid.
    return decodeKafka(
      record.headers.map(([k, v]) => [k, v ?? EMPTY] as const),
      record.value,
      record.key,
    );
  }
  return normalizeJson(record, rule.mapping ?? {}, now);
}

function normalizeJson(record: KafkaRecord, mapping: KafkaRecordMapping, now: Date): CloudEvent {
  if (record.value === null) {
    throw invalidRecord([{ path: 'data', message: 'A json-mode record needs a JSON value; this one has none (a tombstone)' }]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(jsonUtf8.decode(record.value));
  } catch (e) {
    throw new CausewayError('CW_MALFORMED_JSON', `Record value is not UTF-8 JSON: ${(e as Error).message}`);
  }
  const errors: ErrorItem[] = [];
  const attrs: Record<string, AttributeValue> = { specversion: '1.0' };
  const builtin: Record<MappedAttribute, () => string | undefined> = {
    id: () => kafkaRecordId(record),
    source: () => `kafka://${record.topic}`,
    type: () => undefined,
    subject: () => undefined,
    time: () => (record.timestamp >= 0 ? epochToTime(record.timestamp, 'time', errors) : undefined),
  };
  for (const name of ['id', 'source', 'type', 'subject', 'time'] as const) {
    const ref = mapping[name] ?? (name === 'type' ? { field: '/type' } : undefined);
    const found = ref === undefined ? undefined : resolve(ref, name, record, doc, errors);
    if (found === FAILED) continue;
    const value = found ?? ref?.default ?? builtin[name]();
    if (value === undefined) {
      if (name === 'type')
        errors.push({
          path: 'type',
          message: `Attribute "type" not found: ${describe(ref!)} is empty and there is no default`,
          code: 'CW_MISSING_ATTRIBUTE',
        });
      continue;
    }
    const text = name === 'time' ? toTime(value, errors) : String(value);
    if (text !== undefined) attrs[name] = text;
  }
  attrs.datacontenttype = 'application/json';
  attrs.recordedtime = now.toISOString(); // EXT-REC-N1
  const reported = new Set(errors.map((e) => e.path));
  errors.push(...validateAttributes(attrs).filter((e) => !reported.has(e.path)));
  if (errors.length > 0) throw invalidRecord(errors);
  return { attributes: attrs, data: record.value };
}

/** The value at the place `ref` names; undefined when that place is empty; FAILED after recording an error. */
function resolve(
  ref: KafkaFieldRef,
  name: MappedAttribute,
  record: KafkaRecord,
  doc: unknown,
  errors: ErrorItem[],
): string | number | undefined | typeof FAILED {
  const fail = (message: string, code: NonNullable<ErrorItem['code']> = 'CW_INVALID_ATTRIBUTE'): typeof FAILED => {
    errors.push({ path: name, message: `Attribute "${name}": ${message}`, code });
    return FAILED;
  };
  if ('value' in ref) return ref.value;
  if ('field' in ref) {
    const v = getByPointer(doc, ref.field);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    return fail(`field ${ref.field} holds ${Array.isArray(v) ? 'an array' : `a ${typeof v}`}, not a string or number`);
  }
  if ('header' in ref) {
    const found = record.headers.filter(([k]) => k === ref.header);
    if (found.length > 1) return fail(`header ${ref.header} given ${found.length} times (CORE-M2)`, 'CW_DUPLICATE_ATTRIBUTE');
    const raw = found[0]?.[1];
    if (raw === undefined || raw === null) return undefined;
    return utf8(raw) ?? fail(`header ${ref.header} is not valid UTF-8`, 'CW_INVALID_HEADER_ENCODING');
  }
  if (record.key === null) return undefined;
  return utf8(record.key) ?? fail('the record key is not valid UTF-8', 'CW_INVALID_HEADER_ENCODING');
}

/** `time` may be RFC 3339 (checked by validateAttributes) or epoch milliseconds, as a number or digits. */
function toTime(v: string | number, errors: ErrorItem[]): string | undefined {
  if (typeof v === 'number' || /^[0-9]{1,16}$/.test(v)) return epochToTime(Number(v), 'time', errors);
  return v;
}

function epochToTime(ms: number, path: string, errors: ErrorItem[]): string | undefined {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) {
    errors.push({
      path,
      message: `Attribute "${path}": ${ms} is not a representable epoch-milliseconds time`,
      code: 'CW_INVALID_ATTRIBUTE',
    });
    return undefined;
  }
  return d.toISOString();
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function describe(ref: KafkaFieldRef): string {
  if ('field' in ref) return `field ${ref.field}`;
  if ('header' in ref) return `header ${ref.header}`;
  return 'value' in ref ? 'the constant' : 'the record key';
}

function invalidRecord(errors: readonly ErrorItem[]): CausewayError {
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new CausewayError('CW_INGRESS_INVALID_RECORD', `Kafka record does not map to a CloudEvent: ${first.message}${more}`, { errors });
}
