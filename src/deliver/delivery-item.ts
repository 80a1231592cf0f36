/**
 * From a fact to something the engine can schedule, and from that to the `Delivery` a target
 * gets on each attempt (lineage headers of DESIGN §7).
 */
import { CausewayError, idempotencyKeyOf, type CloudEvent, type Delivery, type ErrorCode, type Fact } from '../core/index.js';
import { decodeKafka } from '../codec/index.js';
import { LINEAGE, childOf, formatTraceparent, newTrace, parseTraceparent, type TraceContext } from '../lineage/index.js';
import { laneOf, type Schedulable } from './key-scheduler.js';
import type { DispatchRoute } from './types.js';

export interface ItemError {
  readonly code: string;
  readonly message: string;
}

export interface DeliveryItem extends Schedulable {
  readonly fact: Fact;
  readonly event: CloudEvent;
  readonly idempotencyKey: string;
  /** `causeway-hops` of the fact (0 when absent). */
  readonly hops: number;
  /** The fact's hop span: every attempt is a child of it. */
  readonly parent: TraceContext | undefined;
  /** Attempts made so far. */
  attempts: number;
  /** The last retriable failure, reported when retries run out. */
  lastError: ItemError | undefined;
  /** Send alone next time (its last call timed out: it may be the slow one). */
  solo: boolean;
}

export type Prepared =
  | { readonly kind: 'deliver'; readonly item: DeliveryItem }
  | { readonly kind: 'skip'; readonly filterError?: string }
  | { readonly kind: 'dead-letter'; readonly error: { readonly code: ErrorCode; readonly message: string } };

/** Estimated size on the wire: data plus attribute names and values (UTF-8). */
export function eventBytes(ev: CloudEvent): number {
  let n = ev.data?.byteLength ?? 0;
  for (const [k, v] of Object.entries(ev.attributes)) n += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  return n;
}

/** `causeway-hops` as stored on the fact; anything unparsable counts as 0. */
export function incomingHops(fact: Fact): number {
  const raw = fact.headers[LINEAGE.hops];
  const n = raw === undefined ? 0 : Number.parseInt(raw, 10);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * Decode → filter → hop limit → size. Facts that cannot be decoded are dead-lettered with the
 * codec's code (nothing is silently dropped, DESIGN §10.10); a fact whose hops already reached
 * `maxHops` is dead-lettered with CW_HOP_LIMIT (DESIGN §7: this is what stops routing loops).
 */
export function prepareFact(fact: Fact, route: DispatchRoute): Prepared {
  let event: CloudEvent;
  try {
    event = decodeKafka(Object.entries(fact.headers), fact.value, fact.key);
  } catch (e) {
    const err = e instanceof CausewayError ? e : undefined;
    return {
      kind: 'dead-letter',
      error: { code: err?.code ?? 'CW_INTERNAL', message: `fact does not decode as a CloudEvent: ${(e as Error).message}` },
    };
  }
  try {
    if (!route.matches(event, fact)) return { kind: 'skip' };
  } catch (e) {
    return { kind: 'skip', filterError: (e as Error).message };
  }
  const hops = incomingHops(fact);
  if (hops >= route.delivery.maxHops) {
    return {
      kind: 'dead-letter',
      error: { code: 'CW_HOP_LIMIT', message: `causeway-hops ${hops} reached the route's limit ${route.delivery.maxHops} (routing loop?)` },
    };
  }
  const bytes = eventBytes(event);
  const max = route.target.limits.maxEventBytes;
  if (bytes > max) {
    return {
      kind: 'dead-letter',
      error: { code: 'CW_TARGET_PAYLOAD_TOO_LARGE', message: `event of ${bytes} bytes is above the target's ${max}-byte limit` },
    };
  }
  const tp = fact.headers[LINEAGE.traceparent];
  const attr = event.attributes.traceparent;
  return {
    kind: 'deliver',
    item: {
      fact,
      event,
      lane: laneOf(route.delivery.ordering, fact),
      bytes,
      idempotencyKey: idempotencyKeyOf(String(event.attributes.source), String(event.attributes.id)),
      hops,
      // The fact's header is the ingress hop's span; the attribute is the trace's start (EXT-TRACE-M3).
      parent: parseTraceparent(tp) ?? (typeof attr === 'string' ? parseTraceparent(attr) : undefined),
      attempts: 0,
      lastError: undefined,
      solo: false,
    },
  };
}

/** The `Delivery` for one attempt (1-based): a new span, child of the fact's, per attempt. */
export function toDelivery(item: DeliveryItem, routeId: string, attempt: number): Delivery {
  const { fact } = item;
  const span = item.parent === undefined ? newTrace() : childOf(item.parent);
  return {
    fact,
    event: item.event,
    idempotencyKey: item.idempotencyKey,
    // Same lane, same order key: the target keeps batch order among them (core/target-port.ts).
    orderingKey: item.lane ?? `${fact.topic}/${fact.partition}/${fact.offset}`,
    bytes: item.bytes,
    lineage: {
      [LINEAGE.traceparent]: formatTraceparent(span),
      [LINEAGE.fact]: `${fact.topic}/${fact.partition}/${fact.offset}`,
      [LINEAGE.route]: routeId,
      [LINEAGE.attempt]: String(attempt),
      [LINEAGE.hops]: String(item.hops + 1),
    },
  };
}
