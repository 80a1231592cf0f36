/**
 * The route commands of the CLI (DESIGN §8), as functions that return their output and exit code
 * so that main.ts only prints, and tests call them directly:
 *   causeway routes check [dir]
 *   causeway routes test --event e.json [--route id] [--topic t] [dir]
 *   causeway filter eval --sql EXPR | --pattern JSON --event e.json
 * Exit codes: 0 ok / matched, 1 problems / not matched, 2 the command could not run.
 */
import { readFile } from 'node:fs/promises';
import { CausewayError, type CloudEvent } from '../core/index.js';
import { parseStructuredEvent } from '../codec/index.js';
import { CesqlParseError, compileCesql } from './filters/cesql/index.js';
import { compilePattern, eventView, PatternError } from './filters/index.js';
import { loadRoutes } from './load-routes.js';
import { describeFailure, matchRoutes } from './match.js';
import { runRouteCases } from './route-cases.js';
import { formatProblem, routeProblems } from './route-problem.js';
import type { TargetSchemas } from './route-schema.js';
import type { RouteSet } from './types.js';

export interface CliResult {
  readonly exitCode: number;
  readonly output: string;
}

export interface RouteCliOptions {
  /** The target plug-ins, so `to.<kind>` is checked against their schemas (see LoadRoutesOptions). */
  readonly targets?: TargetSchemas;
}

const done = (exitCode: number, lines: readonly string[]): CliResult => ({
  exitCode,
  output: lines.length === 0 ? '' : `${lines.join('\n')}\n`,
});
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Loads the rules, or the CLI result that reports why not. */
async function load(dir: string, opts: RouteCliOptions, exitCode: number): Promise<RouteSet | CliResult> {
  try {
    return await loadRoutes(dir, opts.targets === undefined ? {} : { targets: opts.targets });
  } catch (e) {
    const problems = routeProblems(e);
    if (problems.length === 0) throw e;
    return done(exitCode, [...problems.map(formatProblem), `${plural(problems.length, 'problem')} in ${dir}`]);
  }
}

const isResult = (v: RouteSet | CliResult): v is CliResult => 'exitCode' in v;

/** `causeway routes check [dir]`: validates every rule file, then runs every cases file. */
export async function routesCheck(dir: string, opts: RouteCliOptions = {}): Promise<CliResult> {
  const set = await load(dir, opts, 1);
  if (isResult(set)) return set;
  const out = [`routes ok: ${plural(set.routes.length, 'route')} in ${plural(set.files.length, 'file')} (${dir})`];
  const cases = await runRouteCases(dir, set);
  out.push(...cases.problems.map(formatProblem));
  for (const f of cases.failed) {
    out.push(`✗ ${f.file}:${f.line} case ${JSON.stringify(f.name)}: expected [${f.expected.join(', ')}], matched [${f.actual.join(', ')}]`);
    out.push(...f.details.map((d) => `    ${d}`));
  }
  if (cases.files.length > 0 || cases.problems.length > 0) {
    out.push(`cases: ${cases.passed} passed, ${cases.failed.length} failed in ${plural(cases.files.length, 'file')}`);
  }
  return done(cases.failed.length > 0 || cases.problems.length > 0 ? 1 : 0, out);
}

/** Reads a structured-mode CloudEvent JSON file, or says why it cannot. */
async function readEvent(file: string): Promise<CloudEvent | CliResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    return done(2, [`cannot read event file ${file}: ${e instanceof Error ? e.message : String(e)}`]);
  }
  try {
    return parseStructuredEvent(bytes);
  } catch (e) {
    if (!(e instanceof CausewayError)) throw e;
    return done(2, [`${file} is not a CloudEvent in the JSON format: ${e.message}`, ...e.errors.map((i) => `  ${i.path}: ${i.message}`)]);
  }
}

const isEvent = (v: CloudEvent | CliResult): v is CloudEvent => 'attributes' in v;

/**
 * `causeway routes test --event e.json [--route id] [--topic t]`: one line per route, `✓ id` or
 * `✗ id — failed <path>: <condition> — <reason>`. Exit 0 when the route (or, without --route,
 * any route) matches, 1 when not.
 */
export async function routesTest(
  dir: string,
  eventFile: string,
  routeId?: string,
  opts: RouteCliOptions & { topic?: string } = {},
): Promise<CliResult> {
  const set = await load(dir, opts, 2);
  if (isResult(set)) return set;
  if (routeId !== undefined && !set.byId.has(routeId)) {
    return done(2, [`no route ${JSON.stringify(routeId)} in ${dir} (routes: ${set.routes.map((r) => r.id).join(', ') || 'none'})`]);
  }
  const ev = await readEvent(eventFile);
  if (!isEvent(ev)) return ev;
  const results = matchRoutes(set, ev, opts.topic).filter((r) => routeId === undefined || r.route.id === routeId);
  const lines = results.map((r) =>
    r.matched ? `✓ ${r.route.id}` : `✗ ${r.route.id} — failed ${r.failed === undefined ? '(no reason)' : describeFailure(r.failed)}`,
  );
  if (results.length === 0) lines.push(`no routes in ${dir}`);
  return done(results.some((r) => r.matched) ? 0 : 1, lines);
}

/** The expression with a caret under `column` of `line` (1-based), for parse errors. */
function caret(source: string, line: number, column: number): string[] {
  const text = source.split('\n')[line - 1] ?? '';
  return [`  ${text}`, `  ${' '.repeat(Math.max(0, column - 1))}^`];
}

const showValue = (v: string | number | boolean): string => (typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : JSON.stringify(v));

function evalSql(sql: string, ev: CloudEvent): CliResult {
  let expr;
  try {
    expr = compileCesql(sql);
  } catch (e) {
    if (!(e instanceof CesqlParseError)) throw e;
    return done(2, [e.message, ...caret(sql, e.line, e.column)]);
  }
  const r = expr.evaluate(ev.attributes);
  const matched = r.errors.length === 0 && r.value === true; // SQL-M29
  const lines = [String(matched), `value: ${showValue(r.value)}`];
  for (const err of r.errors)
    lines.push(`error (${err.kind}): ${err.message}${err.position === undefined ? '' : ` at offset ${err.position}`}`);
  return done(matched ? 0 : 1, lines);
}

function evalPattern(text: string, ev: CloudEvent): CliResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return done(2, [`--pattern is not JSON: ${e instanceof Error ? e.message : String(e)}`]);
  }
  let pattern;
  try {
    pattern = compilePattern(json, '');
  } catch (e) {
    if (!(e instanceof PatternError)) throw e;
    return done(2, [`invalid pattern at ${e.path === '' ? '(root)' : e.path}: ${e.reason}`]);
  }
  const ex = pattern.explain(eventView(ev));
  if (ex.matched) return done(0, ['true']);
  return done(1, ['false', `failed at ${ex.path ?? '(root)'}: ${JSON.stringify(ex.pattern)}`]);
}

/** `causeway filter eval --sql EXPR | --pattern JSON --event e.json`. */
export async function filterEval(args: { sql?: string; pattern?: string; eventFile?: string }): Promise<CliResult> {
  if ((args.sql === undefined) === (args.pattern === undefined))
    return done(2, ['filter eval needs exactly one of --sql EXPR or --pattern JSON']);
  if (args.eventFile === undefined) return done(2, ['filter eval needs --event FILE (a CloudEvent in the JSON format)']);
  const ev = await readEvent(args.eventFile);
  if (!isEvent(ev)) return ev;
  return args.sql !== undefined ? evalSql(args.sql, ev) : evalPattern(args.pattern as string, ev);
}
