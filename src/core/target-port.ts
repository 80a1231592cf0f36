import { createHash } from 'node:crypto';
import type { CloudEvent } from './cloud-event.js';
import type { Fact } from './fact.js';

/**
 * The delivery plug-in interface (DESIGN §6). Targets classify failures; only the delivery
 * engine waits and retries. Every target passes test/contract/target.contract.ts.
 */
export interface Delivery {
  /** The stored fact being delivered. */
  readonly fact: Fact;
  /** The fact decoded as a CloudEvent (attributes + data bytes as received). */
  readonly event: CloudEvent;
  /**
   * Lineage for this hop (DESIGN §7): `traceparent` (child of the fact's), `causeway-fact`
   * (topic/partition/offset), `causeway-route`, `causeway-attempt`, `causeway-hops`.
   */
  readonly lineage: Readonly<Record<string, string>>;
  /** Stable across retries and redeliveries: the event's source + id, made by `idempotencyKeyOf`. */
  readonly idempotencyKey: string;
  /**
   * Deliveries of one batch with the same ordering key reach the target in batch order: a target
   * that sends the items of a batch in parallel sends same-key items one after another and does
   * not send the rest of a key's items once one of them gets a `retry` outcome. When absent, the
   * fact's record key (hex) is used; a null record key means no constraint. For `ordering:
   * partition` give every delivery of a partition the same value; for `none`, a unique one.
   */
  readonly orderingKey?: string;
  /** Size of the event on the wire estimate (data + attributes), for batching by bytes. */
  readonly bytes: number;
}

export type ItemOutcome =
  | { readonly status: 'delivered' }
  /** Retriable failure: the engine backs off (at least `retryAfterMs` when given) and tries again. */
  | { readonly status: 'retry'; readonly code: string; readonly message: string; readonly retryAfterMs?: number }
  /** Non-retriable: straight to the dead letter topic with this reason. */
  | { readonly status: 'reject'; readonly code: string; readonly message: string };

export interface BatchOutcome {
  /** One outcome per delivery, in the order of the batch (partial batch failures, DESIGN §6). */
  readonly items: readonly ItemOutcome[];
  /** The target said it is gone for good (HTTP 410, HOOK-S1): the engine disables the route and alerts. */
  readonly disableRoute?: { readonly reason: string };
}

export interface TargetLimits {
  readonly maxBatchEvents: number;
  readonly maxBatchBytes: number;
  /** A single event above this goes to the DLQ with CW_TARGET_PAYLOAD_TOO_LARGE. */
  readonly maxEventBytes: number;
}

/**
 * Reports one item's outcome before the whole batch is done. Optional for targets; one that
 * completes items independently (e.g. one HTTP request per event) should call it as each item
 * finishes, so a slow item holds up only its own ordering key and not its batch companions (the
 * engine completes reported items at once). The final BatchOutcome must still list every item;
 * for a reported item the reported outcome is the one that counts.
 */
export type ItemProgress = (index: number, outcome: ItemOutcome) => void;

export interface Target {
  readonly limits: TargetLimits;
  /** Must not throw for delivery failures: classify them per item. Must honour `signal` (timeout/shutdown). */
  send(batch: readonly Delivery[], signal: AbortSignal, progress?: ItemProgress): Promise<BatchOutcome>;
  close(): Promise<void>;
}

export interface TargetDeps {
  /** Environment for secrets referenced by name in route files (e.g. a signing secret); main.ts passes it in. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Kafka brokers of the deployment, for the kafka target's default cluster. */
  readonly kafkaBrokers: readonly string[];
}

export interface TargetPlugin<C = unknown> {
  /** The key under `to:` in a route, e.g. `http`, `kafka`, `lambda`, `eventbridge`. */
  readonly kind: string;
  /** JSON Schema (2020-12) of the `to.<kind>` object, used to validate route files. */
  readonly configSchema: object;
  /**
   * Cheap and synchronous: connections are made on first use. Throws CausewayError
   * CW_ROUTE_INVALID when the config cannot work (a bad URL, a secret missing from `deps.env`).
   */
  create(config: C, deps: TargetDeps): Target;
}

/**
 * The idempotency key of an event (DESIGN §6): base64url SHA-256 of `JSON.stringify([source, id])`.
 * Hashed so it is short, fixed-length, safe in any header and free of `.` (Standard Webhooks
 * requires that of `webhook-id`); the JSON array keeps (`a/b`, `c`) and (`a`, `b/c`) apart.
 */
export function idempotencyKeyOf(source: string, id: string): string {
  return createHash('sha256').update(JSON.stringify([source, id])).digest('base64url');
}
