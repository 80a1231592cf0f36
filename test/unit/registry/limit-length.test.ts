import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limitLength } from '../../../src/registry/limit-length.js';

/** Ajv as the registry builds it, with and without our maxLength / minLength. */
const make = (ours: boolean) => {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, $data: true });
  if (ours) ajv.removeKeyword('maxLength').removeKeyword('minLength').addKeyword(limitLength);
  return ajv;
};
const stock = make(false);
const ours = make(true);

/** Strings with every kind of UTF-16 content: ASCII, BMP, astral pairs, lone high and low surrogates. */
const text = fc.array(
  fc.oneof(
    fc.constantFrom('a', 'é', '中', '😀', '\u{10FFFF}', '\uD800', '\uDC00', '\uDBFF\uDFFF'),
    fc.string({ unit: 'grapheme', maxLength: 3 }),
  ),
  { maxLength: 40 },
);

function outcome(ajv: Ajv2020, schema: object, data: unknown) {
  const validate = ajv.compile(schema);
  const valid = validate(data);
  return { valid, errors: validate.errors ?? null };
}

describe('maxLength / minLength (src/registry/limit-length.ts)', () => {
  it('gives the same answers and errors as Ajv on any string and limits', () => {
    fc.assert(
      fc.property(text, fc.nat(45), fc.nat(45), (parts, min, max) => {
        const s = parts.join('');
        const schema = { type: 'object', properties: { s: { type: 'string', minLength: min, maxLength: max } } };
        expect(outcome(ours, schema, { s })).toEqual(outcome(stock, schema, { s }));
      }),
      { numRuns: 600 },
    );
  });

  it('counts code points, not UTF-16 units, exactly at the limits', () => {
    const max2 = ours.compile({ type: 'string', maxLength: 2 });
    expect(max2('😀😀')).toBe(true); // 2 code points, length 4
    expect(max2('😀😀😀')).toBe(false);
    expect(max2.errors?.[0]?.message).toBe('must NOT have more than 2 characters');
    const min3 = ours.compile({ type: 'string', minLength: 3 });
    expect(min3('😀😀')).toBe(false); // length 4, but 2 code points
    expect(min3.errors?.[0]).toMatchObject({ keyword: 'minLength', params: { limit: 3 } });
    expect(min3('😀😀a')).toBe(true);
  });

  it('works with $data limits as Ajv does, a non-number limit included', () => {
    const schema = {
      type: 'object',
      properties: { n: {}, s: { type: 'string', maxLength: { $data: '1/n' }, minLength: { $data: '1/n' } } },
    };
    for (const data of [
      { n: 2, s: '😀😀' },
      { n: 2, s: 'abc' },
      { n: 3, s: '😀😀' },
      { n: 'x', s: 'ab' },
    ])
      expect(outcome(ours, schema, data)).toEqual(outcome(stock, schema, data));
  });

  it('still rejects a limit that is not a number when the schema is compiled, as Ajv does', () => {
    const schema = { type: 'string', maxLength: '5' };
    expect(() => stock.compile(schema)).toThrow(/maxLength must be integer/);
    expect(() => ours.compile(schema)).toThrow(/maxLength must be integer/);
  });
});
