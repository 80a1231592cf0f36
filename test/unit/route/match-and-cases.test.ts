import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../src/core/index.js';
import { loadRoutes, matchRoutes, routesReport, runRouteCases } from '../../../src/route/index.js';
import { bidEvent, repoRoot, route, routesDir, TARGETS } from './route-fixtures.js';

const targets = TARGETS;
const enc = new TextEncoder();

function ce(attrs: Record<string, string>, data?: unknown): CloudEvent {
  return {
    attributes: { specversion: '1.0', id: '1', source: '/auction/web', type: 'bid', ...attrs },
    data: data === undefined ? undefined : enc.encode(JSON.stringify(data)),
  };
}

const RULES = `routes:
${route('big', "    when:\n      - exact: { type: bid }\n      - pattern: { data: { amount: [{ numeric: ['>', 100] }] } }\n")}${route('all-bids', '    when: [{ exact: { type: bid } }]\n')}${route('off', '    enabled: false\n')}  - id: items
    from: [auction.items]
    when: [{ sql: "source LIKE '/auction/%'" }]
    to: { kafka: { topic: out } }
`;

describe('matchRoutes', () => {
  it('explains every route: enabled, then topic, then the failing filter', async () => {
    const set = await loadRoutes(routesDir({ 'r.yaml': RULES }), { targets });
    const res = matchRoutes(set, ce({}, { amount: 50 }), 'auction.bids');
    expect(res.map((r) => [r.route.id, r.matched, r.failed?.path])).toEqual([
      ['big', false, 'when[1].pattern.data.amount'],
      ['all-bids', true, undefined],
      ['off', false, 'enabled'],
      ['items', false, 'from'],
    ]);
    expect(res[3]?.failed?.reason).toBe('the route does not read topic "auction.bids"');
  });

  it('without a topic only the filters decide', async () => {
    const set = await loadRoutes(routesDir({ 'r.yaml': RULES }), { targets });
    const res = matchRoutes(set, ce({}, { amount: 500 }));
    expect(res.filter((r) => r.matched).map((r) => r.route.id)).toEqual(['big', 'all-bids', 'items']);
  });
});

describe('runRouteCases', () => {
  it('passes the example routes/auction.cases.yaml', async () => {
    const dir = join(repoRoot, 'routes');
    const result = await runRouteCases(dir, await loadRoutes(dir, { targets }));
    expect(result.problems).toEqual([]);
    expect(result.failed).toEqual([]);
    expect(result.passed).toBeGreaterThanOrEqual(4);
  });

  it('reports a case whose matches differ, with the line, both lists and why', async () => {
    const cases = `cases:
  - name: large bid
    topic: auction.bids
    event: ${JSON.stringify(bidEvent())}
    expect: [big, all-bids]
  - name: wrong expectations
    topic: auction.bids
    event: ${JSON.stringify(bidEvent({ data: { amount: 10 } }))}
    expect: [big, ghost]
`;
    const dir = routesDir({ 'r.yaml': RULES.replaceAll('type: bid', 'type: com.example.auction.bid.placed'), 'r.cases.yaml': cases });
    const result = await runRouteCases(dir, await loadRoutes(dir, { targets }));
    expect(result.passed).toBe(1);
    expect(result.failed).toHaveLength(1);
    const f = result.failed[0];
    expect(f).toMatchObject({
      file: join(dir, 'r.cases.yaml'),
      line: 6,
      name: 'wrong expectations',
      expected: ['big', 'ghost'],
      actual: ['all-bids'],
    });
    expect(f?.details).toEqual([
      'expected route "ghost" does not exist',
      expect.stringMatching(/^big should match but does not: when\[1\]\.pattern\.data\.amount: /),
      'all-bids matches but is not in expect',
    ]);
  });

  it('an event that is not a CloudEvent fails its case; a malformed cases file is a problem with its line', async () => {
    const dir = routesDir({
      'r.yaml': RULES,
      'a.cases.yaml': 'cases:\n  - name: no id\n    event: { specversion: "1.0", source: /x, type: bid }\n    expect: []\n',
      'b.cases.yml': 'cases:\n  - name: typo\n    event: {}\n    expcet: []\n',
    });
    const result = await runRouteCases(dir, await loadRoutes(dir, { targets }));
    expect(result.failed.map((f) => [f.name, f.line])).toEqual([['no id', 2]]);
    expect(result.failed[0]?.details[0]).toMatch(/^invalid CloudEvent: .*id/);
    expect(result.problems.map((p) => [p.line, p.field])).toEqual([
      [2, 'cases[0].expect'],
      [4, 'cases[0].expcet'],
    ]);
  });
});

describe('routesReport (GET /admin/routes)', () => {
  it('is plain JSON and masks secret-looking config values', async () => {
    const rules =
      'routes:\n  - id: h\n    from: [t]\n    to: { hook: { url: "http://x", headers: { authorization: Bearer abc, x-team: blue }, signing: { secretEnv: K } } }\n';
    const set = await loadRoutes(routesDir({ 'r.yaml': rules }));
    const report = JSON.parse(JSON.stringify(routesReport(set))) as { routes: { target: unknown; delivery: { timeoutMs: number } }[] };
    expect(report.routes[0]?.target).toEqual({
      kind: 'hook',
      config: { url: 'http://x', headers: { authorization: '***', 'x-team': 'blue' }, signing: { secretEnv: '***' } },
    });
    expect(report.routes[0]?.delivery.timeoutMs).toBe(10_000);
  });
});
