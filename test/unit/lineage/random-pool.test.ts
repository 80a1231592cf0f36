/** The pooled CSPRNG behind trace ids and UUIDv7 (src/lineage/random-pool.ts). */
import { describe, expect, it } from 'vitest';
import { newTrace } from '../../../src/lineage/index.js';
import { randomByte, randomHex, randomInto } from '../../../src/lineage/random-pool.js';

describe('random pool', () => {
  it('hands out lower-case hex of the asked length, never the same bytes twice across refills', () => {
    // 4 KiB pool: 2,000 draws of 16 bytes cross several refills, and odd sizes misalign the cursor.
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const h = randomHex(i % 3 === 0 ? 16 : 13);
      expect(h).toMatch(i % 3 === 0 ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{26}$/);
      seen.add(h);
    }
    expect(seen.size).toBe(2000);
  });

  it('is not biased: every hex digit shows up in about equal measure', () => {
    const counts = new Map<string, number>();
    for (const ch of randomHex(4096)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(16);
    // 8,192 digits, 512 expected per digit; 5 sigma (~110) is far from any real bias.
    for (const n of counts.values()) expect(Math.abs(n - 512)).toBeLessThan(110);
  });

  it('randomInto fills exactly the asked range and randomByte stays within 0..255', () => {
    const b = new Uint8Array(40);
    randomInto(b, 4, 32);
    expect([...b.subarray(0, 4), ...b.subarray(36)]).toEqual(new Array(8).fill(0));
    expect(b.subarray(4, 36).some((x) => x !== 0)).toBe(true);
    const bytes = Array.from({ length: 1000 }, randomByte);
    expect(bytes.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)).toBe(true);
    expect(new Set(bytes).size).toBeGreaterThan(200); // ~250 distinct values expected
  });

  it('trace ids minted from it are valid and distinct (EXT-TRACE-M1)', () => {
    const ids = Array.from({ length: 5000 }, () => newTrace());
    expect(new Set(ids.map((t) => t.traceId)).size).toBe(5000);
    expect(new Set(ids.map((t) => t.spanId)).size).toBe(5000);
    for (const t of ids.slice(0, 50)) expect(`${t.traceId}-${t.spanId}`).toMatch(/^[0-9a-f]{32}-[0-9a-f]{16}$/);
  });
});
