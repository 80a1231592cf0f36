import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../src/core/index.js';
import { forEachLimited, orderingChains } from '../../../src/targets/outcomes.js';

const d = (key: string | null, orderingKey?: string): Delivery =>
  ({
    fact: { key: key === null ? null : new TextEncoder().encode(key) },
    ...(orderingKey === undefined ? {} : { orderingKey }),
  }) as unknown as Delivery;

describe('orderingChains', () => {
  it('partitions the batch: every index once, chains in batch order, one chain per key, null keys alone', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: null }), { maxLength: 40 }), (keys) => {
        const chains = orderingChains(keys.map((k) => d(k)));
        expect(chains.flat().sort((x, y) => x - y)).toEqual(keys.map((_, i) => i));
        for (const c of chains) {
          expect([...c].sort((x, y) => x - y)).toEqual(c);
          const ks = new Set(c.map((i) => keys[i]));
          expect(ks.size).toBe(1);
          if (keys[c[0]!] === null) expect(c).toHaveLength(1);
        }
        const nonNull = new Set(keys.filter((k) => k !== null));
        expect(chains.filter((c) => keys[c[0]!] !== null)).toHaveLength(nonNull.size);
      }),
    );
  });

  it('orderingKey wins over the record key', () => {
    expect(orderingChains([d('a', 'p0'), d('b', 'p0'), d('a', 'p1'), d(null, 'p0')])).toEqual([[0, 1, 3], [2]]);
  });
});

describe('forEachLimited', () => {
  it('runs everything with at most `limit` in flight', async () => {
    let now = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachLimited([...Array(20).keys()], 3, async (i) => {
      most = Math.max(most, ++now);
      await new Promise((r) => setTimeout(r, 2));
      seen.push(i);
      now--;
    });
    expect(most).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });
});
