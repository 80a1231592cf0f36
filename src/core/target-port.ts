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
  /** Stable across retries and redeliveries: the event's source + id. */
  readonly idempotencyKey: string;
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

export interface Target {
  readonly limits: TargetLimits;
  /** Must not throw for delivery failures: classify them per item. Must honour `signal` (timeout/shutdown). */
  send(batch: readonly Delivery[], signal: AbortSignal): Promise<BatchOutcome>;
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
  create(config: C, deps: TargetDeps): Target;
}
