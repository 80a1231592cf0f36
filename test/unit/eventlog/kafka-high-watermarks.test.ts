/** waitFor's polling for the Kafka log (src/eventlog/kafka/high-watermarks.ts), against a fake ListOffsets. */
import { describe, expect, it } from 'vitest';
import { HighWatermarks, MAX_POLL_MS, MIN_POLL_MS } from '../../../src/eventlog/kafka/high-watermarks.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A fake broker: per-topic high watermarks, and the times it was asked. */
function fakeBroker() {
  const highs = new Map<string, Map<number, number>>();
  const calls: number[] = [];
  let failing = false;
  return {
    calls,
    set: (topic: string, partition: number, high: number) => {
      if (!highs.has(topic)) highs.set(topic, new Map());
      highs.get(topic)!.set(partition, high);
    },
    fail: (v: boolean) => (failing = v),
    fetch: async (topic: string) => {
      calls.push(performance.now());
      if (failing) throw new Error('broker down');
      return new Map(highs.get(topic) ?? []);
    },
  };
}

describe('HighWatermarks', () => {
  it('resolves true once a poll shows the offset, and only for its partition', async () => {
    const b = fakeBroker();
    const hw = new HighWatermarks(b.fetch);
    b.set('t', 0, 1);
    const p1 = hw.wait('t', 1, 0, 5_000);
    const p0 = hw.wait('t', 0, 0, 5_000);
    expect(await p0).toBe(true);
    let done = false;
    void p1.then(() => (done = true));
    await sleep(150);
    expect(done).toBe(false);
    b.set('t', 1, 1);
    expect(await p1).toBe(true);
    hw.close();
  });

  it('shares one polling loop per topic among all its waiters, backing off while nothing changes', async () => {
    const b = fakeBroker();
    const hw = new HighWatermarks(b.fetch);
    const waits = Array.from({ length: 20 }, (_, i) => hw.wait('t', i % 3, 10, 1_200));
    expect(await Promise.all(waits)).toEqual(Array(20).fill(false));
    // 1.2 s of 50→100→200→400→500 ms gaps is about 6 polls, whatever the number of waiters.
    expect(b.calls.length).toBeGreaterThanOrEqual(4);
    expect(b.calls.length).toBeLessThanOrEqual(8);
    const gaps = b.calls.slice(1).map((t, i) => t - b.calls[i]!);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(Math.min(gaps[i - 1]!, MAX_POLL_MS) - 20);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(MIN_POLL_MS - 10);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(MAX_POLL_MS + 250); // slack for a busy machine
    hw.close();
  });

  it('is woken at once by observe() (our own appends), without waiting for a poll', async () => {
    const b = fakeBroker();
    const hw = new HighWatermarks(b.fetch);
    const waiting = hw.wait('t', 2, 4, 10_000);
    await sleep(120); // the loop has backed off past its first polls
    const t0 = performance.now();
    hw.observe('t', 2, 4);
    hw.observe('t', 2, 5);
    expect(await waiting).toBe(true);
    expect(performance.now() - t0).toBeLessThan(20);
    // Known high watermarks answer later waits without asking the broker.
    const asked = b.calls.length;
    expect(await hw.wait('t', 2, 3, 10_000)).toBe(true);
    expect(b.calls.length).toBe(asked);
    hw.close();
  });

  it('keeps waiting through broker errors and resolves false at the timeout', async () => {
    const b = fakeBroker();
    b.fail(true);
    const hw = new HighWatermarks(b.fetch);
    const t0 = performance.now();
    expect(await hw.wait('t', 0, 0, 300)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(b.calls.length).toBeGreaterThan(1);
    hw.close();
  });

  it('resolves false on abort, at once for an aborted signal, and for everyone on close', async () => {
    const b = fakeBroker();
    const hw = new HighWatermarks(b.fetch);
    expect(await hw.wait('t', 0, 0, 10_000, AbortSignal.abort())).toBe(false);
    const ac = new AbortController();
    const aborted = hw.wait('t', 0, 0, 10_000, ac.signal);
    setTimeout(() => ac.abort(), 50);
    expect(await aborted).toBe(false);
    const pending = [hw.wait('t', 0, 0, 10_000), hw.wait('u', 1, 7, 10_000)];
    hw.close();
    expect(await Promise.all(pending)).toEqual([false, false]);
    expect(await hw.wait('t', 0, 0, 10_000)).toBe(false);
    // No polling after close.
    const n = b.calls.length;
    await sleep(150);
    expect(b.calls.length).toBe(n);
  });
});
