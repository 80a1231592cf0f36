import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecallMap, idHash } from '../../../src/eventlog/embedded/id-journal.js';

describe('idHash', () => {
  it('is deterministic and a 30-bit non-negative integer (a V8 small integer)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (source, id) => {
        const h = idHash(source, id);
        expect(h).toBe(idHash(source, id));
        expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
      }),
    );
  });

  it('tells apart where source ends and id begins', () => {
    expect(idHash('/a', 'bc')).not.toBe(idHash('/ab', 'c'));
    expect(idHash('', 'x')).not.toBe(idHash('x', ''));
  });

  it('spreads UUID-shaped ids: almost no collisions among 20,000 of them', () => {
    // Deterministic ids (a fixed LCG), so the count is fixed too: 20,000 values in 2^30 collide
    // ~0.2 times on average for a good hash; a weak one (e.g. a sum of char codes) thousands of times.
    let x = 12345;
    const hex = (n: number) => {
      let s = '';
      for (let i = 0; i < n; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        s += (x >>> 28).toString(16);
      }
      return s;
    };
    const seen = new Set<number>();
    for (let i = 0; i < 20_000; i++) seen.add(idHash('/bench', `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`));
    expect(seen.size).toBeGreaterThanOrEqual(19_998);
  });
});

describe('RecallMap', () => {
  it('keeps every rowid of a hash, newest first', () => {
    const m = new RecallMap();
    m.addOlder(7, 30);
    expect(m.candidates(7)).toBe(30);
    m.addOlder(7, 20);
    m.addOlder(7, 10);
    m.addOlder(8, 25);
    expect(m.candidates(7)).toEqual([30, 20, 10]);
    expect(m.candidates(8)).toBe(25);
    expect(m.candidates(9)).toBeUndefined();
    expect(m.size).toBe(2);
  });
});
