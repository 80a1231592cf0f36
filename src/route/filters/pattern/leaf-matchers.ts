/**
 * The values array at a pattern leaf, e.g. `"state": ["running", {"prefix": "stop"}]`.
 * Sources (AWS EventBridge User Guide): "Event pattern syntax" › "Matching event values" (the
 * array is an OR; values are typed JSON: strings match strings character by character, numbers
 * match numbers, `true`/`false`/`null` match themselves), "Matching null values and empty
 * strings" (`null` and `""` are different), and "Comparison operators for use in event
 * patterns" for each operator. Validation follows aws/event-ruler's JsonRuleCompiler so that a
 * pattern EventBridge refuses is refused here too.
 */
import { compileNumeric, numberProblem } from './numeric.js';
import { cidrContains, parseCidr } from './cidr.js';
import { matchWildcard, parseWildcard } from './wildcard.js';
import { indexPath, keyPath, PatternError } from './pattern-error.js';

/** A leaf value in the event: what a JSON document holds below objects and arrays. */
export type Leaf = string | number | boolean | null;
export type LeafTest = (v: Leaf) => boolean;

/** `exists` looks at whether the field has leaf values at all; the others test each value. */
export type Alternative = { readonly kind: 'exists'; readonly present: boolean } | { readonly kind: 'test'; readonly test: LeafTest };

export const OPERATORS = ['anything-but', 'cidr', 'equals-ignore-case', 'exists', 'numeric', 'prefix', 'suffix', 'wildcard'] as const;
const OPERATOR_SET: ReadonlySet<string> = new Set(OPERATORS);
export const isOperatorName = (k: string): boolean => OPERATOR_SET.has(k);

const fold = (s: string): string => s.toLowerCase();
const sameIgnoringCase = (a: string, b: string): boolean => fold(a) === fold(b) || a.toUpperCase() === b.toUpperCase();

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The single key of a match expression object; anything else is an error (event-ruler: "Only one key allowed"). */
function soleKey(obj: Record<string, unknown>, path: string, what: string): string {
  const keys = Object.keys(obj);
  if (keys.length !== 1)
    throw new PatternError(
      path,
      `${what} must have exactly one key, found ${keys.length === 0 ? 'none' : keys.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  return keys[0] as string;
}

function str(v: unknown, path: string, what: string, nonEmpty = false): string {
  if (typeof v !== 'string') throw new PatternError(path, `${what} must be a string`);
  if (nonEmpty && v === '') throw new PatternError(path, `${what} must not be empty`);
  return v;
}

function wildcard(v: unknown, path: string): (s: string) => boolean {
  const w = parseWildcard(str(v, path, 'wildcard pattern'));
  if (typeof w === 'string') throw new PatternError(path, w);
  return (s) => matchWildcard(w, s);
}

/** `prefix` / `suffix`: a string, or `{ "equals-ignore-case": string }` ("…matching while ignoring case"). */
function affix(kind: 'prefix' | 'suffix', v: unknown, path: string): LeafTest {
  const at = kind === 'prefix' ? (s: string, a: string) => s.startsWith(a) : (s: string, a: string) => s.endsWith(a);
  if (isPlainObject(v)) {
    const k = soleKey(v, path, kind);
    if (k !== 'equals-ignore-case') throw new PatternError(keyPath(path, k), `unsupported ${kind} option "${k}" (only equals-ignore-case)`);
    const a = fold(str(v[k], keyPath(path, k), 'equals-ignore-case value'));
    return (x) => typeof x === 'string' && at(fold(x), a);
  }
  const a = str(v, path, `${kind} value`);
  return (x) => typeof x === 'string' && at(x, a);
}

/** One string or a non-empty list of strings (the anything-but sub-operators accept both). */
function strings(v: unknown, path: string, what: string, nonEmpty: boolean): string[] {
  if (!Array.isArray(v)) return [str(v, path, what, nonEmpty)];
  if (v.length === 0) throw new PatternError(path, `${what} list must not be empty`);
  return v.map((s, i) => str(s, indexPath(path, i), what, nonEmpty));
}

/**
 * `anything-but` ("Anything-but matching"): a string, a number, a list of only strings or only
 * numbers, or `{prefix|suffix|equals-ignore-case|wildcard: …}`. It needs the field to be there
 * (it only ever tests values that exist) and it excludes by type: `{"anything-but": "5"}`
 * still matches the number 5, and `{"anything-but": {"prefix": "x"}}` matches any non-string.
 */
function anythingBut(v: unknown, path: string): LeafTest {
  if (isPlainObject(v)) {
    const k = soleKey(v, path, 'anything-but expression');
    const p = keyPath(path, k);
    const inner = v[k];
    switch (k) {
      case 'prefix': {
        const list = strings(inner, p, 'anything-but prefix', true);
        return (x) => !(typeof x === 'string' && list.some((a) => x.startsWith(a)));
      }
      case 'suffix': {
        const list = strings(inner, p, 'anything-but suffix', true);
        return (x) => !(typeof x === 'string' && list.some((a) => x.endsWith(a)));
      }
      case 'equals-ignore-case': {
        const list = strings(inner, p, 'anything-but equals-ignore-case value', false);
        return (x) => !(typeof x === 'string' && list.some((a) => sameIgnoringCase(x, a)));
      }
      case 'wildcard': {
        const texts = strings(inner, p, 'anything-but wildcard', false);
        const list = texts.map((w, i) => wildcard(w, Array.isArray(inner) ? indexPath(p, i) : p));
        return (x) => !(typeof x === 'string' && list.some((m) => m(x)));
      }
      default:
        throw new PatternError(p, `unsupported anything-but option "${k}" (expected prefix, suffix, equals-ignore-case or wildcard)`);
    }
  }
  const list = Array.isArray(v) ? (v as unknown[]) : [v];
  if (list.length === 0) throw new PatternError(path, 'anything-but list must not be empty');
  const strs = list.every((x) => typeof x === 'string');
  const nums = list.every((x) => typeof x === 'number');
  if (!strs && !nums) {
    throw new PatternError(
      path,
      Array.isArray(v)
        ? 'anything-but list must hold only strings or only numbers'
        : 'anything-but needs a string, a number, a list or an object',
    );
  }
  if (nums) {
    list.forEach((n, i) => {
      const problem = numberProblem(n);
      if (problem !== undefined) throw new PatternError(Array.isArray(v) ? indexPath(path, i) : path, problem);
    });
  }
  const excluded = new Set<unknown>(list);
  return (x) => !excluded.has(x);
}

function operatorAlternative(obj: Record<string, unknown>, path: string): Alternative {
  const k = soleKey(obj, path, 'a match expression');
  const p = keyPath(path, k);
  const v = obj[k];
  switch (k) {
    case 'prefix':
    case 'suffix':
      return { kind: 'test', test: affix(k, v, p) };
    case 'equals-ignore-case': {
      const s = str(v, p, 'equals-ignore-case value');
      return { kind: 'test', test: (x) => typeof x === 'string' && sameIgnoringCase(x, s) };
    }
    case 'wildcard': {
      const m = wildcard(v, p);
      return { kind: 'test', test: (x) => typeof x === 'string' && m(x) };
    }
    case 'anything-but':
      return { kind: 'test', test: anythingBut(v, p) };
    case 'numeric': {
      const t = compileNumeric(v, p);
      return { kind: 'test', test: (x) => typeof x === 'number' && t(x) };
    }
    case 'cidr': {
      const block = parseCidr(str(v, p, 'cidr value'));
      if (typeof block === 'string') throw new PatternError(p, block);
      return { kind: 'test', test: (x) => typeof x === 'string' && cidrContains(block, x) };
    }
    case 'exists':
      if (typeof v !== 'boolean') throw new PatternError(p, 'exists must be true or false');
      return { kind: 'exists', present: v };
    default:
      throw new PatternError(p, `unknown operator "${k}" (known: ${OPERATORS.join(', ')})`);
  }
}

/** Compiles the non-empty array of alternatives at a pattern leaf. */
export function compileLeaf(values: readonly unknown[], path: string): Alternative[] {
  if (values.length === 0) throw new PatternError(path, 'empty arrays are not allowed; list at least one value');
  return values.map((item, i): Alternative => {
    const p = indexPath(path, i);
    if (typeof item === 'string' || typeof item === 'boolean' || item === null) return { kind: 'test', test: (x) => x === item };
    if (typeof item === 'number') {
      // JSON numbers compare by value: the pattern has been parsed, so 300 and 3.0e2 are one number.
      if (!Number.isFinite(item)) throw new PatternError(p, 'numbers must be finite');
      return { kind: 'test', test: (x) => x === item };
    }
    if (isPlainObject(item)) return operatorAlternative(item, p);
    throw new PatternError(p, 'a match value must be a string, number, true, false, null or a match expression object');
  });
}

/** Does the list of leaf values found at a field satisfy any alternative? */
export function leafMatches(alternatives: readonly Alternative[], leaves: readonly Leaf[]): boolean {
  for (const alt of alternatives) {
    if (alt.kind === 'exists') {
      if (alt.present === leaves.length > 0) return true;
    } else if (leaves.some(alt.test)) {
      return true;
    }
  }
  return false;
}
