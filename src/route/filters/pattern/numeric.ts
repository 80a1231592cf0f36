/**
 * `numeric` matching (AWS EventBridge User Guide, "Comparison operators…" › "Numeric matching"):
 * - the value is `[op, n]` with op one of `=`, `<`, `<=`, `>`, `>=`, or a range
 *   `[">" | ">=", low, "<" | "<=", high]` with low < high (event-ruler: "Bottom must be less
 *   than top"); the lower bound comes first,
 * - it only matches event values that are JSON numbers (the string "5" never matches),
 * - numbers are limited to -5.0e9..+5.0e9 inclusive with at most six digits after the decimal
 *   point. A pattern constant outside that is rejected; an event number outside it never
 *   satisfies a numeric condition (EventBridge cannot represent it either).
 */
import { indexPath, PatternError } from './pattern-error.js';

export const NUMERIC_LIMIT = 5e9;

export type NumericTest = (v: number) => boolean;

/** Checks a pattern constant; returns the reason when it is not usable. */
export function numberProblem(n: unknown): string | undefined {
  if (typeof n !== 'number' || !Number.isFinite(n)) return 'must be a JSON number';
  if (n < -NUMERIC_LIMIT || n > NUMERIC_LIMIT) return `must be between -5e9 and 5e9 (EventBridge numeric limit), got ${n}`;
  if (Number(n.toFixed(6)) !== n) return `at most 6 digits after the decimal point are supported, got ${n}`;
  return undefined;
}

/** An event number EventBridge can compare numerically. */
export function inNumericRange(v: number): boolean {
  return v >= -NUMERIC_LIMIT && v <= NUMERIC_LIMIT;
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);
const SINGLE = new Set(['=', '<', '<=', '>', '>=']);

function bound(op: string, n: number): NumericTest {
  switch (op) {
    case '=':
      return (v) => v === n;
    case '<':
      return (v) => v < n;
    case '<=':
      return (v) => v <= n;
    case '>':
      return (v) => v > n;
    default:
      return (v) => v >= n;
  }
}

function constant(items: readonly unknown[], i: number, path: string): number {
  const n = items[i];
  const problem = numberProblem(n);
  if (problem !== undefined) throw new PatternError(indexPath(path, i), problem);
  return n as number;
}

function operator(items: readonly unknown[], i: number, allowed: Set<string>, path: string): string {
  const op = items[i];
  if (typeof op !== 'string' || !allowed.has(op)) {
    throw new PatternError(
      indexPath(path, i),
      `expected one of ${[...allowed].map((o) => `"${o}"`).join(', ')}, got ${JSON.stringify(op)}`,
    );
  }
  return op;
}

/** Compiles the array value of a `numeric` expression found at `path`. */
export function compileNumeric(value: unknown, path: string): NumericTest {
  if (!Array.isArray(value)) throw new PatternError(path, 'numeric needs an array such as [">", 0, "<=", 5]');
  const items = value as readonly unknown[];
  if (items.length === 2) {
    const op = operator(items, 0, SINGLE, path);
    const test = bound(op, constant(items, 1, path));
    return (v) => inNumericRange(v) && test(v);
  }
  if (items.length === 4) {
    const lowOp = operator(items, 0, LOWER, path);
    const low = constant(items, 1, path);
    const highOp = operator(items, 2, UPPER, path);
    const high = constant(items, 3, path);
    if (!(low < high)) throw new PatternError(path, `the lower bound ${low} must be less than the upper bound ${high}`);
    const lo = bound(lowOp, low);
    const hi = bound(highOp, high);
    return (v) => inNumericRange(v) && lo(v) && hi(v);
  }
  throw new PatternError(path, 'numeric needs [op, n] or [">"|">=", low, "<"|"<=", high]');
}
