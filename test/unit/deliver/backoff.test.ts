import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, baseDelay, type BackoffOptions } from '../../../src/deliver/index.js';

const opts = fc.record({
  policy: fc.constantFrom('exponential' as const, 'linear' as const),
  baseMs: fc.integer({ min: 0, max: 60_000 }),
  maxMs: fc.integer({ min: 0, max: 600_000 }),
  jitter: fc.constantFrom('full' as const, 'equal' as const, 'none' as const),
  retryAfterCapMs: fc.integer({ min: 0, max: 3_600_000 }),
});
const retry = fc.integer({ min: 1, max: 2_000 });
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const retryAfter = fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined });

describe('backoff (DESIGN §6: bounded, jittered, capped, Retry-After honoured)', () => {
  it('the un-jittered delay grows with the retry number and never exceeds the cap', () => {
    fc.assert(
      fc.property(opts, retry, (o, n) => {
        const d = baseDelay(o.policy, o.baseMs, o.maxMs, n);
        expect(d).toBeLessThanOrEqual(o.maxMs);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(baseDelay(o.policy, o.baseMs, o.maxMs, n + 1)).toBeGreaterThanOrEqual(d);
      }),
    );
  });

  it('exponential doubles and linear adds the base, until the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => baseDelay('exponential', 100, 1_000, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect([1, 2, 3, 4, 5, 6].map((n) => baseDelay('linear', 100, 450, n))).toEqual([100, 200, 300, 400, 450, 450]);
  });

  it('is an integer within [floor, max(cap, floor)], floor = min(Retry-After, its ceiling)', () => {
    fc.assert(
      fc.property(opts, retry, random, retryAfter, (o: BackoffOptions, n, r, ra) => {
        const delay = backoffDelay(o, n, () => r, ra);
        const floor = ra === undefined ? 0 : Math.min(ra, o.retryAfterCapMs);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(floor);
        expect(delay).toBeLessThanOrEqual(Math.max(o.maxMs, floor));
      }),
    );
  });

  it('equal jitter keeps at least half the delay; full jitter may go down to zero; none is exact', () => {
    fc.assert(
      fc.property(opts, retry, random, (o, n, r) => {
        const d = baseDelay(o.policy, o.baseMs, o.maxMs, n);
        expect(backoffDelay({ ...o, jitter: 'equal' }, n, () => r)).toBeGreaterThanOrEqual(Math.floor(d / 2));
        expect(backoffDelay({ ...o, jitter: 'full' }, n, () => r)).toBeLessThanOrEqual(Math.ceil(d));
        expect(backoffDelay({ ...o, jitter: 'none' }, n, () => r)).toBe(Math.ceil(d));
      }),
    );
    const o: BackoffOptions = { policy: 'exponential', baseMs: 1_000, maxMs: 60_000, jitter: 'full', retryAfterCapMs: 600_000 };
    expect(backoffDelay(o, 1, () => 0)).toBe(0);
    expect(backoffDelay({ ...o, jitter: 'equal' }, 1, () => 0)).toBe(500);
  });

  it('Retry-After wins over a shorter backoff and is capped by its ceiling', () => {
    const o: BackoffOptions = { policy: 'exponential', baseMs: 100, maxMs: 1_000, jitter: 'equal', retryAfterCapMs: 60_000 };
    expect(backoffDelay(o, 1, () => 0.5, 5_000)).toBe(5_000);
    expect(backoffDelay(o, 1, () => 0.5, 86_400_000)).toBe(60_000);
    expect(backoffDelay(o, 1, () => 0.5, 10)).toBe(75);
  });
});
