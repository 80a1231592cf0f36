import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CausewayError } from '../../../src/core/index.js';
import { checkSchemasDir, loadRegistry } from '../../../src/registry/index.js';
import { BASE, cleanupSchemasDirs, EXAMPLE_SCHEMAS, makeSchemasDir, schema } from './helpers.js';

afterAll(cleanupSchemasDirs);

async function loadError(dir: string, opts = {}): Promise<CausewayError> {
  try {
    await loadRegistry(dir, opts);
  } catch (e) {
    if (e instanceof CausewayError) return e;
    throw e;
  }
  throw new Error('expected loadRegistry to fail');
}

describe('loadRegistry with the example schemas', () => {
  it('loads every auction type with its event.yaml settings and versions', async () => {
    const r = await loadRegistry(EXAMPLE_SCHEMAS);
    expect(r.types().map((t) => t.type)).toEqual([
      'com.example.auction.bid.placed',
      'com.example.auction.closed',
      'com.example.auction.item.listed',
    ]);
    const bid = r.get('com.example.auction.bid.placed');
    expect(bid).toMatchObject({
      type: 'com.example.auction.bid.placed',
      topic: 'auction.bids',
      partitionKey: { pointer: '/itemId' },
      compatibility: 'backward',
      owner: 'team-auctions',
      latest: 3,
    });
    expect(bid?.versions.map((v) => [v.version, v.id])).toEqual([
      [1, `${BASE}/com.example.auction.bid.placed/1.json`],
      [2, `${BASE}/com.example.auction.bid.placed/2.json`],
      [3, `${BASE}/com.example.auction.bid.placed/3.json`],
    ]);
    expect(bid?.versions[1]?.schema['$id']).toBe(`${BASE}/com.example.auction.bid.placed/2.json`);
    expect(r.get('com.example.auction.item.listed')).toMatchObject({ topic: 'auction.items', compatibility: 'full', latest: 1 });
    expect(r.get('com.example.auction.closed')).toMatchObject({ topic: 'auction.items', partitionKey: { pointer: '/itemId' } });
    expect(r.get('com.example.nope')).toBeUndefined();
    expect(Object.isFrozen(bid)).toBe(true);
  });

  it('passes schemas check', async () => {
    expect(await checkSchemasDir(EXAMPLE_SCHEMAS)).toEqual({ ok: true, problems: [] });
  });
});

describe('loadRegistry topics and defaults', () => {
  it('uses defaultTopic for a type without topic, and backward as the default compatibility', async () => {
    const dir = await makeSchemasDir({
      'x.a/event.yaml': 'partitionKey: subject\n',
      'x.a/1.json': schema('x.a', 1, { type: 'object' }),
    });
    const r = await loadRegistry(dir, { defaultTopic: 'causeway.events' });
    expect(r.get('x.a')).toMatchObject({ topic: 'causeway.events', compatibility: 'backward', partitionKey: { attribute: 'subject' } });
  });

  it('refuses a type with no topic when no defaultTopic is given, but schemas check accepts it', async () => {
    const dir = await makeSchemasDir({ 'x.a/event.yaml': 'owner: me', 'x.a/1.json': schema('x.a', 1, { type: 'object' }) });
    const e = await loadError(dir);
    expect(e.errors).toEqual([
      { path: `${join(dir, 'x.a', 'event.yaml')}#/topic`, message: 'no topic, and no default topic is configured' },
    ]);
    expect((await checkSchemasDir(dir)).ok).toBe(true);
  });

  it('loads an empty directory as an empty registry and refuses a missing one', async () => {
    const empty = await makeSchemasDir({});
    expect((await loadRegistry(empty)).types()).toEqual([]);
    const e = await loadError(join(empty, 'missing'));
    expect(e.code).toBe('CW_SCHEMA_INVALID');
    expect(e.errors[0]?.message).toBe('schemas directory not found');
  });

  it('ignores files at the top level and dot-directories', async () => {
    const dir = await makeSchemasDir({
      'README.md': '# schemas',
      '.git/config': '[core]',
      'x.a/event.yaml': 'topic: t',
      'x.a/1.json': schema('x.a', 1, { type: 'object' }),
      'x.a/NOTES.md': 'notes',
    });
    expect((await loadRegistry(dir)).types().map((t) => t.type)).toEqual(['x.a']);
  });
});

describe('a broken schemas directory', () => {
  it('reports every problem, each naming its file and JSON pointer', async () => {
    const dir = await makeSchemasDir({
      'x.badyaml/event.yaml': 'topic: a\ntopic: b\n',
      'x.badyaml/1.json': schema('x.badyaml', 1, { type: 'object' }),
      'x.dup/event.yaml': 'topic: t',
      'x.dup/1.json': { ...schema('x.dup', 1, { type: 'object' }), $id: `${BASE}/x.a/1.json` },
      'x.a/event.yaml': 'topic: t',
      'x.a/1.json': schema('x.a', 1, { type: 'object' }),
      'x.typo/event.yaml': 'topic: t',
      'x.typo/1.json': schema('x.typo', 1, { type: 'object', properties: { name: { type: 'string', maxLenght: 3 } } }),
    });
    const { ok, problems } = await checkSchemasDir(dir);
    expect(ok).toBe(false);
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          file: join(dir, 'x.badyaml', 'event.yaml'),
          message: expect.stringMatching(/^invalid YAML: Map keys must be unique at line 2, column 1/),
        },
        {
          file: join(dir, 'x.dup', '1.json'),
          pointer: '/$id',
          message: `$id ${BASE}/x.a/1.json is already used by ${join(dir, 'x.a', '1.json')}`,
        },
        {
          file: join(dir, 'x.typo', '1.json'),
          pointer: '/properties/name/maxLenght',
          message: 'unknown keyword "maxLenght" (strict mode)',
        },
      ]),
    );
    expect(problems).toHaveLength(3);
    const e = await loadError(dir);
    expect(e.code).toBe('CW_SCHEMA_INVALID');
    expect(e.errors.map((x) => x.path)).toEqual(
      expect.arrayContaining([`${join(dir, 'x.dup', '1.json')}#/$id`, `${join(dir, 'x.typo', '1.json')}#/properties/name/maxLenght`]),
    );
  });

  it('pins JSON Schema errors to their place', async () => {
    const cases: Array<[body: Record<string, unknown>, pointer: string, message: RegExp]> = [
      [
        { type: 'object', properties: { a: { type: 'strin' } } },
        '/properties/a/type',
        /^invalid JSON Schema: must be equal to one of the allowed values: "array"/,
      ],
      [{ type: 'object', properties: { a: { minimum: 1 } } }, '/properties/a', /missing type "number" for keyword "minimum"/],
      [{ type: 'object', properties: { a: { type: 'string', format: 'emial' } } }, '/properties/a', /unknown format "emial"/],
      [{ type: 'object', properties: { a: { $ref: '#/$defs/money' } } }, '/properties/a/$ref', /can't resolve reference #\/\$defs\/money/],
      [
        { type: 'object', required: ['nmae'], properties: { name: { type: 'string' } } },
        '/required/0',
        /required property "nmae" is not defined/,
      ],
      [{ type: 'object', properties: { a: { type: 'string', pattern: '([' } } }, '/properties/a/pattern', /Invalid regular expression/],
      [{ $async: true, type: 'object' }, '/$async', /not supported/],
    ];
    for (const [body, pointer, message] of cases) {
      const dir = await makeSchemasDir({ 'x.a/event.yaml': 'topic: t', 'x.a/1.json': schema('x.a', 1, body) });
      const { problems } = await checkSchemasDir(dir);
      expect(problems, JSON.stringify(body)).toEqual([
        { file: join(dir, 'x.a', '1.json'), pointer, message: expect.stringMatching(message) },
      ]);
    }
  });

  it('checks $id, $schema, JSON syntax and version file names', async () => {
    const dir = await makeSchemasDir({
      'x.a/event.yaml': 'topic: t',
      'x.a/1.json': { type: 'object' },
      'x.a/2.json': { ...schema('x.a', 2, { type: 'object' }), $schema: 'http://json-schema.org/draft-07/schema#' },
      'x.a/3.json': '{"type": ',
      'x.a/04.json': schema('x.a', 4, {}),
      'x.a/5.json': { $id: 'relative/5.json', type: 'object' },
      'x.a/6.json': '[]',
    });
    const { problems } = await checkSchemasDir(dir);
    const f = (n: string): string => join(dir, 'x.a', n);
    expect(problems).toEqual(
      expect.arrayContaining([
        { file: f('1.json'), pointer: '/$id', message: expect.stringContaining('$id must be an absolute URI') },
        { file: f('2.json'), pointer: '/$schema', message: expect.stringContaining('2020-12') },
        { file: f('3.json'), message: expect.stringContaining('invalid JSON') },
        { file: f('04.json'), message: expect.stringContaining('<n>.json') },
        { file: f('5.json'), pointer: '/$id', message: expect.stringContaining('absolute URI') },
        { file: f('6.json'), pointer: '', message: 'a schema version must be a JSON Schema object' },
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('requires event.yaml, and versions unless the type declares a non-JSON contentType', async () => {
    const dir = await makeSchemasDir({
      'x.noyaml/1.json': schema('x.noyaml', 1, { type: 'object', properties: { a: { type: 'nope' } } }),
      'x.yml/event.yml': 'topic: t',
      'x.noversions/event.yaml': 'topic: t',
      'x.xml/event.yaml': 'topic: t\ncontentType: application/xml',
    });
    const { problems } = await checkSchemasDir(dir);
    // Sorted by file; the versions of a type whose event.yaml is missing are still checked.
    expect(problems).toEqual([
      { file: join(dir, 'x.noversions', 'event.yaml'), message: expect.stringContaining('no schema versions') },
      { file: join(dir, 'x.noyaml', '1.json'), pointer: '/properties/a/type', message: expect.stringContaining('invalid JSON Schema') },
      { file: join(dir, 'x.noyaml', 'event.yaml'), message: 'missing event.yaml' },
      { file: join(dir, 'x.yml', 'event.yaml'), message: 'missing event.yaml (found event.yml: rename it to event.yaml)' },
    ]);
  });

  it('lets a schema $ref another version by its $id', async () => {
    const money = { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } };
    const dir = await makeSchemasDir({
      'x.b/event.yaml': 'topic: t',
      'x.b/1.json': schema('x.b', 1, { type: 'object', properties: { price: { $ref: `${BASE}/x.money/1.json` } } }),
      'x.money/event.yaml': 'topic: t',
      'x.money/1.json': schema('x.money', 1, money),
    });
    expect((await checkSchemasDir(dir)).problems).toEqual([]);
  });
});
