/**
 * A pattern that cannot be compiled. `path` points at the offending part (for example
 * `data.amount[0].numeric[2]`) so that route-file errors can name the exact spot; the base
 * path given to compilePattern() is prepended, so a route loader gets `when[2].pattern.data…`.
 */
export class PatternError extends Error {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`${path === '' ? '(pattern root)' : path}: ${reason}`);
    this.name = 'PatternError';
    this.path = path;
    this.reason = reason;
  }
}

/** Keys that read well after a dot; anything else is written as a JSON-quoted bracket. */
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `base` + `.key` (or `["odd key"]`). */
export function keyPath(base: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** `base` + `[i]`. */
export function indexPath(base: string, i: number): string {
  return `${base}[${i}]`;
}
