/**
 * Hop lineage for transports without per-event headers (a Lambda `cloudevents` payload, an
 * EventBridge `detail: cloudevent`): the hop's lineage and the idempotency key travel as
 * CloudEvents extension attributes of the delivered copy (CORE-M15 names: lower-case letters and
 * digits only):
 *
 *   traceparent (hop) → causewaytraceparent   causeway-fact → causewayfact
 *   causeway-route → causewayroute           causeway-attempt → causewayattempt
 *   causeway-hops → causewayhops             idempotency key → causewayidempotency
 *
 * The event's own `traceparent` attribute (start of the trace, DESIGN §7) is never rewritten. An
 * event that already carries one of these names gets this hop's value: they are Causeway's.
 */
import type { AttributeValue, Delivery } from '../core/index.js';

/** Extension attribute carrying `Delivery.idempotencyKey` (19 characters: within CORE-S2's 20). */
export const IDEMPOTENCY_ATTRIBUTE = 'causewayidempotency';

/** `traceparent` → `causewaytraceparent`, `causeway-fact` → `causewayfact`: a lineage header as an attribute name. */
export function lineageAttribute(header: string): string {
  const bare = header.toLowerCase().replace(/[^a-z0-9]/g, '');
  return bare.startsWith('causeway') ? bare : `causeway${bare}`;
}

/** The event's own attributes, then this hop's lineage and idempotency key. */
export function withHopAttributes(d: Delivery): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = { ...d.event.attributes };
  for (const [name, value] of Object.entries(d.lineage)) attributes[lineageAttribute(name)] = value;
  attributes[IDEMPOTENCY_ATTRIBUTE] = d.idempotencyKey;
  return attributes;
}
