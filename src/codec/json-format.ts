/**
 * The JSON event format (spec digest §2): `application/cloudevents+json` and the batch
 * format `application/cloudevents-batch+json`. Data bytes are never re-serialized (JSON-N4).
 */
import { CausewayError, type AttributeValue, type CloudEvent, type ErrorItem } from '../core/index.js';
import { isJsonContentType } from './attributes.js';
import { encodeBase64, encodeUtf8, tryDecodeUtf8 } from './bytes.js';
import { eventError } from './event-error.js';
import { eventFromJson, type JsonSource } from './event-from-json.js';
import { isJsonValue, scanBatchJson, scanEventJson, type JsonValueRef } from './json-event-scan.js';
import { JsonSyntaxError, scanJson, type JsonNode } from './json-scanner.js';
import { mediaTypeEssence } from './media-type.js';

export const JSON_EVENT_MEDIA_TYPE = 'application/cloudevents+json';
export const JSON_BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

/**
 * Decodes and scans a document with the lean scanner `fast`. On a syntax error, scanJson
 * re-scans it for the message and position; if scanJson accepts what the lean scanner refused
 * (which the tests rule out), its full tree is used, so the fast path can never reject valid JSON.
 */
function scan<T>(bytes: Uint8Array, fast: (text: string) => T, full: (node: JsonNode) => T): { node: T; source: JsonSource } {
  let text = tryDecodeUtf8(bytes);
  if (text === undefined) throw new CausewayError('CW_MALFORMED_JSON', 'Body is not valid UTF-8 (RFC 8259 §8.1)');
  // RFC 8259 §8.1: a parser MAY ignore a leading byte order mark; we do.
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  const source: JsonSource = { text, bytes, byteOffset: bom ? 3 : 0 };
  try {
    return { node: fast(text), source };
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
  }
  try {
    return { node: full(scanJson(text)), source };
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new CausewayError('CW_MALFORMED_JSON', `Malformed JSON: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Parses one event in the JSON format (JSON-M1..M8). Throws CausewayError: CW_MALFORMED_JSON
 * (with the position), CW_INVALID_REQUEST (not an object) or the first problem's code with all
 * problems in `errors`.
 */
export function parseStructuredEvent(bytes: Uint8Array): CloudEvent {
  const { node, source } = scan(bytes, scanEventJson, (n) => n);
  if (node.kind !== 'object') {
    throw new CausewayError('CW_INVALID_REQUEST', `A structured CloudEvent must be a JSON object, not a JSON ${node.kind} (JSON-M2)`, {
      errors: [{ path: '', message: 'not a JSON object', code: 'CW_INVALID_REQUEST' }],
    });
  }
  const { event, errors } = eventFromJson(node, source, '');
  if (event === undefined) throw eventError('Invalid CloudEvent', errors);
  return event;
}

/**
 * Parses a JSON batch (JSON-M9). All or nothing: one bad member rejects the whole batch with
 * CW_INVALID_BATCH, listing every problem with paths `[i]/attr`; members with different
 * specversions give CW_MIXED_SPECVERSION (CORE-M25). `[]` is a valid, empty batch.
 */
export function parseBatch(bytes: Uint8Array): CloudEvent[] {
  const { node, source } = scan(bytes, scanBatchJson, (n) => n);
  if (node.kind !== 'array') {
    throw new CausewayError('CW_INVALID_BATCH', `A batch must be a JSON array, not a JSON ${node.kind} (JSON-M9)`, {
      errors: [{ path: '', message: 'not a JSON array', code: 'CW_INVALID_BATCH' }],
    });
  }
  const events: CloudEvent[] = [];
  const errors: ErrorItem[] = [];
  const mixed: ErrorItem[] = [];
  let firstVersion: { value: string; index: number } | undefined;
  for (let i = 0; i < node.items.length; i++) {
    const item = node.items[i]!;
    if (item.kind !== 'object') {
      errors.push({
        path: `[${i}]`,
        message: `Batch member is a JSON ${item.kind}, not an event object (JSON-M9)`,
        code: 'CW_INVALID_BATCH',
      });
      continue;
    }
    let sv: JsonValueRef | undefined;
    for (const m of item.members) if (m.key === 'specversion') sv ??= m.value; // the first, as find() gave
    if (sv?.kind === 'string') {
      if (firstVersion === undefined) firstVersion = { value: sv.value, index: i };
      else if (sv.value !== firstVersion.value) {
        const message = `specversion "${sv.value}" differs from "${firstVersion.value}" of member [${firstVersion.index}] (CORE-M25)`;
        mixed.push({ path: `[${i}]/specversion`, message, code: 'CW_MIXED_SPECVERSION' });
      }
    }
    const r = eventFromJson(item, source, `[${i}]/`);
    if (r.event !== undefined) events.push(r.event);
    for (const e of r.errors) errors.push(e);
  }
  if (mixed.length > 0) {
    throw new CausewayError('CW_MIXED_SPECVERSION', `All events in a batch must have the same specversion: ${mixed[0]?.message}`, {
      errors: [...mixed, ...errors],
    });
  }
  if (errors.length > 0) {
    const bad = new Set(errors.map((e) => /^\[\d+\]/.exec(e.path)?.[0])).size;
    throw new CausewayError(
      'CW_INVALID_BATCH',
      `${bad} of ${node.items.length} batch members are invalid; the whole batch is rejected (JSON-M9): ${errors[0]?.message}`,
      { errors },
    );
  }
  return events;
}

/** True when the bytes are valid UTF-8 holding exactly one JSON value. */
export function isJsonData(bytes: Uint8Array): boolean {
  const text = tryDecodeUtf8(bytes);
  return text !== undefined && isJsonValue(text);
}

function jsonAttribute(value: AttributeValue): string {
  // JSON-M3: Integer → number, Boolean → boolean, everything else → string.
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * Text media types whose data goes in `data` as a JSON string (JSON-M5). Only when the
 * charset is UTF-8 (or US-ASCII, or unstated), since decoding writes the string's UTF-8 bytes:
 * other charsets go in `data_base64` so the bytes survive unchanged.
 */
function isUtf8Text(ct: string): boolean {
  const essence = mediaTypeEssence(ct);
  const textual = essence.startsWith('text/') || essence.endsWith('/xml') || essence.endsWith('+xml');
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(ct)?.[1]?.toLowerCase();
  return textual && (charset === undefined || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii');
}

/** The `data`/`data_base64` member for an event, or undefined when it has no data (JSON-M5). */
function dataMember(ev: CloudEvent): string | undefined {
  if (ev.data === undefined) return undefined;
  const ctValue = ev.attributes['datacontenttype'];
  const ct = typeof ctValue === 'string' ? ctValue : undefined;
  const text = tryDecodeUtf8(ev.data);
  if (text !== undefined) {
    // JSON content type (or none, JSON-S1): splice the bytes in as the JSON value, verbatim.
    if (isJsonContentType(ct) && isJsonValue(text)) return `"data":${text}`;
    if (ct !== undefined && !isJsonContentType(ct) && isUtf8Text(ct)) return `"data":${JSON.stringify(text)}`;
  }
  // Binary data, or bytes that do not match a JSON content type (JSON-N3: we keep them rather
  // than fail). With no datacontenttype none is added: nothing is known about them (JSON-M5).
  return `"data_base64":"${encodeBase64(ev.data)}"`;
}

function structuredText(ev: CloudEvent): string {
  const members: string[] = [];
  for (const [name, value] of Object.entries(ev.attributes)) {
    if (value !== undefined) members.push(`${JSON.stringify(name)}:${jsonAttribute(value)}`);
  }
  const data = dataMember(ev);
  if (data !== undefined) members.push(data);
  return `{${members.join(',')}}`;
}

/** Serializes one event as `application/cloudevents+json` (JSON-M1..M5). */
export function encodeStructuredEvent(ev: CloudEvent): Uint8Array {
  return encodeUtf8(structuredText(ev));
}

/** Serializes events as `application/cloudevents-batch+json` (JSON-M9). */
export function encodeBatch(evs: readonly CloudEvent[]): Uint8Array {
  return encodeUtf8(`[${evs.map(structuredText).join(',')}]`);
}
