/** The compiled form of routes/*.yaml: what the delivery engine, the CLI and /admin/routes use. */
import type { ErrorItem } from '../core/index.js';
import type { CompiledFilter } from './filters/index.js';

export type Ordering = 'key' | 'partition' | 'none';
export type BackoffPolicy = 'exponential' | 'linear';

/**
 * Delivery settings with every default applied. Durations are milliseconds (fields renamed with
 * an `Ms` suffix: `timeout: 10s` → `timeoutMs: 10000`), sizes bytes; the shape matches the
 * delivery engine's DeliveryPolicy minus `enabled`, which is route-level here.
 */
export interface DeliveryOptions {
  readonly ordering: Ordering;
  /** In-flight batches per route (≥ 1). */
  readonly concurrency: number;
  readonly batch: {
    readonly maxEvents: number;
    /** Bytes. */
    readonly maxBytes: number;
    /** `maxWait`: milliseconds a ready event waits for companions; 0 sends at once. */
    readonly maxWaitMs: number;
  };
  /** Retries after the first attempt (0 = one attempt only). */
  readonly retry: number;
  readonly backoffPolicy: BackoffPolicy;
  /** `backoffDelay`: first backoff (exponential) or step (linear). */
  readonly backoffDelayMs: number;
  /** `backoffMax`: cap of a single backoff (≥ backoffDelayMs). */
  readonly backoffMaxMs: number;
  /** `timeout`: per attempt (> 0). */
  readonly timeoutMs: number;
  /** Absent: no rate limit. `burst` defaults to ceil(perSecond). */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number };
  /** `deadLetter.topic`, default `causeway.dlq.<route id>`. */
  readonly deadLetterTopic: string;
  readonly maxHops: number;
}

export interface CompiledRoute {
  readonly id: string;
  /** The file that defines the route, as `join(dir, name)`, and the line of its `- id:` item. */
  readonly file: string;
  readonly line: number;
  readonly description: string | undefined;
  /** Fact topics, in file order, without duplicates. */
  readonly from: readonly string[];
  /** The `when` filters as written (for display); `filter` is their compiled AND. */
  readonly when: readonly unknown[];
  readonly filter: CompiledFilter;
  /** `to: { <kind>: <config> }`; config is validated by the plug-in's configSchema, not defaulted. */
  readonly target: { readonly kind: string; readonly config: Readonly<Record<string, unknown>> };
  readonly delivery: DeliveryOptions;
  readonly enabled: boolean;
  /**
   * SHA-256 (hex) of the normalized behaviour: id, from, when, target, delivery, enabled. Not the
   * file, line or description, so moving a route between files or rewording it is not a change.
   */
  readonly fingerprint: string;
}

export interface RouteSet {
  /** In file-name order, then file order. */
  readonly routes: readonly CompiledRoute[];
  readonly byId: ReadonlyMap<string, CompiledRoute>;
  readonly loadedAt: Date;
  /** Rule files read (cases files excluded), sorted. */
  readonly files: readonly string[];
}

/**
 * One problem in a rule or cases file. `path` reads `<file>:<line> route <id> <field>` (see
 * formatProblemPath), so CausewayError.errors print as a compiler would print them.
 */
export interface RouteProblem extends ErrorItem {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** The route's id, or `routes[<i>]` when it has no usable id; absent for file-level problems. */
  readonly route?: string;
  /** Field path relative to the route (`to.http.url`, `when[1].sql`), or to the file root. */
  readonly field: string;
}

/** What a reload changed: routes by id; `changed` when the fingerprint differs. */
export interface RouteDiff {
  readonly added: readonly CompiledRoute[];
  readonly removed: readonly CompiledRoute[];
  readonly changed: readonly { readonly before: CompiledRoute; readonly after: CompiledRoute }[];
  /** Same fingerprint; the entries are the new set's objects (descriptions or files may differ). */
  readonly unchanged: readonly CompiledRoute[];
}
