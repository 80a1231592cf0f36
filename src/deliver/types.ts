/**
 * What the delivery engine needs to know about a route (DESIGN §5–6). app/ adapts the route
 * loader's CompiledRoute to this shape: stages never import each other (DESIGN §9).
 */
import type { CloudEvent, Fact, Target } from '../core/index.js';

export type Ordering = 'key' | 'partition' | 'none';
export type BackoffPolicy = 'exponential' | 'linear';

export interface BatchPolicy {
  /** Events per batch; the target's own limit wins when smaller. */
  readonly maxEvents: number;
  /** Bytes per batch (sum of `Delivery.bytes`); the target's own limit wins when smaller. */
  readonly maxBytes: number;
  /** How long a ready event waits for companions before a partial batch goes out. */
  readonly maxWaitMs: number;
}

export interface RateLimitPolicy {
  /** Events sent to the target per second (retries included: they hit the target too). */
  readonly perSecond: number;
  /** Bucket size; default: one second's worth (at least 1). */
  readonly burst?: number;
}

export interface DeliveryPolicy {
  readonly ordering: Ordering;
  /** In-flight batches per route. */
  readonly concurrency: number;
  readonly batch: BatchPolicy;
  /** Retries after the first attempt: at most `retry + 1` attempts, then the dead letter topic. */
  readonly retry: number;
  readonly backoffPolicy: BackoffPolicy;
  readonly backoffDelayMs: number;
  readonly backoffMaxMs: number;
  /** Per `Target.send` call. */
  readonly timeoutMs: number;
  readonly rateLimit?: RateLimitPolicy;
  /** Usually `causeway.dlq.<route id>`. */
  readonly deadLetterTopic: string;
  /** A fact whose `causeway-hops` is already at this value is dead-lettered (CW_HOP_LIMIT): loop stop. */
  readonly maxHops: number;
  /** A disabled route is known (status) but reads nothing. */
  readonly enabled: boolean;
}

export interface DispatchRoute {
  readonly id: string;
  /** Fact topics this route reads. */
  readonly from: readonly string[];
  /** The route's `when:` filters. Should not throw; a throw counts as no match (and is logged). */
  matches(event: CloudEvent, fact: Fact): boolean;
  /** Owned by the dispatcher from start: closed when the route is removed, changed or stopped. */
  readonly target: Target;
  /** Target kind (`http`, `kafka`, ...), for metrics labels and `causewayerrortarget`. */
  readonly targetKind: string;
  readonly delivery: DeliveryPolicy;
}

/** A hot reload (route files changed): unchanged routes are not listed and keep running. */
export interface RouteDiff {
  readonly added: readonly DispatchRoute[];
  /** Ids of routes to stop. */
  readonly removed: readonly string[];
  /** Same id, new definition: the old one stops (committing what completed), the new one resumes from there. */
  readonly changed: readonly DispatchRoute[];
}

export type RouteState = 'starting' | 'running' | 'stopping' | 'stopped' | 'disabled' | 'off';

export interface PartitionStatus {
  readonly topic: string;
  readonly partition: number;
  /** Next offset the reader will read. */
  readonly next: number;
  /** Last committed next-offset for the route's group (null: nothing committed yet). */
  readonly committed: number | null;
  /** The partition's high watermark (when the log answered). */
  readonly high: number | null;
  /** high − committed (facts not yet delivered or dead-lettered for sure). */
  readonly lag: number | null;
}

export interface RouteStatus {
  readonly id: string;
  readonly group: string;
  readonly state: RouteState;
  /** Why the route was disabled (the target said it is gone). */
  readonly disabledReason?: string;
  readonly partitions: readonly PartitionStatus[];
  /** Events read and not yet done (queued, in flight, backing off, being dead-lettered). */
  readonly buffered: number;
  /** Events inside `Target.send` calls right now. */
  readonly inFlight: number;
  readonly delivered: number;
  readonly deadLettered: number;
  readonly retried: number;
  /** Facts that did not match the route's filters (completed without delivery). */
  readonly skipped: number;
}

/** The consumer group of a route (DESIGN §5): routes never hold each other up and replay alone. */
export const routeGroup = (routeId: string): string => `causeway.route.${routeId}`;
/** The default dead letter topic of a route (DESIGN §6). */
export const defaultDeadLetterTopic = (routeId: string): string => `causeway.dlq.${routeId}`;
