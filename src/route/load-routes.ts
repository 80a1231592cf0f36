/**
 * routes/*.yaml → RouteSet. Every file is parsed with line positions, validated against the
 * rule schema (with the target plug-ins' config schemas), and compiled; route ids must be unique
 * across files. Fail closed (DESIGN §5): any problem throws CW_ROUTE_INVALID listing all of them,
 * each as `<file>:<line> route <id> <field>`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument, type Document, type Scalar } from 'yaml';
import { compileRoute, compileWhen, type CompileProblem } from './compile-route.js';
import type { FilterOptions } from './filters/index.js';
import { formatSegments, locate, nodeLine, type Segment } from './locate-node.js';
import { problem, routeInvalid } from './route-problem.js';
import type { TargetSchemas } from './route-schema.js';
import type { CompiledRoute, RouteProblem, RouteSet } from './types.js';
import { routeFileValidator, type SchemaProblem } from './validate-route-file.js';

export interface LoadRoutesOptions {
  /**
   * The target plug-ins (or just their kinds and config schemas). `to.<kind>` must name one of
   * them and satisfy its configSchema. Absent: any kind is accepted with an object config — only
   * for tools that run without the plug-ins; the server always passes them.
   */
  readonly targets?: TargetSchemas;
  /** Passed to compileFilters: e.g. `onError` to count filter evaluation errors. */
  readonly filterOptions?: FilterOptions;
  /** A missing directory is an empty rule set instead of an error. */
  readonly allowMissingDir?: boolean;
}

const isCasesFile = (name: string): boolean => /\.cases\.ya?ml$/.test(name);
/** Dot files are skipped: editors' swap and lock files (`.#auction.yaml`, `.auction.yaml.swp`). */
const isYaml = (name: string): boolean => !name.startsWith('.') && /\.ya?ml$/.test(name);

/** Rule files and cases files of `dir`, sorted, as `join(dir, name)`; undefined if `dir` is missing. */
export async function listRouteFiles(dir: string): Promise<{ rules: string[]; cases: string[] } | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
  const files: string[] = [];
  for (const name of names.filter(isYaml).sort()) {
    // stat follows symlinks (Kubernetes ConfigMap volumes are symlinks); a file gone meanwhile is skipped.
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isFile() === true) files.push(name);
  }
  return {
    rules: files.filter((n) => !isCasesFile(n)).map((n) => join(dir, n)),
    cases: files.filter(isCasesFile).map((n) => join(dir, n)),
  };
}

/** yaml's messages end with " at line L, column C:" and a code frame; we give the line ourselves. */
export function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

export interface ParsedYaml {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly value: unknown;
}

/** Parses one YAML file; problems carry the line of each syntax error. */
export function parseYamlFile(text: string, file: string): { parsed?: ParsedYaml; problems: RouteProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => problem(file, e.linePos?.[0].line ?? 1, undefined, '', `invalid YAML: ${yamlMessage(e.message)}`)),
    };
  }
  return { parsed: { doc, lines, value: doc.toJS({ maxAliasCount: 100 }) as unknown }, problems: [] };
}

interface FileRoutes {
  readonly routes: CompiledRoute[];
  /** Ids with the line of their route, for the uniqueness check across files. */
  readonly ids: { id: string; line: number }[];
  readonly problems: RouteProblem[];
}

/** `routes[i].id` when it is a usable label, else `routes[i]`. */
function routeLabel(value: unknown, i: number): string {
  const routes = (value as { routes?: unknown } | null)?.routes;
  const id = Array.isArray(routes) ? (routes[i] as { id?: unknown } | null)?.id : undefined;
  return typeof id === 'string' && id !== '' ? id : `routes[${i}]`;
}

/**
 * A route the schema refused is not compiled, but its filters still are when `when` itself is
 * well-formed, so that one run reports the filter mistakes too.
 */
function compileFiltersOnly(
  raw: unknown,
  i: number,
  schemaProblems: readonly SchemaProblem[],
  opts: LoadRoutesOptions,
): { route?: undefined; problems: CompileProblem[] } {
  const when = (raw as { when?: unknown } | null)?.when;
  const whenIsBad = schemaProblems.some((p) => p.field[1] === i && p.field[2] === 'when');
  if (!Array.isArray(when) || whenIsBad) return { problems: [] };
  const problems: CompileProblem[] = [];
  compileWhen(when, opts.filterOptions ?? {}, problems);
  return { problems };
}

function parseRuleFile(text: string, file: string, opts: LoadRoutesOptions): FileRoutes {
  const out: FileRoutes = { routes: [], ids: [], problems: [] };
  const { parsed, problems } = parseYamlFile(text, file);
  if (parsed === undefined) return { ...out, problems };
  const { doc, lines, value } = parsed;
  if (value === null || value === undefined) return out; // an empty file declares no routes
  const report = (at: readonly Segment[], field: readonly Segment[], message: string, line?: number): void => {
    const inRoute = field[0] === 'routes' && typeof field[1] === 'number';
    const label = inRoute ? routeLabel(value, field[1] as number) : undefined;
    out.problems.push(problem(file, line ?? locate(doc, lines, at).line, label, formatSegments(inRoute ? field.slice(2) : field), message));
  };

  const schemaProblems = routeFileValidator(opts.targets)(value);
  for (const p of schemaProblems) report(p.at, p.field, p.message);
  const routes = (value as { routes?: unknown }).routes;
  if (!Array.isArray(routes)) return out;
  const badRoutes = new Set(schemaProblems.filter((p) => p.field[0] === 'routes' && typeof p.field[1] === 'number').map((p) => p.field[1]));

  routes.forEach((raw: unknown, i) => {
    const line = locate(doc, lines, ['routes', i]).line;
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'string') out.ids.push({ id, line: locate(doc, lines, ['routes', i, 'id']).line });
    const result = badRoutes.has(i)
      ? compileFiltersOnly(raw, i, schemaProblems, opts)
      : compileRoute(raw as Record<string, unknown>, { file, line }, opts.filterOptions);
    for (const p of result.problems) {
      const at = ['routes', i, ...p.field];
      let exprLine: number | undefined;
      if (p.expressionLine !== undefined) {
        // A literal block (`sql: |`) keeps the expression's lines: point at the very line.
        const node = locate(doc, lines, at).node as Scalar | undefined;
        if (node?.type === 'BLOCK_LITERAL') exprLine = nodeLine(lines, node) + p.expressionLine;
      }
      report(at, at, p.message, exprLine);
    }
    if (result.route !== undefined) out.routes.push(result.route);
  });
  return out;
}

/** Loads, validates and compiles every rule file of `dir`; throws CW_ROUTE_INVALID listing every problem. */
export async function loadRoutes(dir: string, opts: LoadRoutesOptions = {}): Promise<RouteSet> {
  const listed = await listRouteFiles(dir);
  if (listed === undefined) {
    if (opts.allowMissingDir === true) return { routes: [], byId: new Map(), loadedAt: new Date(), files: [] };
    throw routeInvalid(dir, [problem(dir, 0, undefined, '', 'the routes directory does not exist')]);
  }
  const problems: RouteProblem[] = [];
  const routes: CompiledRoute[] = [];
  const files: string[] = [];
  const seen = new Map<string, string>();
  for (const file of listed.rules) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // renamed away while we listed (editor save)
      throw e;
    }
    files.push(file);
    const r = parseRuleFile(text, file, opts);
    problems.push(...r.problems);
    routes.push(...r.routes);
    for (const { id, line } of r.ids) {
      const first = seen.get(id);
      if (first !== undefined)
        problems.push(problem(file, line, id, 'id', `duplicate route id ${JSON.stringify(id)}: already defined at ${first}`));
      else seen.set(id, `${file}:${line}`);
    }
  }
  if (problems.length > 0) throw routeInvalid(dir, problems);
  return { routes, byId: new Map(routes.map((r) => [r.id, r])), loadedAt: new Date(), files };
}
