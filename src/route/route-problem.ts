/**
 * The one error format of rule and cases files (documented in docs/routes.md, "Errors"):
 *
 *   <file>:<line> route <id> <field>: <message>
 *
 * e.g. `routes/auction.yaml:12 route large-bids to.http.url: missing required key "url"`.
 * - the route part reads `routes[<i>]` when the route has no usable id, and is absent for
 *   file-level problems;
 * - the field is relative to the route (or to the file root) and absent when the whole route or
 *   file is at fault;
 * - `:<line>` is absent when no line applies (a missing directory).
 * CausewayError.errors[].path holds everything before the colon.
 */
import { CausewayError } from '../core/index.js';
import type { RouteProblem } from './types.js';

export function formatProblemPath(p: { file: string; line: number; route?: string | undefined; field: string }): string {
  const route = p.route === undefined ? '' : p.route.startsWith('routes[') ? ` ${p.route}` : ` route ${p.route}`;
  return `${p.file}${p.line > 0 ? `:${p.line}` : ''}${route}${p.field === '' ? '' : ` ${p.field}`}`;
}

export function problem(file: string, line: number, route: string | undefined, field: string, message: string): RouteProblem {
  const base = { file, line, field, message, code: 'CW_ROUTE_INVALID' as const };
  const withRoute = route === undefined ? base : { ...base, route };
  return { ...withRoute, path: formatProblemPath(withRoute) };
}

export function formatProblem(p: RouteProblem): string {
  return `${p.path}: ${p.message}`;
}

const byPlace = (a: RouteProblem, b: RouteProblem): number => a.file.localeCompare(b.file) || a.line - b.line;

/** CW_ROUTE_INVALID listing every problem, sorted by file and line. */
export function routeInvalid(dir: string, problems: readonly RouteProblem[]): CausewayError {
  const sorted = [...problems].sort(byPlace);
  const first = sorted[0];
  const detail =
    first === undefined
      ? `invalid routing rules in ${dir}`
      : `${sorted.length} problem${sorted.length === 1 ? '' : 's'} in routing rules ${dir}; first: ${formatProblem(first)}`;
  return new CausewayError('CW_ROUTE_INVALID', detail, { errors: sorted });
}

/** The route problems of a CW_ROUTE_INVALID error (empty for any other error). */
export function routeProblems(e: unknown): readonly RouteProblem[] {
  if (!(e instanceof CausewayError) || e.code !== 'CW_ROUTE_INVALID') return [];
  return e.errors as readonly RouteProblem[];
}
