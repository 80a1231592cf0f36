import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommitTracker } from '../../../src/deliver/index.js';

/** Increasing offsets with gaps (compacted topics), completed in any order, commits polled in between. */
const scenario = fc
  .tuple(fc.nat(1_000), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 200 }))
  .chain(([start, gaps]) => {
    const offsets: number[] = [];
    let o = start;
    for (const g of gaps) (offsets.push((o += g - 1)), o++);
    return fc.tuple(
      fc.constant(start),
      fc.constant(offsets),
      fc.shuffledSubarray(offsets, { minLength: 0, maxLength: offsets.length }),
      fc.infiniteStream(fc.boolean()),
    );
  });

describe('CommitTracker (at-least-once: DESIGN §6)', () => {
  it('never commits past an incomplete offset, never goes back, and commits everything once all completed', () => {
    fc.assert(
      fc.property(scenario, ([start, offsets, completionOrder, interleave]) => {
        const t = new CommitTracker(start);
        const done = new Set<number>();
        let tracked = 0;
        let last = t.committable();
        const bools = interleave[Symbol.iterator]();
        const check = (): void => {
          const c = t.committable();
          expect(c).toBeGreaterThanOrEqual(last);
          last = c;
          for (const o of offsets.slice(0, tracked)) if (!done.has(o)) expect(c).toBeLessThanOrEqual(o);
          // Everything below the committable position is complete.
          for (const o of offsets.slice(0, tracked)) if (o < c) expect(done.has(o)).toBe(true);
        };
        const queue = [...completionOrder];
        while (tracked < offsets.length || queue.length > 0) {
          const trackNext =
            tracked < offsets.length && (queue.length === 0 || bools.next().value || !offsets.slice(0, tracked).includes(queue[0]!));
          if (trackNext) t.track(offsets[tracked++]!);
          else {
            const o = queue.shift()!;
            t.complete(o);
            done.add(o);
          }
          check();
        }
        const all = offsets.every((o) => done.has(o));
        if (all) expect(t.committable()).toBe(offsets[offsets.length - 1]! + 1);
        else expect(t.committable()).toBe(Math.min(...offsets.filter((o) => !done.has(o))));
        expect(t.incomplete).toBe(offsets.filter((o) => !done.has(o)).length);
      }),
    );
  });

  it('starts at its start position; completing twice or an unknown offset changes nothing', () => {
    const t = new CommitTracker(10);
    expect(t.committable()).toBe(10);
    t.track(10);
    t.track(11);
    t.complete(11);
    t.complete(11);
    t.complete(99);
    expect(t.committable()).toBe(10);
    t.complete(10);
    expect(t.committable()).toBe(12);
    expect(() => t.track(5)).toThrow(RangeError);
  });
});
