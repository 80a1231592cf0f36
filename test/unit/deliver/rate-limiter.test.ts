import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/deliver/index.js';

describe('TokenBucket (per-route rate limit)', () => {
  it('never lets more than burst + rate × elapsed through, whatever the pattern', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 1, max: 50 })), { maxLength: 200 }),
        (perSecond, burst, steps) => {
          let t = 0;
          const b = new TokenBucket(perSecond, burst, () => t);
          let sent = 0;
          for (const [dt, want] of steps) {
            t += dt;
            expect(b.available()).toBeLessThanOrEqual(b.capacity);
            const n = Math.min(want, b.available());
            if (n > 0) {
              b.take(n);
              sent += n;
            }
            expect(sent).toBeLessThanOrEqual(b.capacity + (t * perSecond) / 1000 + 1e-6);
          }
        },
      ),
    );
  });

  it('msUntil(n) is exactly when n tokens are there', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        (perSecond, n, burst) => {
          let t = 0;
          const b = new TokenBucket(perSecond, burst, () => t);
          b.take(b.available());
          const want = Math.min(n, b.capacity);
          const wait = b.msUntil(n);
          expect(wait).toBeGreaterThan(0);
          t = wait - 1;
          expect(b.available()).toBeLessThan(want);
          t = wait;
          expect(b.available()).toBeGreaterThanOrEqual(want);
          expect(b.msUntil(n)).toBe(0);
        },
      ),
    );
  });

  it('spaces events at the rate once the burst is spent', () => {
    let t = 0;
    const b = new TokenBucket(10, 2, () => t);
    expect(b.available()).toBe(2);
    b.take(2);
    expect(b.available()).toBe(0);
    expect(b.msUntil(1)).toBe(100);
    t = 99;
    expect(b.available()).toBe(0);
    t = 100;
    expect(b.available()).toBe(1);
    t = 10_000;
    expect(b.available()).toBe(2); // never more than the burst
    expect(() => b.take(3)).toThrow(RangeError);
  });
});
