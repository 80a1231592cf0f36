/**
 * An open-loop load generator: requests start on a fixed schedule (`rate` per second, evenly
 * spaced), whether or not earlier ones have been answered, and each latency is measured from the
 * request's scheduled start, so time spent waiting for a free connection (or for this process)
 * counts against the server (no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it gives each connection a quota per wall-clock second, which
 * the connection spends as fast as it can from the start of the second, then idles; 5,000/s
 * "offered" is a closed loop at full speed for most of every second. And it records latencies with
 * `recordValueWithExpectedInterval(latency, ceil(1 / rate))`, an expected interval of 1 ms whatever
 * the rate, which adds a synthetic sample for every millisecond of each response: a 30 ms answer
 * counts 30 times.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { LoadCase, Row } from './support.js';

export interface OpenLoopOptions {
  /** Requests per second, started evenly spaced. */
  readonly rate: number;
  readonly seconds: number;
  /** Keep-alive connections; a request finding all busy waits for one (and that wait is counted). */
  readonly connections: number;
  /** How long to wait for the answers still out when the schedule ends (default 10 s). */
  readonly drainMs?: number;
}

export interface OpenLoopResult extends Row {
  /** Requests the schedule asked for, and the ones answered 2xx / otherwise / not at all. */
  readonly scheduled: number;
  readonly unanswered: number;
  readonly maxMs: number;
  /** How far behind its own schedule this generator fell at worst (ms): large means the numbers are the generator's. */
  readonly maxLagMs: number;
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function openLoop(url: string, c: LoadCase, opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(url, { connections: opts.connections, pipelining: 1 });
  const total = Math.round(opts.rate * opts.seconds);
  const latencies = new Float64Array(total);
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let done = 0;
  let maxLagMs = 0;
  let unanswered = 0;
  let answered = 0;
  let failed = 0;
  const interval = 1000 / opts.rate;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let lastAnswer = start;

  const fire = (scheduled: number): void => {
    const r = c.build();
    const p = pool
      .request({ path: c.path, method: 'POST', headers: r.headers, body: r.body })
      .then(async (res) => {
        await res.body.dump();
        const now = performance.now();
        lastAnswer = now;
        if (res.statusCode >= 200 && res.statusCode < 300) latencies[ok++] = now - scheduled;
        else non2xx++;
      })
      .catch(() => {
        errors++;
      })
      .finally(() => {
        done++;
        inFlight.delete(p);
      });
    inFlight.add(p);
  };

  try {
    let sent = 0;
    while (sent < total) {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / interval) + 1);
      if (due > sent) maxLagMs = Math.max(maxLagMs, now - (start + sent * interval));
      for (; sent < due; sent++) fire(start + sent * interval);
      // Timers fire at ~1 ms granularity: the next batch is whatever fell due in the meantime.
      if (sent < total) await sleep(Math.max(0, start + sent * interval - performance.now()));
    }
    const deadline = sleep(opts.drainMs ?? 10_000).then(() => 'timeout' as const);
    while (inFlight.size > 0) if ((await Promise.race([Promise.all(inFlight), deadline])) === 'timeout') break;
    // Counted now: closing the pool below fails the requests still out, which are not errors of the server.
    unanswered = inFlight.size;
    answered = done;
    failed = errors;
  } finally {
    await pool.destroy();
  }

  const sorted = latencies.subarray(0, ok).sort();
  const elapsedS = (lastAnswer - start) / 1000;
  return {
    case: c.name,
    eventsPerSec: Math.round((ok * c.eventsPerRequest) / elapsedS),
    reqPerSec: Math.round(answered / elapsedS),
    p50: Math.round(quantile(sorted, 0.5) * 10) / 10,
    p99: Math.round(quantile(sorted, 0.99) * 10) / 10,
    maxMs: Math.round((sorted[sorted.length - 1] ?? NaN) * 10) / 10,
    errors: failed,
    non2xx,
    scheduled: total,
    unanswered,
    maxLagMs: Math.round(maxLagMs * 10) / 10,
  };
}
