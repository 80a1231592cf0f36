/**
 * Cases files (`routes/<name>.cases.yaml`): sample events kept next to the rules, each with the
 * exact list of route ids it must match, so a rules change is tested in CI like code:
 *
 *   cases:
 *     - name: a large bid goes to analytics
 *       topic: auction.bids            # optional: routes that do not read it do not match
 *       event: { specversion: "1.0", id: b-1, source: /auction/web, type: …, data: {…} }
 *       expect: [large-bids-to-analytics]
 *
 * `expect` is the whole answer: a route that matches without being listed fails the case too.
 */
import { readFile } from 'node:fs/promises';
import { CausewayError, type CloudEvent } from '../core/index.js';
import { parseStructuredEvent } from '../codec/index.js';
import { formatSegments, locate } from './locate-node.js';
import { listRouteFiles, parseYamlFile } from './load-routes.js';
import { describeFailure, matchRoutes } from './match.js';
import { problem } from './route-problem.js';
import type { RouteProblem, RouteSet } from './types.js';
import { compileValidator } from './validate-route-file.js';

export const CASES_FILE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['cases'],
  properties: {
    cases: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'event', 'expect'],
        properties: {
          name: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          topic: { type: 'string', minLength: 1 },
          event: { type: 'object', description: 'A CloudEvent in the JSON format (structured mode)' },
          expect: { type: 'array', uniqueItems: true, items: { type: 'string' } },
        },
      },
    },
  },
} as const;

export interface CaseFailure {
  readonly file: string;
  /** Line of the case (`- name:`). */
  readonly line: number;
  readonly name: string;
  readonly expected: readonly string[];
  readonly actual: readonly string[];
  /** What went wrong, one item per route that differs (with the failing filter) or the event error. */
  readonly details: readonly string[];
}

export interface CasesResult {
  readonly passed: number;
  readonly failed: readonly CaseFailure[];
  /** Cases files that could not be read as cases (YAML or structure errors). */
  readonly problems: readonly RouteProblem[];
  readonly files: readonly string[];
}

let validator: ReturnType<typeof compileValidator> | undefined;

interface RawCase {
  name: string;
  topic?: string;
  event: Record<string, unknown>;
  expect: string[];
}

/** The event of a case, or why it is not a CloudEvent. */
export function caseEvent(event: unknown): { event?: CloudEvent; error?: string } {
  try {
    return { event: parseStructuredEvent(new TextEncoder().encode(JSON.stringify(event))) };
  } catch (e) {
    if (!(e instanceof CausewayError)) throw e;
    const items = e.errors.map((i) => `${i.path === '' ? '' : `${i.path}: `}${i.message}`);
    return { error: `invalid CloudEvent: ${e.message}${items.length > 0 ? ` (${items.join('; ')})` : ''}` };
  }
}

function runCase(set: RouteSet, c: RawCase, file: string, line: number): CaseFailure | undefined {
  const fail = (actual: string[], details: string[]): CaseFailure => ({ file, line, name: c.name, expected: c.expect, actual, details });
  const { event, error } = caseEvent(c.event);
  if (event === undefined) return fail([], [error ?? 'invalid event']);
  const results = matchRoutes(set, event, c.topic);
  const actual = results.filter((r) => r.matched).map((r) => r.route.id);
  const details: string[] = [];
  for (const id of c.expect) if (!set.byId.has(id)) details.push(`expected route ${JSON.stringify(id)} does not exist`);
  for (const r of results) {
    const wanted = c.expect.includes(r.route.id);
    if (wanted && !r.matched)
      details.push(`${r.route.id} should match but does not: ${r.failed === undefined ? 'no reason given' : describeFailure(r.failed)}`);
    if (!wanted && r.matched) details.push(`${r.route.id} matches but is not in expect`);
  }
  return details.length === 0 ? undefined : fail(actual, details);
}

/** Runs every `*.cases.yaml` / `*.cases.yml` of `dir` against `set`. */
export async function runRouteCases(dir: string, set: RouteSet): Promise<CasesResult> {
  const files = (await listRouteFiles(dir))?.cases ?? [];
  let passed = 0;
  const failed: CaseFailure[] = [];
  const problems: RouteProblem[] = [];
  for (const file of files) {
    const { parsed, problems: yamlProblems } = parseYamlFile(await readFile(file, 'utf8'), file);
    problems.push(...yamlProblems);
    if (parsed === undefined || parsed.value === null || parsed.value === undefined) continue;
    const { doc, lines, value } = parsed;
    const schemaProblems = (validator ??= compileValidator(CASES_FILE_SCHEMA))(value);
    for (const p of schemaProblems)
      problems.push(problem(file, locate(doc, lines, p.at).line, undefined, formatSegments(p.field), p.message));
    if (schemaProblems.length > 0) continue;
    (value as { cases: RawCase[] }).cases.forEach((c, i) => {
      const failure = runCase(set, c, file, locate(doc, lines, ['cases', i]).line);
      if (failure === undefined) passed++;
      else failed.push(failure);
    });
  }
  return { passed, failed, problems, files };
}
