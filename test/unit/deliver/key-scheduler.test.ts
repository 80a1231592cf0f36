import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchBuilder, KeyScheduler, laneOf, type Ordering } from '../../../src/deliver/index.js';

interface It {
  readonly seq: number;
  readonly lane: string | undefined;
  readonly bytes: number;
  readonly solo?: boolean;
}

const ops = fc.array(
  fc.record({
    op: fc.constantFrom('enq', 'enq', 'enq', 'take', 'done', 'done', 'requeue'),
    a: fc.nat(),
    b: fc.nat(),
    c: fc.integer({ min: 1, max: 400 }),
  }),
  { maxLength: 300 },
);
const limits = fc.record({ maxEvents: fc.integer({ min: 1, max: 8 }), maxBytes: fc.integer({ min: 1, max: 1_500 }) });

type Cmd = { op: string; a: number; b: number; c: number };

/**
 * A model-based run: enqueue, take, complete and requeue (retry) in any interleaving, checking
 * after every take the ordering rules of DESIGN §6, and at the end that nothing is lost.
 */
function run(ordering: Ordering, commands: readonly Cmd[], l: { maxEvents: number; maxBytes: number }, lanes: number): void {
  const s = KeyScheduler.forOrdering<It>(ordering);
  const perLane = ordering === 'partition' ? Infinity : 1;
  let seq = 0;
  const enqueued: It[] = [];
  const inFlight = new Set<It>();
  const done = new Set<It>();
  const batches: It[][] = [];
  const pendingOf = (lane: string): It[] => enqueued.filter((x) => x.lane === lane && !done.has(x) && !inFlight.has(x));

  const take = (): It[] => {
    const b = new BatchBuilder<It>(l);
    const before = new Set(inFlight);
    const lowest = new Map<string, It[]>();
    for (const x of enqueued) if (x.lane !== undefined && !lowest.has(x.lane)) lowest.set(x.lane, pendingOf(x.lane));
    const got = s.take(b);
    expect(got).toEqual(b.items);
    if (got.length > 1) expect(got.reduce((n, x) => n + x.bytes, 0)).toBeLessThanOrEqual(l.maxBytes);
    expect(got.length).toBeLessThanOrEqual(l.maxEvents);
    if (got.some((x) => x.solo === true)) expect(got).toHaveLength(1);
    const byLane = new Map<string, It[]>();
    for (const x of got) {
      expect(inFlight.has(x) || done.has(x)).toBe(false);
      if (x.lane !== undefined) byLane.set(x.lane, [...(byLane.get(x.lane) ?? []), x]);
      inFlight.add(x);
    }
    for (const [lane, xs] of byLane) {
      // One batch in flight per lane; key lanes send one event at a time.
      expect([...before].some((x) => x.lane === lane)).toBe(false);
      expect(xs.length).toBeLessThanOrEqual(perLane);
      // A lane always sends its oldest pending events, in order (requeued retries included).
      expect(xs).toEqual(lowest.get(lane)!.slice(0, xs.length));
    }
    if (got.length > 0) batches.push(got);
    return got;
  };

  for (const c of commands) {
    const flying = [...inFlight];
    if (c.op === 'enq') {
      const laneNo = c.a % (lanes + 1);
      const x: It = {
        seq: seq++,
        lane: ordering === 'none' || laneNo === lanes ? undefined : `L${laneNo}`,
        bytes: c.c,
        solo: c.b % 7 === 0,
      };
      enqueued.push(x);
      s.enqueue(x, seq);
    } else if (c.op === 'take') take();
    else if (c.op === 'done' && flying.length > 0) {
      const x = flying[c.a % flying.length]!;
      inFlight.delete(x);
      done.add(x);
      s.done(x, seq);
    } else if (c.op === 'requeue' && batches.length > 0) {
      // Some failed items of one batch come back (the pump requeues them per lane, in order).
      const batch = batches[c.a % batches.length]!.filter((x) => inFlight.has(x));
      const failed = batch.filter((_, i) => ((c.b >> i) & 1) === 1);
      for (const x of failed) inFlight.delete(x);
      if (failed.length > 0) s.requeue(failed);
    }
    expect(s.queued).toBe(enqueued.length - inFlight.size - done.size);
  }
  // Liveness: completing whatever is in flight and taking again drains everything.
  for (let guard = 0; done.size < enqueued.length; guard++) {
    expect(guard).toBeLessThan(10_000);
    for (const x of [...inFlight]) {
      inFlight.delete(x);
      done.add(x);
      s.done(x, seq);
    }
    take();
  }
  expect(s.queued).toBe(0);
  expect(s.hasReady()).toBe(false);
  expect(s.laneCount).toBe(0);
}

describe('KeyScheduler (DESIGN §6 ordering)', () => {
  for (const ordering of ['key', 'partition', 'none'] as const) {
    it(`${ordering}: lanes send their oldest events in order, one batch each, within limits; nothing is lost`, () => {
      fc.assert(
        fc.property(ops, limits, fc.integer({ min: 1, max: 5 }), (commands, l, lanes) => run(ordering, commands, l, lanes)),
        { numRuns: 200 },
      );
    });
  }

  it('key: different keys share a batch, a busy key does not hold others up', () => {
    const s = KeyScheduler.forOrdering<It>('key');
    const a1 = { seq: 1, lane: 'a', bytes: 1 };
    const a2 = { seq: 2, lane: 'a', bytes: 1 };
    const b1 = { seq: 3, lane: 'b', bytes: 1 };
    const b2 = { seq: 4, lane: 'b', bytes: 1 };
    for (const x of [a1, a2, b1, b2]) s.enqueue(x, 0);
    expect(s.take(new BatchBuilder<It>({ maxEvents: 10, maxBytes: 100 }))).toEqual([a1, b1]);
    s.done(b1, 1);
    // a1 is still in flight (say, backing off): b2 goes anyway, a2 waits.
    expect(s.take(new BatchBuilder<It>({ maxEvents: 10, maxBytes: 100 }))).toEqual([b2]);
    s.requeue([a1]);
    expect(s.take(new BatchBuilder<It>({ maxEvents: 10, maxBytes: 100 }))).toEqual([a1]);
    s.done(a1, 2);
    expect(s.take(new BatchBuilder<It>({ maxEvents: 10, maxBytes: 100 }))).toEqual([a2]);
  });

  it('wouldFill tells whether a take would fill a batch', () => {
    const s = KeyScheduler.forOrdering<It>('partition');
    for (let i = 0; i < 3; i++) s.enqueue({ seq: i, lane: 'p', bytes: 10 }, 0);
    expect(s.wouldFill({ maxEvents: 4, maxBytes: 100 })).toBe(false);
    expect(s.wouldFill({ maxEvents: 3, maxBytes: 100 })).toBe(true);
    expect(s.wouldFill({ maxEvents: 10, maxBytes: 25 })).toBe(true);
  });

  it('laneOf: key lanes are per partition and key; keyless events are unordered', () => {
    const f = { topic: 't', partition: 2, key: new Uint8Array([1, 255]) };
    expect(laneOf('key', f)).toBe('t/2/01ff');
    expect(laneOf('key', { ...f, key: null })).toBeUndefined();
    expect(laneOf('partition', f)).toBe('t/2');
    expect(laneOf('none', f)).toBeUndefined();
  });
});
