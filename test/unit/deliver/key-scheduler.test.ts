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
    op: fc.constantFrom('enq', 'enq', 'enq', 'take', 'done', 'done', 'end', 'fire'),
    a: fc.nat(),
    b: fc.nat(),
    c: fc.integer({ min: 1, max: 400 }),
  }),
  { maxLength: 300 },
);
const limits = fc.record({ maxEvents: fc.integer({ min: 1, max: 8 }), maxBytes: fc.integer({ min: 1, max: 1_500 }) });

type Cmd = { op: string; a: number; b: number; c: number };

/**
 * A model-based run: enqueue, take, complete and retry in any interleaving the delivery pump can
 * produce, checking after every take the ordering rules of DESIGN §6, and at the end that nothing is
 * lost. As in DeliveryPump: an item may be done early while its batch is out; when the batch ends, each
 * of its other items is either settled (done at once, or later once its dead letter is written) or
 * failed; a lane's failed items wait out one backoff together and come back in one `requeue` call.
 */
function run(ordering: Ordering, commands: readonly Cmd[], l: { maxEvents: number; maxBytes: number }, lanes: number): void {
  const s = KeyScheduler.forOrdering<It>(ordering);
  const perLane = ordering === 'partition' ? Infinity : 1;
  let seq = 0;
  const enqueued: It[] = [];
  // Taken, and neither done nor requeued: items of open batches, items of ended batches whose dead
  // letter is being written, and failed items backing off.
  const inFlight = new Set<It>();
  const done = new Set<It>();
  const open: It[][] = []; // batches out whose end has not come
  const backoff: It[][] = []; // of ended batches: failed, one group per lane, waiting to be requeued
  const backingOff = (x: It): boolean => backoff.some((g) => g.includes(x));
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
    if (got.length > 0) open.push(got);
    return got;
  };

  const requeue = (g: It[]): void => {
    for (const x of g) inFlight.delete(x);
    s.requeue(g);
  };

  for (const c of commands) {
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
    else if (c.op === 'done') {
      // Delivered or rejected early while its batch is out, or the dead letter of an ended batch written.
      const doable = [...inFlight].filter((x) => !backingOff(x));
      const x = doable[c.a % Math.max(1, doable.length)];
      if (x !== undefined) {
        inFlight.delete(x);
        done.add(x);
        s.done(x, seq);
      }
    } else if (c.op === 'end' && open.length > 0) {
      // The batch's answer: each item not done early failed (bit of b), is settled now (done), or is
      // being dead-lettered (stays in flight until a later `done`). Failed items back off per lane.
      const [batch] = open.splice(c.a % open.length, 1);
      const groups = new Map<string | It, It[]>();
      batch!
        .filter((x) => inFlight.has(x))
        .forEach((x, i) => {
          if (((c.b >> i) & 1) === 1) groups.set(x.lane ?? x, [...(groups.get(x.lane ?? x) ?? []), x]);
          else if (((c.c >> i) & 1) === 0) {
            inFlight.delete(x);
            done.add(x);
            s.done(x, seq);
          }
        });
      backoff.push(...groups.values());
    } else if (c.op === 'fire' && backoff.length > 0) requeue(backoff.splice(c.a % backoff.length, 1)[0]!);
    expect(s.queued).toBe(enqueued.length - inFlight.size - done.size);
  }
  // Liveness: completing whatever is in flight and taking again drains everything.
  for (let guard = 0; done.size < enqueued.length; guard++) {
    expect(guard).toBeLessThan(10_000);
    for (const g of backoff.splice(0)) requeue(g);
    for (const x of [...inFlight]) {
      inFlight.delete(x);
      done.add(x);
      s.done(x, seq);
    }
    open.length = 0;
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
        // ~0.4 ms a run; at 200 runs it missed a requeue that reverses a lane's retries in 2 of 3 tries.
        { numRuns: 1_000 },
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

  it('partition: retries come back in order, and the lane waits for a dead letter still being written', () => {
    const s = KeyScheduler.forOrdering<It>('partition');
    const [e0, e1, e2, e3] = [0, 1, 2, 3].map((seq) => ({ seq, lane: 'p', bytes: 1 }));
    for (const x of [e0!, e1!, e2!, e3!]) s.enqueue(x, 0);
    const limits = { maxEvents: 3, maxBytes: 100 };
    expect(s.take(new BatchBuilder<It>(limits))).toEqual([e0, e1, e2]);
    // The batch ends: e0 is rejected (its dead letter is being written), e1 and e2 back off and come back.
    s.requeue([e1!, e2!]);
    expect(s.queued).toBe(3);
    expect(s.hasReady()).toBe(false);
    expect(s.take(new BatchBuilder<It>(limits))).toEqual([]);
    s.done(e0!, 1);
    expect(s.take(new BatchBuilder<It>(limits))).toEqual([e1, e2, e3]);
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
