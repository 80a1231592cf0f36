import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRoutes, type RouteProblem } from '../../../src/route/index.js';
import { problemsOf, route, routesDir, TARGETS } from './route-fixtures.js';

const targets = TARGETS;

/** The single problem of a one-file directory, checked for file:line, route and field. */
async function onlyProblem(text: string, name = 'r.yaml'): Promise<RouteProblem & { dir: string }> {
  const dir = routesDir({ [name]: text });
  const problems = await problemsOf(loadRoutes(dir, { targets }));
  expect(problems, JSON.stringify(problems, null, 1)).toHaveLength(1);
  return { ...(problems[0] as RouteProblem), dir };
}

describe('loadRoutes: every problem names file:line, route id and field', () => {
  it('bad YAML: the line of the syntax error', async () => {
    const p = await onlyProblem('routes:\n  - id: a\n    from: [t]\n    to: : x\n');
    expect(p.file).toBe(join(p.dir, 'r.yaml'));
    expect(p.line).toBe(4);
    expect(p.route).toBeUndefined();
    expect(p.message).toBe('invalid YAML: Nested mappings are not allowed in compact mappings');
    expect(p.path).toBe(`${join(p.dir, 'r.yaml')}:4`);
  });

  it('duplicate YAML keys are a syntax error, not a silent override', async () => {
    const p = await onlyProblem(`routes:\n${route('a')}    from: [other]\n`);
    expect(p.line).toBe(6);
    expect(p.message).toMatch(/invalid YAML: Map keys must be unique/);
  });

  it('unknown key: names the key and lists the allowed ones', async () => {
    const p = await onlyProblem(`routes:\n${route('bids', '    delivery:\n      retries: 3\n')}`);
    expect(p).toMatchObject({ line: 7, route: 'bids', field: 'delivery.retries' });
    expect(p.message).toMatch(/unknown key "retries" \(allowed: ordering, concurrency, batch, retry,/);
    expect(p.path).toBe(`${join(p.dir, 'r.yaml')}:7 route bids delivery.retries`);
  });

  it('bad duration and bad size', async () => {
    const dir = routesDir({
      'r.yaml': `routes:\n${route('bids', '    delivery:\n      timeout: 10 s\n      batch: { maxBytes: 5XB }\n')}`,
    });
    const problems = await problemsOf(loadRoutes(dir, { targets }));
    expect(problems.map((p) => [p.line, p.route, p.field])).toEqual([
      [7, 'bids', 'delivery.timeout'],
      [8, 'bids', 'delivery.batch.maxBytes'],
    ]);
    expect(problems[0]?.message).toBe('"10 s" is not a duration (e.g. 200ms, 1.5s, 5m, 1h, or a number of milliseconds)');
    expect(problems[1]?.message).toMatch(/"5XB" is not a size/);
  });

  it('bad and repeated topics in from', async () => {
    const dir = routesDir({
      'r.yaml':
        'routes:\n  - id: t\n    from:\n      - auction.bids\n      - "bad topic"\n      - auction.bids\n    to: { http: { url: "http://x" } }\n',
    });
    const problems = await problemsOf(loadRoutes(dir, { targets }));
    expect(problems.map((p) => [p.line, p.field, p.message])).toEqual([
      [5, 'from[1]', '"bad topic" is not a legal topic name (letters, digits, ".", "_", "-"; at most 249)'],
      [6, 'from', 'lists "auction.bids" more than once'],
    ]);
  });

  it('values the schema cannot judge: backoffMax below backoffDelay, zero timeout, zero maxBytes, too long', async () => {
    const extra =
      '    delivery:\n      backoffDelay: 2s\n      backoffMax: 1s\n      timeout: 0ms\n      batch: { maxBytes: 0MB, maxWait: 30d }\n';
    const dir = routesDir({ 'r.yaml': `routes:\n${route('bids', extra.replace('30d', '600h'))}` });
    const problems = await problemsOf(loadRoutes(dir, { targets }));
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [8, 'delivery.backoffMax'],
      [9, 'delivery.timeout'],
      [10, 'delivery.batch.maxBytes'],
      [10, 'delivery.batch.maxWait'],
    ]);
    expect(problems[0]?.message).toMatch(/must not be below backoffDelay \(1000 ms < 2000 ms\)/);
  });

  it('duplicate id across files: the second occurrence, pointing at the first', async () => {
    const dir = routesDir({ 'a.yaml': `routes:\n${route('bids')}`, 'b.yaml': `# other\nroutes:\n${route('x')}${route('bids')}` });
    const problems = await problemsOf(loadRoutes(dir, { targets }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: join(dir, 'b.yaml'), line: 7, route: 'bids', field: 'id' });
    expect(problems[0]?.message).toBe(`duplicate route id "bids": already defined at ${join(dir, 'a.yaml')}:2`);
  });

  it('duplicate id within one file', async () => {
    const dir = routesDir({ 'a.yaml': `routes:\n${route('bids')}${route('bids')}` });
    const problems = await problemsOf(loadRoutes(dir, { targets }));
    expect(problems.map((p) => [p.line, p.field])).toEqual([[6, 'id']]);
  });

  it('unknown target kind lists the known kinds', async () => {
    const p = await onlyProblem('routes:\n  - id: to-lambda\n    from: [t]\n    to:\n      lambda: { function: f }\n');
    expect(p).toMatchObject({ line: 5, route: 'to-lambda', field: 'to.lambda' });
    expect(p.message).toBe('unknown target kind "lambda" (known: http, kafka)');
  });

  it('two target kinds, or none', async () => {
    const dir = routesDir({
      'r.yaml':
        'routes:\n  - id: two\n    from: [t]\n    to: { http: { url: "http://x" }, kafka: { topic: t } }\n  - id: none\n    from: [t]\n    to: {}\n',
    });
    const problems = await problemsOf(loadRoutes(dir, { targets }));
    expect(problems.map((p) => [p.line, p.route, p.field])).toEqual([
      [4, 'two', 'to'],
      [7, 'none', 'to'],
    ]);
    expect(problems[0]?.message).toMatch(/exactly one target kind.*found http, kafka/);
    expect(problems[1]?.message).toMatch(/found none/);
  });

  it("the target's own schema judges its config", async () => {
    const p = await onlyProblem('routes:\n  - id: hook\n    from: [t]\n    to:\n      http:\n        mode: binary\n        url: ftp://x\n');
    expect(p).toMatchObject({ line: 7, route: 'hook', field: 'to.http.url' });
    expect(p.message).toMatch(/must match pattern/);
  });

  it('bad CESQL: the position inside the expression', async () => {
    const p = await onlyProblem(`routes:\n${route('s', '    when:\n      - exact: { type: t }\n      - sql: "source LIKE \'x%\' AND"\n')}`);
    expect(p).toMatchObject({ line: 8, route: 's', field: 'when[1].sql' });
    expect(p.message).toMatch(/^CESQL parse error: .* \(expression line 1, column 21\)$/);
  });

  it('bad CESQL in a literal block: the file line of the error', async () => {
    const p = await onlyProblem(`routes:\n${route('s', "    when:\n      - sql: |\n          source = 'a'\n          AND type LIKE 5\n")}`);
    expect(p).toMatchObject({ line: 9, route: 's', field: 'when[0].sql' });
    expect(p.message).toMatch(/expression line 2, column/);
  });

  it('bad pattern: the path inside the pattern', async () => {
    const p = await onlyProblem(
      `routes:\n${route('p', '    when:\n      - any:\n          - pattern: { data: { amount: [{ numeric: [">", "x"] }] } }\n')}`,
    );
    expect(p).toMatchObject({ line: 8, route: 'p', field: 'when[0].any[0].pattern.data.amount[0].numeric[1]' });
    expect(p.message).toBe('must be a JSON number');
  });

  it('bad filters: unknown dialect and a filter with two dialects', async () => {
    const dir = routesDir({
      'r.yaml': `routes:\n${route('f', '    when:\n      - regex: { type: x }\n      - { exact: { type: a }, prefix: { type: b } }\n')}`,
    });
    const [p] = await problemsOf(loadRoutes(dir, { targets }));
    // compileFilters stops at the first bad filter
    expect(p).toMatchObject({ line: 7, route: 'f', field: 'when[0].regex' });
    expect(p?.message).toMatch(/unsupported filter dialect "regex"/);
  });

  it('filters are checked even when another field of the route is wrong', async () => {
    const dir = routesDir({
      'r.yaml': 'routes:\n  - id: f\n    from: []\n    when: [{ exact: { Type: x } }]\n    to: { http: { url: "http://x" } }\n',
    });
    const problems = await problemsOf(loadRoutes(dir, { targets }));
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'from'],
      [4, 'when[0].exact.Type'],
    ]);
  });

  it('a route without an id is named by its position; a bad id by its value', async () => {
    const dir = routesDir({
      'r.yaml': `routes:\n${route('ok')}  - from: [t]\n    to: { http: { url: "http://x" } }\n  - id: Bad_Id\n    from: [t]\n    to: { http: { url: "http://x" } }\n`,
    });
    const problems = await problemsOf(loadRoutes(dir, { targets }));
    expect(problems.map((p) => p.path.slice(dir.length + 1))).toEqual(['r.yaml:6 routes[1] id', 'r.yaml:8 route Bad_Id id']);
    expect(problems[0]?.message).toBe('missing required key "id"');
    expect(problems[1]?.message).toMatch(/route id "Bad_Id" must be 1-63 characters/);
  });

  it('file-level problems have no route part', async () => {
    const p = await onlyProblem(`routes: []\nrutes: []\n`);
    expect(p).toMatchObject({ line: 2, field: 'rutes' });
    expect(p.route).toBeUndefined();
    expect(p.message).toMatch(/unknown key "rutes"/);
  });

  it('collects every problem of every file, sorted by file and line, in one CW_ROUTE_INVALID', async () => {
    const dir = routesDir({
      'b.yaml': `routes:\n${route('b', '    delivery: { ordering: random }\n')}`,
      'a.yml': `routes:\n${route('a', '    enabled: maybe\n')}`,
    });
    const problems = await problemsOf(loadRoutes(dir, { targets }));
    expect(problems.map((p) => p.path.slice(dir.length + 1))).toEqual(['a.yml:6 route a enabled', 'b.yaml:6 route b delivery.ordering']);
    expect(problems[1]?.message).toBe('must be one of key, partition, none (got "random")');
  });

  it('a missing directory is an error unless allowed', async () => {
    const dir = join(routesDir(), 'nope');
    const [p] = await problemsOf(loadRoutes(dir, { targets }));
    expect(p?.path).toBe(dir);
    expect((await loadRoutes(dir, { targets, allowMissingDir: true })).routes).toEqual([]);
  });
});

describe('loadRoutes: the compiled form', () => {
  it('applies every default', async () => {
    const dir = routesDir({ 'r.yaml': `routes:\n${route('bids')}` });
    const set = await loadRoutes(dir, { targets });
    const r = set.byId.get('bids');
    expect(r).toMatchObject({
      id: 'bids',
      file: join(dir, 'r.yaml'),
      line: 2,
      description: undefined,
      from: ['auction.bids'],
      when: [],
      enabled: true,
      target: { kind: 'http', config: { url: 'http://127.0.0.1:9/x' } },
    });
    expect(r?.delivery).toEqual({
      ordering: 'key',
      concurrency: 16,
      batch: { maxEvents: 1, maxBytes: 1024 * 1024, maxWaitMs: 0 },
      retry: 8,
      backoffPolicy: 'exponential',
      backoffDelayMs: 200,
      backoffMaxMs: 30_000,
      timeoutMs: 10_000,
      deadLetterTopic: 'causeway.dlq.bids',
      maxHops: 8,
    });
    expect(r?.filter.matches({ attributes: { type: 'anything' }, data: () => undefined })).toBe(true);
    expect(set.files).toEqual([join(dir, 'r.yaml')]);
  });

  it('parses durations and sizes and keeps explicit values', async () => {
    const extra = [
      '    enabled: false',
      '    delivery:',
      '      ordering: none',
      '      concurrency: 4',
      '      batch: { maxEvents: 10, maxBytes: 512KB, maxWait: 1.5s }',
      '      retry: 0',
      '      backoffPolicy: linear',
      '      backoffDelay: 50',
      '      backoffMax: 5m',
      '      timeout: 1h',
      '      rateLimit: { perSecond: 2.5 }',
      '      deadLetter: { topic: dlq.bids }',
      '      maxHops: 3',
      '',
    ].join('\n');
    const set = await loadRoutes(routesDir({ 'r.yaml': `routes:\n${route('bids', extra)}` }), { targets });
    const r = set.byId.get('bids');
    expect(r?.enabled).toBe(false);
    expect(r?.delivery).toEqual({
      ordering: 'none',
      concurrency: 4,
      batch: { maxEvents: 10, maxBytes: 512 * 1024, maxWaitMs: 1500 },
      retry: 0,
      backoffPolicy: 'linear',
      backoffDelayMs: 50,
      backoffMaxMs: 300_000,
      timeoutMs: 3_600_000,
      rateLimit: { perSecond: 2.5, burst: 3 },
      deadLetterTopic: 'dlq.bids',
      maxHops: 3,
    });
  });

  it('compiles the filters (AND of when)', async () => {
    const when =
      "    when:\n      - exact: { type: bid }\n      - sql: \"source LIKE '/auction/%'\"\n      - pattern: { data: { amount: [{ numeric: ['>', 100] }] } }\n";
    const set = await loadRoutes(routesDir({ 'r.yaml': `routes:\n${route('bids', when)}` }), { targets });
    const f = set.byId.get('bids')?.filter;
    const view = (type: string, source: string, amount: number) => ({ attributes: { type, source }, data: () => ({ amount }) });
    expect(f?.matches(view('bid', '/auction/web', 101))).toBe(true);
    expect(f?.matches(view('bid', '/auction/web', 100))).toBe(false);
    expect(f?.matches(view('bid', '/shop', 101))).toBe(false);
    expect(f?.explain(view('bid', '/shop', 101)).failed?.path).toBe('when[1].sql');
  });

  it('reads .yml, skips cases files and dot files, accepts an empty file', async () => {
    const dir = routesDir({
      'a.yml': `routes:\n${route('a')}`,
      'a.cases.yaml': 'cases: []\n',
      '.#a.yaml': 'not: [valid',
      'empty.yaml': '# nothing yet\n',
      'notes.txt': 'x',
    });
    const set = await loadRoutes(dir, { targets });
    expect(set.routes.map((r) => r.id)).toEqual(['a']);
    expect(set.files).toEqual([join(dir, 'a.yml'), join(dir, 'empty.yaml')]);
  });

  it('without targets any kind with an object config is accepted (tools without plug-ins)', async () => {
    const set = await loadRoutes(routesDir({ 'r.yaml': 'routes:\n  - id: l\n    from: [t]\n    to: { lambda: { function: f } }\n' }));
    expect(set.byId.get('l')?.target).toEqual({ kind: 'lambda', config: { function: 'f' } });
  });

  it('accepts a Map of plug-ins as targets', async () => {
    const map = new Map(TARGETS.map((t) => [t.kind, t]));
    const set = await loadRoutes(routesDir({ 'r.yaml': `routes:\n${route('a')}` }), { targets: map });
    expect(set.routes).toHaveLength(1);
    await expect(
      loadRoutes(routesDir({ 'r.yaml': 'routes:\n  - id: l\n    from: [t]\n    to: { lambda: {} }\n' }), { targets: map }),
    ).rejects.toThrow(/unknown target kind/);
  });

  it('the example routes/ directory loads', async () => {
    const set = await loadRoutes(join(new URL('../../..', import.meta.url).pathname, 'routes'), { targets });
    expect(set.routes.map((r) => r.id)).toEqual(['large-bids-to-analytics', 'closed-auctions-to-billing']);
  });
});

describe('fingerprint', () => {
  const load = async (text: string, name = 'r.yaml') =>
    (await loadRoutes(routesDir({ [name]: text }), { targets })).byId.get('bids')?.fingerprint;
  const base = `routes:\n${route('bids', '    when: [{ exact: { type: a, source: b } }]\n    delivery: { timeout: 10s }\n')}`;

  it('is stable across key order, file, description and equivalent spellings', async () => {
    const fp = await load(base);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(await load(base)).toBe(fp);
    expect(await load(base, 'other.yaml')).toBe(fp);
    expect(await load(base.replace('when: [{ exact: { type: a, source: b } }]', 'when: [{ exact: { source: b, type: a } }]'))).toBe(fp);
    expect(await load(base.replace('timeout: 10s', 'timeout: 10000'))).toBe(fp);
    expect(await load(base.replace('delivery: { timeout: 10s }', 'description: new words'))).toBe(fp);
  });

  it('changes with any behaviour', async () => {
    const fp = await load(base);
    const variants = [
      base.replace('type: a', 'type: c'),
      base.replace('timeout: 10s', 'timeout: 11s'),
      base.replace('[auction.bids]', '[auction.bids, auction.items]'),
      base.replace('127.0.0.1:9/x', '127.0.0.1:9/y'),
      base.replace('delivery: { timeout: 10s }', 'enabled: false'),
    ];
    const fps = await Promise.all(variants.map((v) => load(v)));
    for (const other of fps) expect(other).not.toBe(fp);
    expect(new Set(fps).size).toBe(variants.length);
  });
});
