/**
 * Which routes an event matches, and why not (for `causeway routes test`, cases files and
 * /admin tooling). The delivery engine does not need this: each route's consumer reads only its
 * `from` topics and calls `route.filter.matches()` itself.
 */
import type { CloudEvent } from '../core/index.js';
import { eventView, type FilterFailure } from './filters/index.js';
import type { CompiledRoute, RouteSet } from './types.js';

export interface RouteMatch {
  readonly route: CompiledRoute;
  readonly matched: boolean;
  /** Why not: `enabled`, `from` (topic not read by the route) or the failing filter (`when[1].sql`…). */
  readonly failed?: FilterFailure;
}

/**
 * Every route of `set` in order, checked in this order: enabled, topic (only when `topic` is
 * given: the route's `from` must include it), filters.
 */
export function matchRoutes(set: RouteSet, ev: CloudEvent, topic?: string): RouteMatch[] {
  const view = eventView(ev); // decodes data at most once for all routes
  return set.routes.map((route) => {
    if (!route.enabled)
      return { route, matched: false, failed: { path: 'enabled', filter: 'enabled: false', reason: 'the route is disabled' } };
    if (topic !== undefined && !route.from.includes(topic)) {
      return {
        route,
        matched: false,
        failed: { path: 'from', filter: JSON.stringify(route.from), reason: `the route does not read topic ${JSON.stringify(topic)}` },
      };
    }
    const ex = route.filter.explain(view);
    return ex.failed === undefined ? { route, matched: ex.matched } : { route, matched: ex.matched, failed: ex.failed };
  });
}

/** `when[1].sql: {"sql":"…"} — the expression is FALSE for this event` */
export function describeFailure(f: FilterFailure): string {
  return `${f.path}: ${f.filter}${f.reason === undefined ? '' : ` — ${f.reason}`}`;
}
