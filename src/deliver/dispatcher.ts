/**
 * The DISPATCH role (DESIGN §2): one RouteDispatcher per route, started, hot-swapped and stopped
 * together. Routes never hold each other up: each has its own group, readers, lanes and buffer.
 *
 * Ownership: the dispatcher owns each route's Target from start() or apply() on, and closes it when
 * the route is removed, replaced or stopped.
 */
import type { EventLog } from '../core/index.js';
import { DEFAULT_RETRY_AFTER_CAP_MS, type Jitter } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { noopDeliverMetrics, silentLogger, type DeliverLogger, type DeliverMetrics } from './deliver-metrics.js';
import { RouteDispatcher, type StartPosition } from './route-dispatcher.js';
import type { DispatchRoute, RouteDiff, RouteStatus } from './types.js';

export interface DispatcherOptions {
  readonly log: EventLog;
  readonly metrics?: DeliverMetrics;
  readonly logger?: DeliverLogger;
  readonly clock?: Clock;
  /** [0, 1) source for backoff jitter (default Math.random). */
  readonly random?: () => number;
  /** Where a route with no committed offset starts: `earliest` (default) or `latest`. */
  readonly start?: StartPosition;
  /** How often completed progress is committed (default 100 ms; also on stop). */
  readonly commitIntervalMs?: number;
  /** Facts per read (default 500). */
  readonly readPageSize?: number;
  /** Per-route bound on events read and not done (default max(10 × concurrency × batch events, readPageSize × partitions), at most 100 000). */
  readonly maxBufferedEvents?: number;
  /** Longest single `waitFor` when caught up (default 5 s). */
  readonly idleWaitMs?: number;
  /** How long stopping routes let sends in flight finish (default: the route's timeout, at most 30 s). */
  readonly drainTimeoutMs?: number;
  /** Backoff jitter (default `equal`, see backoff.ts). */
  readonly jitter?: Jitter;
  /** Ceiling on a target's Retry-After (default 10 min). */
  readonly retryAfterCapMs?: number;
}

export interface Dispatcher {
  /** Starts every route; rejects (after trying all) when one cannot learn its start offsets. */
  start(routes: readonly DispatchRoute[]): Promise<void>;
  /**
   * Hot reload: removed and changed routes stop cleanly (what completed is committed), then
   * changed and added ones start from the committed offsets; unchanged routes keep running.
   * Routes disabled by their target (HTTP 410) are restarted by any apply(): a reload re-enables.
   */
  apply(diff: RouteDiff): Promise<void>;
  /** Drains and stops every route, commits, closes the targets. */
  stop(): Promise<void>;
  status(): Promise<RouteStatus[]>;
  /** Abandons every route at once without committing (crash simulation for tests). */
  crashForTesting(): void;
}

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const logger = opts.logger ?? silentLogger;
  const routeOpts = {
    log: opts.log,
    clock: opts.clock ?? systemClock,
    random: opts.random ?? Math.random,
    metrics: opts.metrics ?? noopDeliverMetrics,
    logger,
    start: opts.start ?? 'earliest',
    commitIntervalMs: opts.commitIntervalMs ?? 100,
    readPageSize: opts.readPageSize ?? 500,
    maxBufferedEvents: opts.maxBufferedEvents,
    idleWaitMs: opts.idleWaitMs ?? 5_000,
    drainTimeoutMs: opts.drainTimeoutMs,
    jitter: opts.jitter ?? 'equal',
    retryAfterCapMs: opts.retryAfterCapMs ?? DEFAULT_RETRY_AFTER_CAP_MS,
  } as const;
  const running = new Map<string, RouteDispatcher>();
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;

  /** start/apply/stop run one at a time, in call order. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  };

  const closeTarget = async (route: DispatchRoute): Promise<void> => {
    try {
      await route.target.close();
    } catch (e) {
      logger.warn('closing a target failed', { route: route.id, error: (e as Error).message });
    }
  };

  const launch = async (route: DispatchRoute): Promise<void> => {
    const rd = new RouteDispatcher(route, routeOpts);
    running.set(route.id, rd);
    try {
      await rd.start();
    } catch (e) {
      logger.error('route failed to start', { route: route.id, error: (e as Error).message });
      await rd.stop();
      throw e;
    }
  };

  const retire = async (id: string, replacement?: DispatchRoute): Promise<void> => {
    const rd = running.get(id);
    if (rd === undefined) return;
    await rd.stop();
    running.delete(id);
    if (replacement?.target !== rd.route.target) await closeTarget(rd.route);
  };

  const applyDiff = async (diff: RouteDiff): Promise<void> => {
    if (stopped) throw new Error('the dispatcher is stopped');
    const mentioned = new Set([...diff.removed, ...diff.changed.map((r) => r.id), ...diff.added.map((r) => r.id)]);
    const revived = [...running.values()].filter((rd) => rd.state === 'disabled' && !mentioned.has(rd.route.id)).map((rd) => rd.route);
    const starting = [...diff.changed, ...diff.added, ...revived];
    const ids = starting.map((r) => r.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) throw new Error(`route ${dup} given twice`);
    // Stop first (in parallel): a changed route's new version must resume from the old one's commits.
    await Promise.all([...diff.removed.map((id) => retire(id)), ...starting.map((r) => retire(r.id, r))]);
    const results = await Promise.allSettled(starting.map((r) => launch(r)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };

  return {
    start: (routes) => serial(() => applyDiff({ added: routes, removed: [], changed: [] })),
    apply: (diff) => serial(() => applyDiff(diff)),
    stop: () =>
      serial(async () => {
        stopped = true;
        await Promise.all([...running.keys()].map((id) => retire(id)));
      }),
    status: async () => Promise.all([...running.values()].map((rd) => rd.status())),
    crashForTesting() {
      stopped = true;
      for (const rd of running.values()) rd.crashForTesting();
      running.clear();
    },
  };
}
