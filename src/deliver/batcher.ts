/**
 * Batching rules (DESIGN §6: "batching to each target's limits"): a batch holds at most
 * min(route, target) events and bytes, except that a single event always makes a batch on its own
 * (events above the target's per-event limit never get here: they are dead-lettered first).
 */
import type { TargetLimits } from '../core/index.js';
import type { BatchPolicy } from './types.js';

export interface BatchLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/** The route's batch policy narrowed by the target's limits. */
export function batchLimits(route: Pick<BatchPolicy, 'maxEvents' | 'maxBytes'>, target: TargetLimits): BatchLimits {
  return {
    maxEvents: Math.max(1, Math.floor(Math.min(route.maxEvents, target.maxBatchEvents))),
    maxBytes: Math.max(1, Math.min(route.maxBytes, target.maxBatchBytes)),
  };
}

/** Collects items while they fit; `add` answers false for the first one that does not. */
export class BatchBuilder<T extends { readonly bytes: number }> {
  readonly items: T[] = [];
  bytes = 0;

  constructor(readonly limits: BatchLimits) {}

  fits(item: T): boolean {
    if (this.items.length === 0) return true;
    return this.items.length < this.limits.maxEvents && this.bytes + item.bytes <= this.limits.maxBytes;
  }

  add(item: T): boolean {
    if (!this.fits(item)) return false;
    this.items.push(item);
    this.bytes += item.bytes;
    return true;
  }

  get full(): boolean {
    return this.items.length >= this.limits.maxEvents || this.bytes >= this.limits.maxBytes;
  }
}

/** Splits a sequence into consecutive batches within `limits` (order kept). */
export function planBatches<T extends { readonly bytes: number }>(items: readonly T[], limits: BatchLimits): T[][] {
  const out: T[][] = [];
  let b = new BatchBuilder<T>(limits);
  for (const item of items) {
    if (!b.add(item)) {
      out.push(b.items);
      b = new BatchBuilder<T>(limits);
      b.add(item);
    }
  }
  if (b.items.length > 0) out.push(b.items);
  return out;
}

/**
 * When a batch should go out: it is full, or its oldest ready event has waited `maxWaitMs`, or the
 * caller forces it (draining, retries whose backoff is over).
 */
export function batchDue(opts: {
  full: boolean;
  oldestReadyAt: number | undefined;
  now: number;
  maxWaitMs: number;
  force?: boolean;
}): boolean {
  if (opts.oldestReadyAt === undefined) return false;
  return opts.full || opts.force === true || opts.now - opts.oldestReadyAt >= opts.maxWaitMs;
}
