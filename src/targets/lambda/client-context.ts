/**
 * The invocation's client context (Invoke API `ClientContext`, base64 JSON, "up to 3,583 bytes";
 * Lambda passes it to the function for synchronous invocations only). Its `custom` map carries
 * the lineage of the invocation's first event (DESIGN §7) plus how many events it holds:
 *
 *   {"custom":{"traceparent":"00-…","causeway-fact":"t/0/42","causeway-route":"r",
 *              "causeway-attempt":"1","causeway-hops":"1","causeway-events":"10"}}
 *
 * A trace context holds one parent (W3C), so the invocation continues the first event's hop
 * trace, as an HTTP batch request does; every event's own lineage is in the payload. When the
 * document would be too large (a very long route id or topic), only `traceparent` and
 * `causeway-route` are kept, and if even that does not fit, no client context is sent.
 */
import type { Delivery } from '../../core/index.js';

export function clientContextFor(batch: readonly Delivery[], maxBase64Bytes: number): string | undefined {
  const first = batch[0];
  if (first === undefined) return undefined;
  const full = { ...first.lineage, 'causeway-events': String(batch.length) };
  const small: Record<string, string> = {};
  for (const k of ['traceparent', 'causeway-route']) if (first.lineage[k] !== undefined) small[k] = first.lineage[k] as string;
  for (const custom of [full, small]) {
    const encoded = Buffer.from(JSON.stringify({ custom })).toString('base64');
    if (encoded.length <= maxBase64Bytes) return encoded;
  }
  return undefined;
}
