import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { CausewayError } from '../../../src/core/index.js';
import { checkCompatibility, checkSchemasDir, loadRegistry, type CompatibilityMode, type JSONSchema } from '../../../src/registry/index.js';
import { cleanupSchemasDirs, makeSchemasDir, typeLayout } from './helpers.js';

afterAll(cleanupSchemasDirs);

const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'object',
  properties,
  ...extra,
});
const closed = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  obj(properties, { additionalProperties: false, ...extra });
const str = { type: 'string' };
const num = { type: 'number' };

/** Messages per direction: which of backward / forward the change breaks. */
function breaks(older: JSONSchema, newer: JSONSchema): { backward: string[]; forward: string[] } {
  return {
    backward: checkCompatibility(older, newer, 'backward').map((p) => p.message),
    forward: checkCompatibility(older, newer, 'forward').map((p) => p.message),
  };
}

describe('checkCompatibility: one change per row', () => {
  const rows: Array<[name: string, older: JSONSchema, newer: JSONSchema, backward: string[], forward: string[]]> = [
    [
      'added required property (open model)',
      obj({ a: str }),
      obj({ a: str, currency: str }, { required: ['currency'] }),
      ['backward: /properties/currency became required'],
      [],
    ],
    [
      'added required property (closed model)',
      closed({ a: str }),
      closed({ a: str, currency: str }, { required: ['currency'] }),
      ['backward: /properties/currency became required'],
      [
        'forward: /properties/currency was added but the older schema has additionalProperties: false (older readers reject newer data holding it)',
      ],
    ],
    [
      'existing property became required',
      obj({ a: str }),
      obj({ a: str }, { required: ['a'] }),
      ['backward: /properties/a became required'],
      [],
    ],
    [
      'required property with a default (still a break: defaults are never filled)',
      closed({ a: str }),
      closed({ a: str, b: { type: 'string', default: 'x' } }, { required: ['b'] }),
      ['backward: /properties/b became required'],
      [expect.stringContaining('forward: /properties/b was added')],
    ],
    [
      'added optional property to a closed model',
      closed({ a: str }),
      closed({ a: str, note: str }),
      [],
      [
        'forward: /properties/note was added but the older schema has additionalProperties: false (older readers reject newer data holding it)',
      ],
    ],
    [
      'added optional typed property to an open model (Confluent: older data may hold anything there)',
      obj({ a: str }),
      obj({ a: str, note: str }),
      [expect.stringContaining('backward: /properties/note was added while the older schema leaves additional properties open')],
      [],
    ],
    ['added optional untyped property to an open model', obj({ a: str }), obj({ a: str, note: {} }), [], []],
    [
      'removed property, newer closed',
      closed({ a: str, b: str }),
      closed({ a: str }),
      ['backward: /properties/b was removed while additionalProperties is false (older data holding it is now rejected)'],
      [],
    ],
    [
      'removed property, newer open',
      obj({ a: str, b: str }),
      obj({ a: str }),
      [],
      [expect.stringContaining('forward: /properties/b was removed while the newer schema leaves additional properties open')],
    ],
    [
      'narrowed type number → integer',
      obj({ amount: num }),
      obj({ amount: { type: 'integer' } }),
      ['backward: /properties/amount/type narrowed from number to integer'],
      [],
    ],
    [
      'widened type integer → number',
      obj({ amount: { type: 'integer' } }),
      obj({ amount: num }),
      [],
      ['forward: /properties/amount/type widened from integer to number'],
    ],
    [
      'nullable added',
      obj({ a: str }),
      obj({ a: { type: ['string', 'null'] } }),
      [],
      ['forward: /properties/a/type widened from string to [string, null]'],
    ],
    [
      'changed type string → number (disjoint: reported once)',
      obj({ a: { type: 'string', maxLength: 3 } }),
      obj({ a: { type: 'number', minimum: 0 } }),
      ['backward: /properties/a/type narrowed from string to number'],
      ['forward: /properties/a/type widened from string to number'],
    ],
    [
      'enum narrowed',
      obj({ s: { enum: ['a', 'b', 'c'] } }),
      obj({ s: { enum: ['a', 'b'] } }),
      ['backward: /properties/s/enum narrowed: ["c"] no longer allowed'],
      [],
    ],
    [
      'enum widened',
      obj({ s: { enum: ['a', 'b'] } }),
      obj({ s: { enum: ['a', 'b', 'd'] } }),
      [],
      ['forward: /properties/s/enum widened: ["d"] added'],
    ],
    ['enum added', obj({ s: str }), obj({ s: { type: 'string', enum: ['a'] } }), ['backward: /properties/s/enum added (["a"])'], []],
    [
      'const changed',
      obj({ v: { const: 1 } }),
      obj({ v: { const: 2 } }),
      ['backward: /properties/v/const changed from 1 to 2'],
      ['forward: /properties/v/const changed from 1 to 2'],
    ],
    [
      'enum → const',
      obj({ v: { enum: [1, 2] } }),
      obj({ v: { const: 1 } }),
      ['backward: /properties/v/const changed from one of [1,2] to 1'],
      [],
    ],
    [
      'maxLength tightened',
      obj({ s: { type: 'string', maxLength: 100 } }),
      obj({ s: { type: 'string', maxLength: 50 } }),
      ['backward: /properties/s/maxLength lowered from 100 to 50'],
      [],
    ],
    ['minLength added', obj({ s: str }), obj({ s: { type: 'string', minLength: 1 } }), ['backward: /properties/s/minLength added (1)'], []],
    [
      'minimum raised',
      obj({ n: { type: 'number', minimum: 0 } }),
      obj({ n: { type: 'number', minimum: 1 } }),
      ['backward: /properties/n/minimum lower bound narrowed from >= 0 to >= 1'],
      [],
    ],
    [
      'minimum lowered',
      obj({ n: { type: 'number', minimum: 1 } }),
      obj({ n: { type: 'number', minimum: 0 } }),
      [],
      ['forward: /properties/n/minimum lower bound widened from >= 1 to >= 0'],
    ],
    [
      'minimum 0 → exclusiveMinimum 0',
      obj({ n: { type: 'number', minimum: 0 } }),
      obj({ n: { type: 'number', exclusiveMinimum: 0 } }),
      ['backward: /properties/n/exclusiveMinimum lower bound narrowed from >= 0 to > 0'],
      [],
    ],
    [
      'maximum removed',
      obj({ n: { type: 'number', maximum: 10 } }),
      obj({ n: num }),
      [],
      ['forward: /properties/n/maximum upper bound widened from <= 10 to none'],
    ],
    [
      'pattern added',
      obj({ c: str }),
      obj({ c: { type: 'string', pattern: '^[A-Z]{3}$' } }),
      ['backward: /properties/c/pattern added ("^[A-Z]{3}$")'],
      [],
    ],
    [
      'format changed',
      obj({ t: { type: 'string', format: 'date-time' } }),
      obj({ t: { type: 'string', format: 'date' } }),
      ['backward: /properties/t/format changed from "date-time" to "date"'],
      ['forward: /properties/t/format changed from "date-time" to "date"'],
    ],
    [
      'multipleOf 0.01 → 0.02',
      obj({ n: { type: 'number', multipleOf: 0.01 } }),
      obj({ n: { type: 'number', multipleOf: 0.02 } }),
      ['backward: /properties/n/multipleOf raised from 0.01 to 0.02'],
      [],
    ],
    ['additionalProperties became false', obj({ a: str }), closed({ a: str }), ['backward: /additionalProperties became false'], []],
    [
      'array items narrowed',
      obj({ tags: { type: 'array', items: str } }),
      obj({ tags: { type: 'array', items: { type: 'string', maxLength: 20 } } }),
      ['backward: /properties/tags/items/maxLength added (20)'],
      [],
    ],
    [
      'maxItems added and uniqueItems added',
      obj({ l: { type: 'array' } }),
      obj({ l: { type: 'array', maxItems: 5, uniqueItems: true } }),
      ['backward: /properties/l/maxItems added (5)', 'backward: /properties/l/uniqueItems added (true)'],
      [],
    ],
    [
      '$ref changed',
      { $defs: { a: str, b: num }, type: 'object', properties: { x: { $ref: '#/$defs/a' } } },
      { $defs: { a: str, b: num }, type: 'object', properties: { x: { $ref: '#/$defs/b' } } },
      ['backward: /properties/x/$ref changed from "#/$defs/a" to "#/$defs/b"'],
      ['forward: /properties/x/$ref changed from "#/$defs/a" to "#/$defs/b"'],
    ],
    [
      'referenced definition narrowed',
      { $defs: { m: num }, type: 'object', properties: { x: { $ref: '#/$defs/m' } } },
      { $defs: { m: { type: 'number', minimum: 0 } }, type: 'object', properties: { x: { $ref: '#/$defs/m' } } },
      ['backward: /$defs/m/minimum lower bound narrowed from none to >= 0'],
      [],
    ],
    [
      'anyOf widened',
      obj({ v: { anyOf: [str, num] } }),
      obj({ v: { anyOf: [str, num, { type: 'boolean' }] } }),
      [],
      ['forward: /properties/v/anyOf/2 branch 2 of the newer anyOf matches no branch of the older one'],
    ],
    [
      'anyOf narrowed',
      obj({ v: { anyOf: [str, num] } }),
      obj({ v: { anyOf: [str] } }),
      ['backward: /properties/v/anyOf/1 branch 1 of the older anyOf matches no branch of the newer one'],
      [],
    ],
    [
      'unanalysed keyword added (not)',
      obj({ a: str }),
      obj({ a: { type: 'string', not: { const: '' } } }),
      ['backward: /properties/a/not added ({"const":""}) (not analysed; treated as incompatible)'],
      [],
    ],
    [
      'annotations only',
      obj({ a: str }, { title: 'A' }),
      obj({ a: { type: 'string', description: 'the a', examples: ['x'] } }, { title: 'B', $comment: 'c' }),
      [],
      [],
    ],
    ['schema became false', obj({ a: str }), obj({ a: false }), ['backward: /properties/a became false (rejects every value)'], []],
  ];

  it.each(rows)('%s', (_name, older, newer, backward, forward) => {
    expect(breaks(older, newer)).toEqual({ backward, forward });
  });

  it('full reports both directions, none reports nothing', () => {
    const older = closed({ a: str });
    const newer = closed({ a: str, note: str }, { required: ['a'] });
    const full = checkCompatibility(older, newer, 'full');
    expect(full.map((p) => [p.direction, p.pointer])).toEqual([
      ['backward', '/properties/a'],
      ['forward', '/properties/note'],
    ]);
    expect(checkCompatibility(older, newer, 'none')).toEqual([]);
    expect(checkCompatibility(obj({ a: str }), obj({ a: str }, { description: 'x' }), 'full')).toEqual([]);
  });

  it('finds no problem between a schema and itself (property)', () => {
    const leaf = fc.oneof(
      fc.constantFrom<Record<string, unknown>>(str, num, { type: 'integer' }, { type: 'boolean' }, { type: ['string', 'null'] }),
      fc.record(
        {
          type: fc.constant('string'),
          minLength: fc.nat(5),
          maxLength: fc.integer({ min: 5, max: 50 }),
          pattern: fc.constantFrom('^a', '[0-9]'),
        },
        { requiredKeys: ['type'] },
      ),
      fc.record(
        { type: fc.constant('number'), minimum: fc.integer(), exclusiveMaximum: fc.integer(), multipleOf: fc.constantFrom(0.5, 2) },
        { requiredKeys: ['type'] },
      ),
      fc.record({ enum: fc.uniqueArray(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { minLength: 1, maxLength: 4 }) }),
    );
    const { schema } = fc.letrec((tie) => ({
      schema: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array'), tie('anyOf')),
      object: fc
        .tuple(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie('schema'), { maxKeys: 4 }), fc.boolean(), fc.nat())
        .map(([properties, isClosed, n]) => {
          const names = Object.keys(properties);
          return {
            type: 'object',
            properties,
            required: names.filter((_, i) => (n >> i) & 1),
            ...(isClosed && { additionalProperties: false }),
          };
        }),
      array: fc.record({ type: fc.constant('array'), items: tie('schema'), maxItems: fc.nat(10) }, { requiredKeys: ['type', 'items'] }),
      anyOf: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }).map((anyOf) => ({ anyOf })),
    }));
    fc.assert(
      fc.property(schema, fc.constantFrom<CompatibilityMode>('backward', 'forward', 'full'), (s, mode) => {
        expect(checkCompatibility(s as JSONSchema, structuredClone(s) as JSONSchema, mode)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every pure widening backward and rejects it forward (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 2, maxLength: 6 }), fc.nat(), (values, k) => {
        const cut = 1 + (k % (values.length - 1));
        const older = closed({ s: { enum: values.slice(0, cut) } });
        const newer = closed({ s: { enum: values } });
        expect(checkCompatibility(older, newer, 'backward')).toEqual([]);
        expect(checkCompatibility(older, newer, 'forward')).toHaveLength(1);
        expect(checkCompatibility(newer, older, 'backward')).toHaveLength(1);
      }),
    );
  });
});

describe('compatibility in a schemas directory', () => {
  it('refuses to load a version that breaks the declared mode, naming file and pointer', async () => {
    const dir = await makeSchemasDir(
      typeLayout('x.bid', 'topic: t\ncompatibility: backward', [
        closed({ amount: num }),
        closed({ amount: num, currency: str }, { required: ['currency'] }),
      ]),
    );
    let err: unknown;
    await loadRegistry(dir).catch((e: unknown) => (err = e));
    expect(err).toBeInstanceOf(CausewayError);
    expect((err as CausewayError).code).toBe('CW_SCHEMA_INVALID');
    expect((err as CausewayError).errors).toEqual([
      {
        path: `${join(dir, 'x.bid', '2.json')}#/properties/currency`,
        message: 'incompatible with version 1 (compatibility: backward): backward: /properties/currency became required',
      },
    ]);
  });

  it('checks every pair of versions, not only neighbours (transitive)', async () => {
    const dir = await makeSchemasDir(
      typeLayout('x.bid', 'topic: t\ncompatibility: backward', [
        closed({ amount: num }),
        closed({ amount: { type: 'integer' } }),
        closed({ amount: { type: 'integer' }, note: str }),
      ]),
    );
    const { problems } = await checkSchemasDir(dir);
    expect(problems.map((p) => [p.file.slice(dir.length + 1), p.message.split(':')[0]])).toEqual([
      [join('x.bid', '2.json'), 'incompatible with version 1 (compatibility'],
      [join('x.bid', '3.json'), 'incompatible with version 1 (compatibility'],
    ]);
  });

  it.each<[CompatibilityMode, number]>([
    ['none', 0],
    ['backward', 0],
    ['forward', 1],
    ['full', 1],
  ])('adding an optional property to a closed schema under %s gives %i problem(s)', async (mode, count) => {
    const dir = await makeSchemasDir(
      typeLayout('x.a', `topic: t\ncompatibility: ${mode}`, [closed({ a: str }), closed({ a: str, b: str })]),
    );
    expect((await checkSchemasDir(dir)).problems).toHaveLength(count);
  });

  it('skips the compatibility check of a type whose versions have problems', async () => {
    const dir = await makeSchemasDir(
      typeLayout('x.a', 'topic: t', [closed({ a: str }), closed({ a: { type: 'integer', maxLenght: 1 } }, { required: ['a'] })]),
    );
    const { problems } = await checkSchemasDir(dir);
    expect(problems.map((p) => p.message)).toEqual(['unknown keyword "maxLenght" (strict mode)']);
  });
});
