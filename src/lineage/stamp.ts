import type { AttributeValue, CloudEvent } from '../core/index.js';
import { childOf, formatTraceparent, newTrace, parseTraceparent, type TraceContext } from './traceparent.js';

export interface Caller {
  /** EXT-AUTH-M1 value: `unauthenticated` until auth exists. */
  readonly authtype: string;
  readonly authid?: string;
}

export interface Stamped {
  readonly event: CloudEvent;
  /** The ingress hop's own span: stored as the fact's `traceparent` header. */
  readonly hop: TraceContext;
}

/**
 * Lineage on the way in (DESIGN §7):
 * - `traceparent` attribute added when absent, continuing the inbound protocol trace when there is one
 *   (EXT-TRACE-N2); an existing attribute is the start of the trace and is never rewritten (EXT-TRACE-M3).
 * - `authtype`/`authid` come from the caller and are never trusted from the client (EXT-AUTH-M1).
 */
export function stampIngress(ev: CloudEvent, inboundTraceparent: string | undefined, caller: Caller): Stamped {
  // A copy without the client's authid, in the input's order: a rest copy rather than a spread
  // and `delete`, which turns the object into a slow dictionary for every later reader.
  const { authid: _untrusted, ...attrs }: Record<string, AttributeValue> = ev.attributes;
  const inbound = parseTraceparent(inboundTraceparent);
  const fromAttr = typeof attrs.traceparent === 'string' ? parseTraceparent(attrs.traceparent) : undefined;
  const parent = inbound ?? fromAttr;
  const hop = parent ? childOf(parent) : newTrace();
  if (attrs.traceparent === undefined) attrs.traceparent = formatTraceparent(hop);
  attrs.authtype = caller.authtype;
  if (caller.authid !== undefined) attrs.authid = caller.authid;
  return { event: { attributes: attrs, data: ev.data }, hop };
}
