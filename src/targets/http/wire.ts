/**
 * What one webhook request carries (spec digest §3): the CloudEvent in the route's content mode,
 * the lineage headers of the hop (DESIGN §7), the idempotency key and, when configured, the
 * Standard Webhooks signature. Pure: the HTTP client lives in http-target.ts.
 */
import { createHash } from 'node:crypto';
import { encodeHttpBatch, encodeHttpBinary, encodeHttpStructured, percentEncode } from '../../codec/index.js';
import type { Delivery } from '../../core/index.js';
import { IDEMPOTENCY_KEY_HEADER } from '../outcomes.js';
import type { HttpDeliveryMode } from './http-config.js';
import { signWebhook } from './signing.js';

export interface WireRequest {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  /** The mode actually used (binary falls back to structured, see `encodeOne`). */
  readonly mode: HttpDeliveryMode;
}

export interface WireOptions {
  readonly staticHeaders: Readonly<Record<string, string>>;
  readonly signingKeys: readonly Buffer[];
}

/** Lineage values travel percent-encoded like `ce-` values (HTTP-M7): header-safe whatever the route id or topic. */
const headerValue = (v: string): string => percentEncode(v);

/**
 * One event, one request. Binary mode falls back to structured when it would leave the request
 * without a body or without Content-Type (no data, or data of unknown type that is not JSON):
 * HOOK-M1 requires both, and structured mode carries the event whole (HTTP-M11), so nothing is
 * invented (an `application/octet-stream` label would add a datacontenttype the event never had).
 */
export function encodeOne(d: Delivery, mode: 'binary' | 'structured', opts: WireOptions): WireRequest {
  let msg = mode === 'binary' ? encodeHttpBinary(d.event) : encodeHttpStructured(d.event);
  let used: HttpDeliveryMode = mode;
  if (mode === 'binary' && (msg.body === undefined || msg.body.length === 0 || msg.headers['content-type'] === undefined)) {
    msg = encodeHttpStructured(d.event);
    used = 'structured';
  }
  const body = msg.body ?? new Uint8Array(0);
  const headers: Record<string, string> = { ...opts.staticHeaders, ...msg.headers };
  for (const [name, value] of Object.entries(d.lineage)) headers[name] = headerValue(value);
  const key = headerValue(d.idempotencyKey);
  headers[IDEMPOTENCY_KEY_HEADER] = key;
  // Standard Webhooks: webhook-id is the idempotency key, the same on every retry.
  if (opts.signingKeys.length > 0) Object.assign(headers, signWebhook(opts.signingKeys, key, body));
  return { headers, body, mode: used };
}

/**
 * A per-event value in a batch request: sent once when every event has the same value,
 * otherwise a comma-separated list with one entry per event in body order (commas inside a
 * value are percent-encoded so the list splits cleanly).
 */
function listValue(values: readonly string[]): string {
  const encoded = values.map((v) => headerValue(v).replace(/,/g, '%2C'));
  return encoded.every((v) => v === encoded[0]) ? (encoded[0] ?? '') : encoded.join(',');
}

/**
 * All events in one request (HTTP-M13), only when the route asked for it (HTTP-M14). `traceparent`
 * can hold one value only (W3C), so a batch request continues the first event's hop trace. The
 * signature id is a hash of the events' keys: stable while the batch is the same.
 */
export function encodeBatch(batch: readonly Delivery[], opts: WireOptions): WireRequest {
  const msg = encodeHttpBatch(batch.map((d) => d.event));
  const body = msg.body ?? new Uint8Array(0);
  const headers: Record<string, string> = { ...opts.staticHeaders, ...msg.headers };
  const names = new Set(batch.flatMap((d) => Object.keys(d.lineage)));
  for (const name of names) {
    const values = batch.map((d) => d.lineage[name] ?? '');
    headers[name] = name === 'traceparent' ? headerValue(values.find((v) => v !== '') ?? '') : listValue(values);
  }
  if (headers['traceparent'] === '') delete headers['traceparent'];
  const keys = batch.map((d) => d.idempotencyKey);
  headers[IDEMPOTENCY_KEY_HEADER] = listValue(keys);
  if (opts.signingKeys.length > 0) {
    const id =
      keys.length === 1 ? headerValue(keys[0] as string) : `batch_${createHash('sha256').update(keys.join('\n')).digest('base64url')}`;
    Object.assign(headers, signWebhook(opts.signingKeys, id, body));
  }
  return { headers, body, mode: 'batch' };
}
