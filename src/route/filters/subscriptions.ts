/**
 * CloudEvents Subscriptions API filter dialects (spec digest §8): `exact`, `prefix`, `suffix`,
 * `all`, `any`, `not`, `sql` (CESQL v1), plus our extension `pattern` (an EventBridge event
 * pattern that may look inside `data`). Compilation validates everything up front and throws
 * FilterError with a path; evaluation never throws: errors make the filter false (SQL-M29) and
 * are reported through `options.onError`.
 */
import { compileAttributeDialect } from './attribute-dialects.js';
import { memoizeData, type EventView } from './event-view.js';
import { FilterError, joinPath } from './filter-error.js';
import { report, show, type CompiledFilter, type FilterNode, type FilterOptions } from './filter-node.js';
import { compilePattern, PatternError } from './pattern/index.js';
import { compileSqlDialect } from './sql-dialect.js';

export const DIALECTS = ['exact', 'prefix', 'suffix', 'all', 'any', 'not', 'sql', 'pattern'] as const;
export type Dialect = (typeof DIALECTS)[number];
const DIALECT_SET: ReadonlySet<string> = new Set(DIALECTS);

/** SUB-N1.3: the spec sets no nesting limit; ours is 32 levels of all/any/not. */
export const MAX_FILTER_DEPTH = 32;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function compileList(dialect: 'all' | 'any', value: unknown, path: string, depth: number, options: FilterOptions): FilterNode[] {
  // SUB-M8/M9: a non-empty array (OpenAPI minItems: 1); `{"all": []}` is rejected.
  if (!Array.isArray(value)) throw new FilterError(path, `${dialect} needs an array of filters`);
  if (value.length === 0) throw new FilterError(path, `${dialect} needs at least one filter`);
  return value.map((f, i) => compileNode(f, `${path}[${i}]`, depth + 1, options));
}

function compileAll(children: FilterNode[]): FilterNode {
  return {
    needsData: children.some((c) => c.needsData),
    test: (view) => children.every((c) => c.test(view)),
    why: (view) => {
      for (const c of children) {
        const failure = c.why(view);
        if (failure !== undefined) return failure;
      }
      return undefined;
    },
  };
}

function compileAny(children: FilterNode[], value: unknown, path: string): FilterNode {
  const test = (view: EventView) => children.some((c) => c.test(view));
  return {
    needsData: children.some((c) => c.needsData),
    test,
    why: (view) =>
      test(view) ? undefined : { path, filter: show({ any: value }), reason: `none of the ${children.length} filters matched` },
  };
}

function compileNot(value: unknown, path: string, depth: number, options: FilterOptions): FilterNode {
  // SUB-M10: exactly one nested filter object.
  if (!isObject(value)) throw new FilterError(path, 'not needs exactly one filter object (use {"not": {"any": [...]}} to negate several)');
  const inner = compileNode(value, path, depth + 1, options);
  return {
    needsData: inner.needsData,
    test: (view) => !inner.test(view),
    why: (view) => (inner.test(view) ? { path, filter: show({ not: value }), reason: 'the negated filter matched' } : undefined),
  };
}

function compilePatternDialect(value: unknown, path: string, options: FilterOptions): FilterNode {
  let pattern;
  try {
    pattern = compilePattern(value, path);
  } catch (e) {
    if (e instanceof PatternError) throw new FilterError(e.path, e.reason, { cause: e });
    throw e;
  }
  const test = (view: EventView): boolean => {
    try {
      return pattern.matches(view);
    } catch (error) {
      report(options, { path, dialect: 'pattern', error });
      return false;
    }
  };
  return {
    needsData: pattern.needsData,
    test,
    why: (view) => {
      try {
        const ex = pattern.explain(view);
        return ex.matched
          ? undefined
          : { path: ex.path ?? path, filter: show(ex.pattern), reason: 'the event does not match this part of the pattern' };
      } catch (error) {
        report(options, { path, dialect: 'pattern', error });
        return { path, filter: show({ pattern: value }), reason: `evaluation error: ${String(error)}` };
      }
    },
  };
}

function compileNode(f: unknown, path: string, depth: number, options: FilterOptions): FilterNode {
  if (depth > MAX_FILTER_DEPTH) throw new FilterError(path, `filters nest at most ${MAX_FILTER_DEPTH} levels deep`);
  if (!isObject(f)) throw new FilterError(path, 'a filter must be an object with one dialect key, e.g. {"exact": {"type": "…"}}');
  const keys = Object.keys(f);
  // SUB-M2: exactly one key, the dialect name.
  if (keys.length !== 1) {
    const found = keys.length === 0 ? 'none' : keys.join(', ');
    throw new FilterError(path, `a filter has exactly one dialect key, found ${found}; combine several with {"all": [...]}`);
  }
  const dialect = keys[0] as string;
  const p = joinPath(path, dialect);
  // SUB-M3: an unsupported dialect rejects the subscription/route; it is never ignored.
  if (!DIALECT_SET.has(dialect)) throw new FilterError(p, `unsupported filter dialect "${dialect}" (supported: ${DIALECTS.join(', ')})`);
  const value = f[dialect];
  switch (dialect as Dialect) {
    case 'exact':
    case 'prefix':
    case 'suffix':
      return compileAttributeDialect(dialect as 'exact' | 'prefix' | 'suffix', value, p);
    case 'all':
      return compileAll(compileList('all', value, p, depth, options));
    case 'any':
      return compileAny(compileList('any', value, p, depth, options), value, p);
    case 'not':
      return compileNot(value, p, depth, options);
    case 'sql':
      return compileSqlDialect(value, p, options);
    case 'pattern':
      return compilePatternDialect(value, p, options);
  }
}

/** Adds what only the outermost filter should do: one data decode per evaluation. */
function finish(node: FilterNode): CompiledFilter {
  const prepare = node.needsData ? memoizeData : (view: EventView) => view;
  return {
    needsData: node.needsData,
    matches: (view) => node.test(prepare(view)),
    explain: (view) => {
      const failed = node.why(prepare(view));
      return failed === undefined ? { matched: true } : { matched: false, failed };
    },
  };
}

/** Compiles one filter object (`{ "<dialect>": <value> }`); `path` prefixes error and explain paths. */
export function compileFilter(f: unknown, path = '', options: FilterOptions = {}): CompiledFilter {
  return finish(compileNode(f, path, 1, options));
}

/**
 * SUB-M1: a `filters` list is the AND of its filters; an empty list matches every event.
 * Elements get paths `${path}[i]`.
 */
export function compileFilters(list: unknown, path = '', options: FilterOptions = {}): CompiledFilter {
  if (!Array.isArray(list)) throw new FilterError(path, 'filters must be an array');
  return finish(compileAll(list.map((f, i) => compileNode(f, `${path}[${i}]`, 1, options))));
}
