/**
 * A filter that cannot be compiled (SUB-M2, SUB-M3, SUB-M5, SUB-M8..M11, bad patterns). `path`
 * names the offending part, starting from the path the caller gave (for example
 * `routes[3].when[1].all[0].exact.type`), so a route file error can point at the exact spot.
 */
export class FilterError extends Error {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string, opts: { cause?: unknown } = {}) {
    super(`${path === '' ? '(filter)' : path}: ${reason}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FilterError';
    this.path = path;
    this.reason = reason;
  }
}

export const isFilterError = (e: unknown): e is FilterError => e instanceof FilterError;

/** `base.key` (`key` at the root); keys that would not read back, like `""`, as `base["…"]`. */
export function joinPath(base: string, key: string): string {
  if (!/^[A-Za-z0-9_$-]+$/.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}
