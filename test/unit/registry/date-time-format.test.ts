import { fullFormats } from 'ajv-formats/dist/formats.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDateTime } from '../../../src/registry/date-time-format.js';

/** ajv-formats' own full-mode check: the reference. */
const reference = (fullFormats['date-time'] as { validate: (s: string) => boolean }).validate;

const d = (lo: number, hi: number, width = 2) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(width, '0'));
/** Strings shaped like RFC 3339 date-times, in and out of range, with every zone form. */
const shaped = fc
  .tuple(
    d(0, 9999, 4),
    d(0, 13),
    d(0, 32),
    fc.constantFrom('T', 't', ' ', '\u00a0', '\u2028', '\ufeff', '_', '\u180e', 'TT', ''),
    d(0, 24),
    d(0, 60),
    d(0, 61),
    fc.constantFrom('', '.5', '.000001', '.', '.9999999999999999999', '.x'),
    fc.constantFrom(
      'Z',
      'z',
      '',
      '+00:00',
      '-00:00',
      '+01:00',
      '-01',
      '+0130',
      '+01:',
      '+01:0',
      '+24:00',
      '+23:60',
      '+23:59',
      '-23:59',
      'ZZ',
      '+1:00',
      '+01:00 ',
    ),
  )
  .map(([y, mo, da, sep, h, mi, s, frac, zone]) => `${y}-${mo}-${da}${sep}${h}:${mi}:${s}${frac}${zone}`);
/** The same, with one character replaced, inserted or deleted somewhere. */
const mutated = fc
  .tuple(shaped, fc.nat(), fc.constantFrom('', '0', '9', ':', '-', '.', 'T', ' ', 'Z', '+', 'a', '\u3000', '٣'), fc.boolean())
  .map(([s, at, c, replace]) => {
    const i = at % (s.length + 1);
    return s.slice(0, i) + c + s.slice(replace ? i + 1 : i);
  });

describe('date-time format (src/registry/date-time-format.ts)', () => {
  it('answers as ajv-formats does on date-time-shaped strings, valid and invalid', () => {
    fc.assert(
      fc.property(fc.oneof(shaped, mutated), (s) => {
        expect(isDateTime(s)).toBe(reference(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('answers as ajv-formats does on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789-:.TtZz+ \t\u00a0x'), maxLength: 30 }), (s) => {
        expect(isDateTime(s)).toBe(reference(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['2024-05-01T10:00:00Z', true],
    ['2024-02-29T00:00:00Z', true],
    ['2023-02-29T00:00:00Z', false],
    ['1900-02-29T00:00:00Z', false],
    ['2000-02-29T00:00:00Z', true],
    ['2024-04-31T00:00:00Z', false],
    ['2016-12-31T23:59:60Z', true], // a leap second
    ['2016-12-31T15:59:60-08:00', true], // the same leap second in another zone
    ['2016-12-31T23:58:60Z', false],
    ['2024-05-01T10:00:00', false], // the zone is required
    ['2024-05-01 10:00:00.123+02:00', true],
    ['2024-05-01T10:00:00.Z', false],
  ])('%s → %s', (s, valid) => {
    expect(isDateTime(s)).toBe(valid);
    expect(reference(s)).toBe(valid);
  });
});
