import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { openLoop, quantile } from '../../../bench/open-loop.js';
import type { LoadCase } from '../../../bench/support.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server that notes when each request arrived and answers it after `delayMs(arrivalMs)`. */
async function server(delayMs: (at: number) => number): Promise<{ url: string; arrivals: number[] }> {
  const arrivals: number[] = [];
  let t0: number | undefined;
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const at = performance.now() - (t0 ??= performance.now());
      arrivals.push(at);
      setTimeout(() => res.writeHead(202).end(), delayMs(at));
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, arrivals };
}

const ONE: LoadCase = { name: 'one', path: '/', eventsPerRequest: 1, build: () => ({ headers: {}, body: '{}' }) };

describe('openLoop (bench load generator)', () => {
  it('starts requests on its schedule, evenly spaced, not in bursts', async () => {
    const { url, arrivals } = await server(() => 0);
    const r = await openLoop(url, ONE, { rate: 400, seconds: 1, connections: 8 });
    expect([r.scheduled, r.non2xx, r.errors, r.unanswered]).toEqual([400, 0, 0, 0]);
    expect(arrivals).toHaveLength(400);
    // 400/s is 20 per 50 ms; a burst (a per-second quota spent at once) would put 400 in the first window
    const perWindow = new Map<number, number>();
    for (const a of arrivals) perWindow.set(Math.floor(a / 50), (perWindow.get(Math.floor(a / 50)) ?? 0) + 1);
    expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(40);
    expect(arrivals.at(-1)!).toBeGreaterThan(900);
  });

  it('counts the time a request waited behind a stalled server (no coordinated omission)', async () => {
    // Everything that arrives between 300 and 500 ms is answered at 500 ms: with 4 connections a
    // closed loop would see 4 slow answers; on a schedule, every request due in the stall is late.
    const { url } = await server((at) => (at >= 300 && at < 500 ? 500 - at : 0));
    const r = await openLoop(url, ONE, { rate: 400, seconds: 1, connections: 4 });
    expect(r.errors + r.non2xx + r.unanswered).toBe(0);
    expect(r.p50).toBeLessThan(20);
    expect(r.maxMs).toBeGreaterThanOrEqual(180);
    // ~80 of the 400 requests were due during the stall; their latencies fall from ~200 ms to 0
    expect(r.p99).toBeGreaterThanOrEqual(100);
  });

  it('quantile is the nearest rank', () => {
    const v = Float64Array.from([5, 1, 4, 2, 3]).sort();
    expect([quantile(v, 0), quantile(v, 0.5), quantile(v, 0.99), quantile(v, 1)]).toEqual([1, 3, 5, 5]);
    expect(quantile(new Float64Array(0), 0.5)).toBeNaN();
  });
});
