import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterEval, routesCheck, routesTest } from '../../../src/route/index.js';
import { bidEvent, repoRoot, route, routesDir, TARGETS } from './route-fixtures.js';

const targets = TARGETS;
const RULES = `routes:
${route('big', "    when:\n      - exact: { type: com.example.auction.bid.placed }\n      - sql: \"source LIKE '/auction/%'\"\n      - pattern: { data: { amount: [{ numeric: ['>', 100] }] } }\n")}${route('any-bid')}`;

function eventFile(dir: string, ev: Record<string, unknown> = bidEvent()): string {
  const file = join(dir, 'e.json');
  writeFileSync(file, JSON.stringify(ev));
  return file;
}

describe('causeway routes check', () => {
  it('passes the example routes/ directory (rules and cases)', async () => {
    const r = await routesCheck(join(repoRoot, 'routes'), { targets });
    expect(r.output).toBe(`routes ok: 2 routes in 1 file (${join(repoRoot, 'routes')})\ncases: 5 passed, 0 failed in 1 file\n`);
    expect(r.exitCode).toBe(0);
  });

  it('prints every problem as file:line route field: message', async () => {
    const dir = routesDir({ 'r.yaml': `routes:\n${route('a', '    delivery: { retry: -1 }\n')}${route('a')}` });
    const r = await routesCheck(dir, { targets });
    expect(r.exitCode).toBe(1);
    expect(r.output).toBe(
      `${dir}/r.yaml:6 route a delivery.retry: must be >= 0 (got -1)\n` +
        `${dir}/r.yaml:7 route a id: duplicate route id "a": already defined at ${dir}/r.yaml:2\n` +
        `2 problems in ${dir}\n`,
    );
  });

  it('fails on a failing case and names it', async () => {
    const cases = `cases:\n  - name: small bid\n    event: ${JSON.stringify(bidEvent({ data: { amount: 1 } }))}\n    expect: [big, any-bid]\n`;
    const dir = routesDir({ 'r.yaml': RULES, 'r.cases.yaml': cases });
    const r = await routesCheck(dir, { targets });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain(
      `✗ ${dir}/r.cases.yaml:2 case "small bid": expected [big, any-bid], matched [any-bid]\n    big should match but does not: when[2].pattern`,
    );
    expect(r.output).toMatch(/cases: 0 passed, 1 failed in 1 file\n$/);
  });
});

describe('causeway routes test', () => {
  it('prints ✓/✗ per route with the failing condition', async () => {
    const dir = routesDir({ 'r.yaml': RULES });
    const r = await routesTest(dir, eventFile(dir, bidEvent({ source: '/shop' })), undefined, { targets });
    expect(r.output).toBe(
      `✗ big — failed when[1].sql: {"sql":"source LIKE '/auction/%'"} — the expression is FALSE for this event\n✓ any-bid\n`,
    );
    expect(r.exitCode).toBe(0);
  });

  it('--route limits the output and the exit code to that route; --topic checks from', async () => {
    const dir = routesDir({ 'r.yaml': RULES });
    const file = eventFile(dir);
    expect(await routesTest(dir, file, 'big', { targets })).toEqual({ exitCode: 0, output: '✓ big\n' });
    const other = await routesTest(dir, file, 'big', { targets, topic: 'auction.items' });
    expect(other).toEqual({
      exitCode: 1,
      output: '✗ big — failed from: ["auction.bids"] — the route does not read topic "auction.items"\n',
    });
  });

  it('exit 2 for an unknown route id, a bad event file or invalid rules', async () => {
    const dir = routesDir({ 'r.yaml': RULES });
    expect((await routesTest(dir, eventFile(dir), 'nope', { targets })).output).toBe(`no route "nope" in ${dir} (routes: big, any-bid)\n`);
    const bad = eventFile(dir, { specversion: '1.0', type: 'x' });
    const r = await routesTest(dir, bad, undefined, { targets });
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^.*e\.json is not a CloudEvent in the JSON format: /);
    expect((await routesTest(dir, join(dir, 'missing.json'), undefined, { targets })).exitCode).toBe(2);
    writeFileSync(join(dir, 'r.yaml'), 'routes: [1]\n');
    expect((await routesTest(dir, eventFile(dir), undefined, { targets })).exitCode).toBe(2);
  });
});

describe('causeway filter eval', () => {
  it('--sql prints the decision, the value and the errors', async () => {
    const file = eventFile(routesDir());
    expect(await filterEval({ sql: "source LIKE '/auction/%'", eventFile: file })).toEqual({ exitCode: 0, output: 'true\nvalue: TRUE\n' });
    expect(await filterEval({ sql: 'LENGTH(type)', eventFile: file })).toEqual({ exitCode: 1, output: 'false\nvalue: 30\n' });
    expect(await filterEval({ sql: 'amount > 3', eventFile: file })).toEqual({
      exitCode: 1,
      output: "false\nvalue: FALSE\nerror (missingAttribute): missing attribute 'amount' at offset 0\n",
    });
  });

  it('--sql parse errors show the position', async () => {
    const r = await filterEval({ sql: "type = 'a' AND (", eventFile: eventFile(routesDir()) });
    expect(r.exitCode).toBe(2);
    expect(r.output).toBe(
      "CESQL parse error: unexpected end of expression, expected an expression (line 1, column 17)\n  type = 'a' AND (\n                  ^\n",
    );
  });

  it('--pattern prints true, or false with the failing part', async () => {
    const file = eventFile(routesDir());
    expect(await filterEval({ pattern: '{"data":{"amount":[{"numeric":[">",100]}]}}', eventFile: file })).toEqual({
      exitCode: 0,
      output: 'true\n',
    });
    expect(await filterEval({ pattern: '{"data":{"currency":["USD"]}}', eventFile: file })).toEqual({
      exitCode: 1,
      output: 'false\nfailed at data.currency: ["USD"]\n',
    });
    expect(await filterEval({ pattern: '{"data":{"amount":[{"numeric":[">"]}]}}', eventFile: file })).toMatchObject({ exitCode: 2 });
    expect(await filterEval({ pattern: '{nope', eventFile: file })).toMatchObject({
      exitCode: 2,
      output: expect.stringMatching(/^--pattern is not JSON/),
    });
  });

  it('needs exactly one of --sql and --pattern, and --event', async () => {
    expect((await filterEval({ eventFile: 'x' })).exitCode).toBe(2);
    expect((await filterEval({ sql: 'true', pattern: '{}', eventFile: 'x' })).exitCode).toBe(2);
    expect((await filterEval({ sql: 'true' })).output).toMatch(/needs --event/);
  });
});
