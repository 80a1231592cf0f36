import type { CompiledRoute, RouteDiff, RouteSet } from './types.js';

/**
 * What turning `before` into `after` changes, by route id: a route whose fingerprint is the same
 * keeps its consumer (and its committed offsets); a changed one is restarted; added and removed
 * ones start and stop. Lists follow the order of the set they come from.
 */
export function diffRouteSets(before: RouteSet, after: RouteSet): RouteDiff {
  const added: CompiledRoute[] = [];
  const changed: { before: CompiledRoute; after: CompiledRoute }[] = [];
  const unchanged: CompiledRoute[] = [];
  for (const r of after.routes) {
    const old = before.byId.get(r.id);
    if (old === undefined) added.push(r);
    else if (old.fingerprint !== r.fingerprint) changed.push({ before: old, after: r });
    else unchanged.push(r);
  }
  const removed = before.routes.filter((r) => !after.byId.has(r.id));
  return { added, removed, changed, unchanged };
}

/** True when applying the diff would start or stop nothing. */
export const isEmptyDiff = (d: RouteDiff): boolean => d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
