/**
 * Hot reload of routes/ (DESIGN §5): the directory is watched, changes are debounced, and the
 * whole directory is reloaded. A valid set is swapped in atomically and handed to `onChange` with
 * its diff; an invalid one is refused (`onInvalid`) and the last good set keeps running.
 *
 * We watch the directory, not the files: editors save by writing a temporary file and renaming it
 * over the original (vim, JetBrains), and Kubernetes swaps a ConfigMap's `..data` symlink; a watch
 * on the old file would go deaf after the first save. Reloads run one at a time; an event that
 * arrives during a reload queues one more, so the last write always wins.
 */
import { statSync, watch, type BigIntStats, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { CausewayError } from '../core/index.js';
import { diffRouteSets } from './diff-route-sets.js';
import { loadRoutes, type LoadRoutesOptions } from './load-routes.js';
import { problem, routeInvalid } from './route-problem.js';
import type { RouteDiff, RouteProblem, RouteSet } from './types.js';

export interface RouteWatcherOptions extends Omit<LoadRoutesOptions, 'allowMissingDir'> {
  /** The set loaded at start (loadRoutes); reloads are compared against it. */
  readonly initial: RouteSet;
  /** Quiet time after the last file event before reloading (default 200 ms). */
  readonly debounceMs?: number;
  /**
   * How often the directory's identity is checked, and the retry period for watching again once it
   * disappeared or was replaced (default 1000 ms).
   */
  readonly rewatchMs?: number;
  /** A valid new set, already current. Awaited before the next reload; should not throw. */
  onChange(diff: RouteDiff, set: RouteSet): void | Promise<void>;
  /** A reload was refused (CW_ROUTE_INVALID with every problem); the last good set stays. */
  onInvalid?(error: CausewayError): void;
  /** `onChange` threw or rejected. The new set stays current; the caller owns its consumers. */
  onApplyError?(error: unknown): void;
}

export interface RouteWatcherStatus {
  readonly current: RouteSet;
  /** The refused reload since the last good one, if any (cleared by the next valid reload). */
  readonly lastError?: { readonly at: Date; readonly message: string; readonly errors: readonly RouteProblem[] };
  /** Valid reloads swapped in (the initial load not counted). */
  readonly reloads: number;
  /** Reloads refused because the files were invalid. */
  readonly rejectedReloads: number;
}

export type ReloadResult = 'ok' | 'rejected' | 'closed';

export interface RouteWatcher {
  status(): RouteWatcherStatus;
  /** Reloads now (after any reload in progress), e.g. on SIGHUP. */
  reload(): Promise<ReloadResult>;
  /** Stops watching and waits for a reload in progress; onChange is not called after close resolves. */
  close(): Promise<void>;
}

function asRouteError(dir: string, e: unknown): CausewayError {
  if (e instanceof CausewayError && e.code === 'CW_ROUTE_INVALID') return e;
  return routeInvalid(dir, [problem(dir, 0, undefined, '', `reading the rules failed: ${e instanceof Error ? e.message : String(e)}`)]);
}

/**
 * Identity of a directory: a watch follows the inode it was set on, not the name. The inode number
 * alone is not enough: ext4 hands a directory removed and made again at once the same number, so the
 * birth time (statx; 0 where the file system has none) tells the two apart. Where both could match
 * (a coarse clock), the removal event of the watched directory (below) still restarts the watch.
 */
type DirId = string;
const dirId = (s: BigIntStats): DirId => `${s.dev}:${s.ino}:${s.birthtimeNs}`;
const currentDirId = (dir: string): Promise<DirId | undefined> =>
  stat(dir, { bigint: true }).then(
    (s) => (s.isDirectory() ? dirId(s) : undefined),
    () => undefined,
  );

export function watchRoutes(dir: string, opts: RouteWatcherOptions): RouteWatcher {
  const debounceMs = opts.debounceMs ?? 200;
  const rewatchMs = opts.rewatchMs ?? 1000;
  let current = opts.initial;
  let lastError: RouteWatcherStatus['lastError'];
  let reloads = 0;
  let rejectedReloads = 0;
  let closed = false;
  let watcher: FSWatcher | undefined;
  const self = basename(dir);
  /** The directory the live watch is on; a different one under the same name means it is deaf. */
  let watchedId: DirId | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let rewatch: NodeJS.Timeout | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let queued = false;

  async function reloadNow(): Promise<ReloadResult> {
    queued = false;
    if (closed) return 'closed';
    let next: RouteSet;
    try {
      next = await loadRoutes(dir, opts);
    } catch (e) {
      if (closed) return 'closed';
      const error = asRouteError(dir, e);
      rejectedReloads++;
      lastError = { at: new Date(), message: error.message, errors: error.errors as readonly RouteProblem[] };
      // In the same tick as lastError, so a status that shows the refusal never comes with a metric
      // that has not counted it yet.
      try {
        opts.onInvalid?.(error);
      } catch {
        // a failing log or metrics hook must not stop the watcher
      }
      return 'rejected';
    }
    if (closed) return 'closed';
    const diff = diffRouteSets(current, next);
    current = next; // the swap: from here on everyone sees the new set
    reloads++;
    lastError = undefined;
    try {
      await opts.onChange(diff, next);
    } catch (e) {
      try {
        opts.onApplyError?.(e);
      } catch {
        // as above
      }
    }
    return 'ok';
  }

  /**
   * The directory went away, or was replaced by a new one of the same name (rm -r and mkdir, a
   * swapped symlink): the old watch hears nothing from the new directory, so watch again. Compared
   * by inode rather than by existence: a directory recreated before this check runs is still new.
   * Runs every rewatchMs (and the directory's own removal event restarts the watch at once). While no
   * re-watch runs, watchedId is set, so a directory gone (undefined) differs from it too.
   */
  async function checkWatchedDirectory(): Promise<void> {
    const id = await currentDirId(dir);
    if (!closed && rewatch === undefined && id !== watchedId) startRewatch();
  }

  function enqueue(): Promise<ReloadResult> {
    queued = true;
    const run = chain.then(reloadNow);
    chain = run.catch(() => undefined);
    return run;
  }

  function onEvent(): void {
    if (closed) return;
    if (debounce !== undefined) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      if (!queued) void enqueue();
    }, debounceMs);
    debounce.unref();
  }

  function startWatch(): boolean {
    try {
      // stat before watch: if the directory is swapped in between, the ids differ and the next check
      // watches again; the other order could record the new id for a watch on the old one
      const s = statSync(dir, { bigint: true });
      if (!s.isDirectory()) return false;
      const id = dirId(s);
      const w = watch(dir, { persistent: false }, (event, filename) => {
        // The watched directory itself removed or moved (inotify's IN_DELETE_SELF / IN_MOVE_SELF, which
        // Node reports as a rename of the directory's own name): this watch hears nothing more. A file
        // inside named like the directory reads the same; watching again is harmless then.
        if (event === 'rename' && filename === self) startRewatch();
        onEvent();
      });
      w.on('error', () => {
        // the directory went away (or the platform gave up): retry until it is back
        w.close();
        if (watcher === w) watcher = undefined;
        startRewatch();
        onEvent();
      });
      watcher = w;
      watchedId = id;
      return true;
    } catch {
      return false;
    }
  }

  function startRewatch(): void {
    if (closed || rewatch !== undefined) return;
    watcher?.close();
    watcher = undefined;
    watchedId = undefined;
    rewatch = setInterval(() => {
      if (closed || startWatch()) {
        clearInterval(rewatch);
        rewatch = undefined;
        onEvent(); // whatever happened while we were not watching
      }
    }, rewatchMs);
    rewatch.unref();
  }

  if (!startWatch()) startRewatch();
  // A symlink pointed at another directory sends the old watch nothing at all: look now and then.
  const verify = setInterval(() => void checkWatchedDirectory(), rewatchMs);
  verify.unref();

  return {
    status: () => ({ current, ...(lastError !== undefined && { lastError }), reloads, rejectedReloads }),
    reload: enqueue,
    async close() {
      closed = true;
      if (debounce !== undefined) clearTimeout(debounce);
      if (rewatch !== undefined) clearInterval(rewatch);
      clearInterval(verify);
      watcher?.close();
      watcher = undefined;
      await chain;
    },
  };
}
