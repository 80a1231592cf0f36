/**
 * HTTP protocol binding (spec digest §3): binary, structured and batched content modes.
 */
import { CausewayError, type AttributeValue, type CloudEvent, type ErrorItem } from '../core/index.js';
import { attributeNameViolation, canonicalString, validateAttributes } from './attributes.js';
import { eventError } from './event-error.js';
import {
  JSON_BATCH_MEDIA_TYPE,
  JSON_EVENT_MEDIA_TYPE,
  encodeBatch,
  encodeStructuredEvent,
  isJsonData,
  parseBatch,
  parseStructuredEvent,
} from './json-format.js';
import { mediaTypeEssence } from './media-type.js';
import { percentDecode, percentEncode } from './percent.js';

export type HttpMode = 'binary' | 'structured' | 'batch';

/** Node's `req.headersDistinct` shape: lower-case names, every value received. */
export type DistinctHeaders = Readonly<Record<string, readonly string[] | undefined>>;

export interface HttpDecoded {
  readonly mode: HttpMode;
  readonly events: CloudEvent[];
}

export interface HttpMessage {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | undefined;
}

// Lower-case `utf-8`: charset values are case-insensitive, but sdk-javascript's HTTP receiver
// looks the whole Content-Type up verbatim and knows only this spelling (interop).
export const STRUCTURED_CONTENT_TYPE = `${JSON_EVENT_MEDIA_TYPE}; charset=utf-8`;
export const BATCH_CONTENT_TYPE = `${JSON_BATCH_MEDIA_TYPE}; charset=utf-8`;

/**
 * HTTP-M1: the content mode from Content-Type, case-insensitively. The batch prefix is tested
 * first because it also starts with `application/cloudevents`. Anything else is binary.
 */
export function detectHttpMode(contentType: string | undefined): HttpMode {
  const ct = (contentType ?? '').trimStart().toLowerCase();
  if (ct.startsWith('application/cloudevents-batch')) return 'batch';
  if (ct.startsWith('application/cloudevents')) return 'structured';
  return 'binary';
}

/**
 * False when Content-Type is a CloudEvents media type naming a format we do not handle, such
 * as `application/cloudevents+avro` (HTTP-N1: we answer 415, HOOK-M8, rather than forward it).
 * Only the JSON format and JSON batch format are supported (HTTP-M12, CORE-M23).
 */
export function isSupportedHttpContentType(contentType: string | undefined): boolean {
  const mode = detectHttpMode(contentType);
  if (mode === 'binary') return true;
  const essence = mediaTypeEssence(contentType ?? '');
  return essence === (mode === 'batch' ? JSON_BATCH_MEDIA_TYPE : JSON_EVENT_MEDIA_TYPE);
}

/** HTTP-N2: true when any `ce-` header is present (a binary-mode CloudEvent, probably). */
export function hasCloudEventHeaders(headers: DistinctHeaders): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase().startsWith('ce-'));
}

function single(headers: DistinctHeaders, name: string): string | undefined {
  let values: readonly string[] = [];
  for (const k of Object.keys(headers)) {
    const v = headers[k];
    if (v === undefined || v.length === 0 || k.toLowerCase() !== name) continue;
    values = values.length === 0 ? v : [...values, ...v];
  }
  if (values.length > 1) {
    throw new CausewayError('CW_INVALID_REQUEST', `Header ${name} given ${values.length} times`, {
      errors: [{ path: name, message: `header given ${values.length} times`, code: 'CW_INVALID_REQUEST' }],
    });
  }
  return values[0];
}

function decodeBinary(headers: DistinctHeaders, contentType: string | undefined, body: Uint8Array): CloudEvent {
  const attrs: Record<string, AttributeValue> = {};
  const errors: ErrorItem[] = [];
  // HTTP-M4: header names are case-insensitive, so `CE-ID` and `ce-id` are one attribute.
  const grouped = new Map<string, readonly string[]>();
  for (const key of Object.keys(headers)) {
    const values = headers[key];
    const lower = key.toLowerCase();
    if (!lower.startsWith('ce-') || values === undefined) continue;
    const before = grouped.get(lower);
    grouped.set(lower, before === undefined ? values : [...before, ...values]);
  }
  for (const [header, values] of grouped) {
    const name = header.slice(3);
    const badName = attributeNameViolation(name);
    if (badName !== undefined) {
      // CORE-M13/M14, checked before assignment: `attrs.__proto__ = …` would vanish silently.
      errors.push({ path: name, message: `Attribute "${name}" ${badName}`, code: 'CW_INVALID_ATTRIBUTE_NAME' });
      continue;
    }
    if (values.length !== 1) {
      // CORE-M2: a repeated attribute is rejected, never merged.
      errors.push({ path: name, message: `Header ${header} given ${values.length} times (CORE-M2)`, code: 'CW_DUPLICATE_ATTRIBUTE' });
      continue;
    }
    if (name === 'datacontenttype') {
      // HTTP-M2, strict choice: ce-datacontenttype MUST NOT be present; we reject the message
      // rather than silently pick between it and Content-Type.
      errors.push({
        path: name,
        message: 'Header ce-datacontenttype is not allowed; use Content-Type (HTTP-M2)',
        code: 'CW_INVALID_ATTRIBUTE',
      });
      continue;
    }
    try {
      attrs[name] = percentDecode(values[0] as string); // HTTP-M8; values stay strings (CORE-N3)
    } catch (e) {
      if (!(e instanceof CausewayError)) throw e;
      errors.push({ path: name, message: e.message, code: e.code });
    }
  }
  // HTTP-M2: Content-Type is datacontenttype, verbatim.
  if (contentType !== undefined) attrs['datacontenttype'] = contentType;
  const reported = new Set(errors.map((e) => e.path));
  errors.push(...validateAttributes(attrs).filter((e) => !reported.has(e.path)));
  if (errors.length > 0) throw eventError('Invalid binary-mode CloudEvent', errors);
  // HTTP-M3: the body is the data, unchanged; an empty body means no data.
  return { attributes: attrs, data: body.length > 0 ? body : undefined };
}

/**
 * Decodes an HTTP request into CloudEvents (HTTP-M1..M13). Structured mode ignores `ce-`
 * headers: the body wins (HTTP-M11). Throws CausewayError: CW_UNSUPPORTED_MEDIA_TYPE (415),
 * CW_MALFORMED_JSON, CW_INVALID_BATCH, CW_MIXED_SPECVERSION, CW_INVALID_REQUEST (repeated
 * Content-Type) or the first validation problem's code, with all problems in `errors`.
 */
export function decodeHttp(headers: DistinctHeaders, body: Uint8Array): HttpDecoded {
  const contentType = single(headers, 'content-type');
  const mode = detectHttpMode(contentType);
  if (!isSupportedHttpContentType(contentType)) {
    throw new CausewayError(
      'CW_UNSUPPORTED_MEDIA_TYPE',
      `Unsupported CloudEvents format ${JSON.stringify(contentType)}; only ${JSON_EVENT_MEDIA_TYPE} and ${JSON_BATCH_MEDIA_TYPE} are supported`,
    );
  }
  switch (mode) {
    case 'batch':
      return { mode, events: parseBatch(body) };
    case 'structured':
      return { mode, events: [parseStructuredEvent(body)] };
    default:
      return { mode, events: [decodeBinary(headers, contentType, body)] };
  }
}

/**
 * Encodes an event in HTTP binary mode (HTTP-M2..M7): a `ce-` header per attribute with the
 * percent-encoded canonical string, never `ce-datacontenttype`. Content-Type is datacontenttype;
 * when that is absent (CORE-S4, JSON-S2) it is `application/json` if the data is valid JSON,
 * and left out otherwise. Deviation: the model keeps no trace of `data_base64`, so data that
 * arrived Base64-encoded without a content type but happens to be valid JSON is labelled JSON,
 * where JSON-M5's example sends no Content-Type.
 */
export function encodeHttpBinary(ev: CloudEvent): HttpMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(ev.attributes)) {
    if (value === undefined || name === 'datacontenttype') continue;
    headers[`ce-${name}`] = percentEncode(canonicalString(value));
  }
  const ct = ev.attributes['datacontenttype'];
  if (ct !== undefined) headers['content-type'] = canonicalString(ct);
  else if (ev.data !== undefined && isJsonData(ev.data)) headers['content-type'] = 'application/json';
  return { headers, body: ev.data };
}

/** Encodes an event in HTTP structured mode (HTTP-M10, HTTP-M11). */
export function encodeHttpStructured(ev: CloudEvent): HttpMessage {
  return { headers: { 'content-type': STRUCTURED_CONTENT_TYPE }, body: encodeStructuredEvent(ev) };
}

/** Encodes events in HTTP batched mode (HTTP-M13); only when the receiver asked for it (HTTP-M14). */
export function encodeHttpBatch(evs: readonly CloudEvent[]): HttpMessage {
  return { headers: { 'content-type': BATCH_CONTENT_TYPE }, body: encodeBatch(evs) };
}
