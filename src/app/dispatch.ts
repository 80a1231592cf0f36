import type { EventLog, TargetDeps } from '../core/index.js';
import { createDispatcher, type Dispatcher, type DispatchRoute, type RouteStatus } from '../deliver/index.js';
import type { Logger, Metrics } from '../observability/index.js';
import { eventView, loadRoutes, routesReport, watchRoutes, type CompiledRoute, type RouteWatcher } from '../route/index.js';
import { TARGET_PLUGINS } from '../targets/index.js';

export interface DispatchRole {
  /** GET /admin/routes: the rules in force, the last rejected reload, and each route's delivery state. */
  report(): Promise<unknown>;
  status(): Promise<RouteStatus[]>;
  close(): Promise<void>;
}

export interface DispatchOptions {
  readonly routesDir: string;
  readonly log: EventLog;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly targetDeps: TargetDeps;
}

/** CompiledRoute (route/) → DispatchRoute (deliver/): the one place the two stages meet. */
function toDispatchRoute(r: CompiledRoute, deps: TargetDeps): DispatchRoute {
  const plugin = TARGET_PLUGINS.get(r.target.kind);
  if (!plugin) throw new Error(`route ${r.id}: no target plug-in for kind ${r.target.kind}`); // loadRoutes already refused it
  return {
    id: r.id,
    from: r.from,
    matches: (ev) => r.filter.matches(eventView(ev)),
    target: plugin.create(r.target.config, deps),
    targetKind: r.target.kind,
    delivery: { ...r.delivery, enabled: r.enabled },
  };
}

/** The DISPATCH role (DESIGN §2): routes/ compiled (fail closed), one consumer group per route, hot reload. */
export async function startDispatch(opts: DispatchOptions): Promise<DispatchRole> {
  const { metrics, logger } = opts;
  const initial = await loadRoutes(opts.routesDir, { targets: TARGET_PLUGINS, allowMissingDir: true });
  const dispatcher: Dispatcher = createDispatcher({ log: opts.log, metrics, logger });
  const countRoutes = (routes: readonly CompiledRoute[]) => {
    metrics.routes.set({ state: 'enabled' }, routes.filter((r) => r.enabled).length);
    metrics.routes.set({ state: 'disabled' }, routes.filter((r) => !r.enabled).length);
  };
  await dispatcher.start(initial.routes.map((r) => toDispatchRoute(r, opts.targetDeps)));
  countRoutes(initial.routes);
  logger.info('routes loaded', { routes: initial.routes.length, files: initial.files.length });

  const watcher: RouteWatcher = watchRoutes(opts.routesDir, {
    targets: TARGET_PLUGINS,
    initial,
    onChange: async (diff, set) => {
      await dispatcher.apply({
        added: diff.added.map((r) => toDispatchRoute(r, opts.targetDeps)),
        removed: diff.removed.map((r) => r.id),
        changed: diff.changed.map((c) => toDispatchRoute(c.after, opts.targetDeps)),
      });
      metrics.routeReloads.inc({ result: 'ok' });
      countRoutes(set.routes);
      logger.info('routes reloaded', { added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length });
    },
    onInvalid: (err) => {
      metrics.routeReloads.inc({ result: 'rejected' });
      logger.warn('route change refused; the last good rules keep running', { code: err.code, errors: err.errors });
    },
    onApplyError: (err) => logger.error('applying a route change failed', { error: String(err) }),
  });

  return {
    async report() {
      const delivery = await dispatcher.status();
      return { ...routesReport(watcher.status()), delivery };
    },
    status: () => dispatcher.status(),
    async close() {
      await watcher.close();
      await dispatcher.stop();
    },
  };
}
