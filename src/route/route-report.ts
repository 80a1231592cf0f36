/**
 * The rule set as plain JSON for `GET /admin/routes`: what runs, where it was defined, and the
 * last refused reload. Target configs may hold credentials (an `authorization` header), so values
 * under keys that look secret are masked.
 */
import type { RouteWatcherStatus } from './route-watcher.js';
import type { CompiledRoute, RouteProblem, RouteSet } from './types.js';

export interface RouteSummary {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly description?: string;
  readonly enabled: boolean;
  readonly from: readonly string[];
  readonly when: readonly unknown[];
  readonly target: { readonly kind: string; readonly config: unknown };
  readonly delivery: CompiledRoute['delivery'];
  readonly fingerprint: string;
}

export interface RoutesReport {
  readonly loadedAt: string;
  readonly files: readonly string[];
  readonly routes: readonly RouteSummary[];
  readonly reloads?: number;
  readonly rejectedReloads?: number;
  readonly lastError?: { readonly at: string; readonly message: string; readonly errors: readonly RouteProblem[] };
}

const SECRET_KEY = /(secret|password|passwd|token|authorization|api[-_]?key|cookie|credential)/i;

function mask(v: unknown, secret: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => mask(x, secret));
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x, secret || SECRET_KEY.test(k))]));
  }
  return secret && typeof v === 'string' ? '***' : v;
}

export function summarizeRoute(r: CompiledRoute): RouteSummary {
  return {
    id: r.id,
    file: r.file,
    line: r.line,
    ...(r.description !== undefined && { description: r.description }),
    enabled: r.enabled,
    from: r.from,
    when: r.when,
    target: { kind: r.target.kind, config: mask(r.target.config, false) },
    delivery: r.delivery,
    fingerprint: r.fingerprint,
  };
}

/** From a watcher's status (or just a set, before the watcher runs). */
export function routesReport(source: RouteWatcherStatus | RouteSet): RoutesReport {
  const set = 'current' in source ? source.current : source;
  const base = { loadedAt: set.loadedAt.toISOString(), files: set.files, routes: set.routes.map(summarizeRoute) };
  if (!('current' in source)) return base;
  const { lastError } = source;
  return {
    ...base,
    reloads: source.reloads,
    rejectedReloads: source.rejectedReloads,
    ...(lastError !== undefined && { lastError: { at: lastError.at.toISOString(), message: lastError.message, errors: lastError.errors } }),
  };
}
