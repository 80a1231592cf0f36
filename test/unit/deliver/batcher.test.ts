import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchDue, batchLimits, planBatches } from '../../../src/deliver/index.js';

const items = fc.array(fc.record({ id: fc.nat(), bytes: fc.integer({ min: 0, max: 5_000 }) }), { maxLength: 300 });
const limits = fc.record({ maxEvents: fc.integer({ min: 1, max: 50 }), maxBytes: fc.integer({ min: 1, max: 20_000 }) });

describe('batching by events and bytes within the target limits (DESIGN §6)', () => {
  it('limits are min(route, target)', () => {
    fc.assert(
      fc.property(limits, limits, fc.integer({ min: 1, max: 10_000 }), (route, t, maxEventBytes) => {
        const l = batchLimits(route, { maxBatchEvents: t.maxEvents, maxBatchBytes: t.maxBytes, maxEventBytes });
        expect(l.maxEvents).toBe(Math.min(route.maxEvents, t.maxEvents));
        expect(l.maxBytes).toBe(Math.min(route.maxBytes, t.maxBytes));
      }),
    );
  });

  it('batches keep order, lose nothing, respect the limits (a lone oversize item goes alone) and are greedy', () => {
    fc.assert(
      fc.property(items, limits, (xs, l) => {
        const batches = planBatches(xs, l);
        expect(batches.flat()).toEqual(xs);
        batches.forEach((b, i) => {
          expect(b.length).toBeGreaterThan(0);
          expect(b.length).toBeLessThanOrEqual(l.maxEvents);
          const bytes = b.reduce((s, x) => s + x.bytes, 0);
          if (b.length > 1) expect(bytes).toBeLessThanOrEqual(l.maxBytes);
          const next = batches[i + 1]?.[0];
          // Greedy: the next batch's first item did not fit in this one.
          if (next !== undefined) expect(b.length === l.maxEvents || bytes + next.bytes > l.maxBytes).toBe(true);
        });
      }),
    );
  });

  it('a batch is due when full, forced, or its oldest event waited maxWait', () => {
    const base = { now: 1_000, maxWaitMs: 200 };
    expect(batchDue({ ...base, full: false, oldestReadyAt: undefined })).toBe(false);
    expect(batchDue({ ...base, full: false, oldestReadyAt: 900 })).toBe(false);
    expect(batchDue({ ...base, full: false, oldestReadyAt: 800 })).toBe(true);
    expect(batchDue({ ...base, full: true, oldestReadyAt: 999 })).toBe(true);
    expect(batchDue({ ...base, full: false, oldestReadyAt: 999, force: true })).toBe(true);
    expect(batchDue({ ...base, maxWaitMs: 0, full: false, oldestReadyAt: 1_000 })).toBe(true);
  });
});
