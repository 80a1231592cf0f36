/**
 * Retry delays (DESIGN §6): bounded exponential or linear backoff with jitter and a cap, and the
 * target's `Retry-After` as a floor. Pure: randomness is injected so the properties are testable.
 */
import type { BackoffPolicy } from './types.js';

/**
 * `full`: uniform in [0, d] (AWS "full jitter": spreads a thundering herd best, but may retry at
 * once); `equal`: uniform in [d/2, d] (keeps at least half the configured delay). Default `equal`:
 * operators who write `backoffDelay: 200ms` expect a pause, not sometimes none.
 */
export type Jitter = 'full' | 'equal' | 'none';

export interface BackoffOptions {
  readonly policy: BackoffPolicy;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly jitter: Jitter;
  /**
   * Ceiling on a target's Retry-After: a target answering `Retry-After: 86400` must not park a key
   * for a day (delivery never blocks forever); past this the cap applies and attempts still count.
   */
  readonly retryAfterCapMs: number;
}

export const DEFAULT_RETRY_AFTER_CAP_MS = 10 * 60_000;

/** The delay before the next attempt, without jitter: `retry` is 1 for the first retry. */
export function baseDelay(policy: BackoffPolicy, baseMs: number, maxMs: number, retry: number): number {
  const n = Math.max(1, Math.floor(retry));
  // 2^(n-1) overflows to Infinity long before n gets near Number limits; min() tames it.
  const raw = policy === 'exponential' ? baseMs * 2 ** Math.min(n - 1, 1023) : baseMs * n;
  return Math.max(0, Math.min(maxMs, raw));
}

/**
 * Milliseconds to wait before retry number `retry` (1-based). `random` returns values in [0, 1).
 * The result is an integer in [floor, max(cap, floor)] where floor = min(retryAfterMs, retryAfterCapMs).
 */
export function backoffDelay(opts: BackoffOptions, retry: number, random: () => number, retryAfterMs?: number): number {
  const d = baseDelay(opts.policy, opts.baseMs, opts.maxMs, retry);
  const r = Math.min(Math.max(random(), 0), 1);
  const jittered = opts.jitter === 'full' ? d * r : opts.jitter === 'equal' ? d / 2 + (d / 2) * r : d;
  const floor = retryAfterMs === undefined || !(retryAfterMs > 0) ? 0 : Math.min(retryAfterMs, opts.retryAfterCapMs);
  return Math.ceil(Math.max(jittered, floor));
}
