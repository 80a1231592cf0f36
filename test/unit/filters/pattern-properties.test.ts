/** Algebraic properties of the pattern matcher (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../src/route/filters/index.js';

const match = (pattern: unknown, event: unknown): boolean => compilePattern(pattern).matchesJson(event);

/** Short strings over a small alphabet, so that equalities and prefixes actually happen. */
const word = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '.', '*', '\\'), maxLength: 4 });
const plainWord = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '.'), maxLength: 4 });
const smallNumber = fc.integer({ min: -3, max: 3 });
const leafValue = fc.oneof(word, smallNumber, fc.boolean(), fc.constant(null));
const eventField = fc.oneof(leafValue, fc.array(leafValue, { maxLength: 3 }), fc.constant({ nested: 1 }));

/** Valid alternatives for a leaf array, covering every operator family. */
const alternative = fc.oneof(
  leafValue,
  plainWord.map((s) => ({ prefix: s })),
  plainWord.map((s) => ({ suffix: s })),
  plainWord.map((s) => ({ 'equals-ignore-case': s })),
  plainWord.map((s) => ({ prefix: { 'equals-ignore-case': s } })),
  plainWord.map((s) => ({ wildcard: `${s}*` })),
  word.map((s) => ({ 'anything-but': s })),
  fc.array(smallNumber, { minLength: 1, maxLength: 3 }).map((ns) => ({ 'anything-but': ns })),
  plainWord.filter((s) => s !== '').map((s) => ({ 'anything-but': { prefix: s } })),
  smallNumber.map((n) => ({ numeric: ['>=', n] })),
  fc.boolean().map((b) => ({ exists: b })),
);

/** Adding an event shape where the field may also be missing. */
const maybeEvent = fc.option(eventField, { nil: undefined }).map((v) => (v === undefined ? {} : { f: v }));

describe('pattern properties', () => {
  it('an alternatives array [a, b] matches iff [a] or [b] matches (arrays are OR)', () => {
    fc.assert(
      fc.property(alternative, alternative, maybeEvent, (a, b, event) => {
        expect(match({ f: [a, b] }, event)).toBe(match({ f: [a] }, event) || match({ f: [b] }, event));
      }),
      { numRuns: 2000 },
    );
  });

  it('anything-but [v] is the negation of [v] where the field holds one string', () => {
    fc.assert(
      fc.property(word, word, (v, x) => {
        expect(match({ f: [{ 'anything-but': [v] }] }, { f: x })).toBe(!match({ f: [v] }, { f: x }));
        expect(match({ f: [{ 'anything-but': v }] }, { f: x })).toBe(!match({ f: [v] }, { f: x }));
      }),
      { numRuns: 1000 },
    );
  });

  it('exists:true and exists:false are complements on any event', () => {
    fc.assert(
      fc.property(maybeEvent, (event) => {
        expect(match({ f: [{ exists: true }] }, event)).toBe(!match({ f: [{ exists: false }] }, event));
      }),
    );
  });

  it('fields are ANDed: {f: A, g: B} matches iff {f: A} and {g: B} match', () => {
    fc.assert(
      fc.property(alternative, alternative, eventField, eventField, (a, b, f, g) => {
        const event = { f, g };
        expect(match({ f: [a], g: [b] }, event)).toBe(match({ f: [a] }, event) && match({ g: [b] }, event));
      }),
      { numRuns: 1000 },
    );
  });

  it('a numeric range is the AND of its two bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: -120, max: 120, noNaN: true }),
        (low, width, x) => {
          const high = low + width;
          const both = match({ n: [{ numeric: ['>', low, '<=', high] }] }, { n: x });
          expect(both).toBe(match({ n: [{ numeric: ['>', low] }] }, { n: x }) && match({ n: [{ numeric: ['<=', high] }] }, { n: x }));
          expect(both).toBe(x > low && x <= high);
        },
      ),
    );
  });

  it('a wildcard without metacharacters is an exact match; "p*" is a prefix match', () => {
    fc.assert(
      fc.property(plainWord, plainWord, (p, x) => {
        expect(match({ f: [{ wildcard: p }] }, { f: x })).toBe(x === p);
        expect(match({ f: [{ wildcard: `${p}*` }] }, { f: x })).toBe(x.startsWith(p));
        expect(match({ f: [{ wildcard: `*${p}` }] }, { f: x })).toBe(x.endsWith(p));
      }),
    );
  });

  it('an IPv4 CIDR contains exactly the addresses that share its first n bits', () => {
    const ip = fc.integer({ min: 0, max: 0xffffffff });
    const dotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
    fc.assert(
      fc.property(ip, fc.integer({ min: 0, max: 32 }), ip, (base, bits, addr) => {
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const network = (base & mask) >>> 0;
        const inside = (addr & mask) >>> 0 === network;
        expect(match({ ip: [{ cidr: `${dotted(network)}/${bits}` }] }, { ip: dotted(addr) })).toBe(inside);
      }),
    );
  });
});
