/**
 * EventBridge-style event patterns, hand-written after the AWS EventBridge User Guide ("Event
 * pattern syntax", "Arrays in event patterns", "Matching null values and empty strings",
 * "Comparison operators for use in event patterns") and the matcher AWS publishes
 * (aws/event-ruler: its README and JsonRuleCompiler for what a valid pattern is). Pages:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html.
 *
 * Structure rules implemented here:
 * - a pattern is a non-empty JSON object; each field holds either a nested object (which
 *   recurses into the event's object at that name) or a non-empty array of alternatives (a leaf);
 * - every field must match (AND); any alternative in a leaf array may match (OR);
 * - `$or: [ {…}, {…}, … ]` (at least two non-empty objects) ORs whole sub-patterns evaluated at
 *   the same level ("Complex example with $or matching"); operator names cannot be field names
 *   inside an `$or` branch, as in event-ruler;
 * - event arrays: a leaf matches if any element matches ("Arrays in event patterns"); a nested
 *   object pattern matches an array if one element matches all of it, so two fields are never
 *   satisfied by different elements (event-ruler's array-consistent matching);
 * - `exists` looks only at leaves: a field whose value is an object, or that is absent, does
 *   not exist for it ("Exists matching only works on leaf nodes").
 *
 * The pattern sees a CloudEvent as `{ ...attributes, data }`; `data()` is called only when a
 * top-level field (or a top-level `$or` branch) is named `data` (see `needsData`).
 */
import { compileLeaf, isOperatorName, isPlainObject, leafMatches, type Alternative, type Leaf } from './leaf-matchers.js';
import { indexPath, keyPath, PatternError } from './pattern-error.js';

/** What a pattern is matched against: top-level attributes plus lazily decoded data. */
export interface PatternView {
  readonly attributes: Readonly<Record<string, unknown>>;
  data(): unknown;
}

export interface PatternExplanation {
  readonly matched: boolean;
  /** Path of the innermost field (or `$or`) that failed, base path included. */
  readonly path?: string;
  /** The pattern text at that path. */
  readonly pattern?: unknown;
}

export interface CompiledPattern {
  /** True when matching may call `view.data()`. */
  readonly needsData: boolean;
  matches(view: PatternView): boolean;
  /** Matches an arbitrary JSON document (for example an EventBridge-shaped event). */
  matchesJson(doc: unknown): boolean;
  explain(view: PatternView): PatternExplanation;
}

/** Our limit on object nesting in a pattern (the documents set none; SUB-N1.3 asks us to choose). */
export const MAX_PATTERN_DEPTH = 32;

const MISSING = Symbol('missing');
type Getter = (key: string) => unknown;

interface Field {
  readonly key: string;
  readonly path: string;
  readonly source: unknown;
  readonly leaf?: readonly Alternative[];
  readonly object?: ObjectNode;
}
interface OrGroup {
  readonly path: string;
  readonly source: unknown;
  readonly branches: readonly ObjectNode[];
}
interface ObjectNode {
  readonly fields: readonly Field[];
  readonly ors: readonly OrGroup[];
}
interface Failure {
  path?: string;
  source?: unknown;
}

function compileObject(json: unknown, path: string, depth: number, inOr: boolean): ObjectNode {
  if (!isPlainObject(json)) throw new PatternError(path, 'a pattern must be a JSON object');
  if (depth > MAX_PATTERN_DEPTH) throw new PatternError(path, `patterns nest at most ${MAX_PATTERN_DEPTH} objects deep`);
  const keys = Object.keys(json);
  if (keys.length === 0) throw new PatternError(path, 'empty objects are not allowed');
  const fields: Field[] = [];
  const ors: OrGroup[] = [];
  for (const key of keys) {
    const value = json[key];
    const p = keyPath(path, key);
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) throw new PatternError(p, '$or needs an array of at least two pattern objects');
      const branches = value.map((b, i) => compileObject(b, indexPath(p, i), depth + 1, true));
      ors.push({ path: p, source: value, branches });
      continue;
    }
    if (inOr && isOperatorName(key)) throw new PatternError(p, `"${key}" is an operator and cannot be a field name inside $or`);
    if (Array.isArray(value)) {
      fields.push({ key, path: p, source: value, leaf: compileLeaf(value, p) });
    } else if (isPlainObject(value)) {
      fields.push({ key, path: p, source: value, object: compileObject(value, p, depth + 1, inOr) });
    } else {
      const hint = isOperatorName(key) ? ` (did you mean [{ "${key}": … }] one level up?)` : ` (did you mean [${JSON.stringify(value)}]?)`;
      throw new PatternError(p, `a field must hold an object or an array of values${hint}`);
    }
  }
  return { fields, ors };
}

const missingGetter: Getter = () => MISSING;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function objectGetter(o: Record<string, unknown>): Getter {
  return (k) => (hasOwn(o, k) && o[k] !== undefined ? o[k] : MISSING);
}

/** Flattens nested arrays without recursion (event documents may nest deeply). */
function flatten(arr: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const stack: unknown[] = [...arr].reverse();
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    else out.push(v);
  }
  return out;
}

/** The leaf values at a field: none for absent fields and objects, each element for arrays. */
function leavesOf(v: unknown): Leaf[] {
  if (v === MISSING || isPlainObject(v)) return [];
  if (Array.isArray(v)) return flatten(v).filter((e): e is Leaf => !isPlainObject(e) && e !== undefined);
  return [v as Leaf];
}

function evalNested(node: ObjectNode, v: unknown, fail: Failure | undefined): boolean {
  if (isPlainObject(v)) return evalObject(node, objectGetter(v), fail);
  if (!Array.isArray(v)) return evalObject(node, missingGetter, fail);
  const elements = flatten(v);
  if (elements.length === 0) return evalObject(node, missingGetter, fail);
  const getterOf = (e: unknown): Getter => (isPlainObject(e) ? objectGetter(e) : missingGetter);
  if (elements.length === 1) return evalObject(node, getterOf(elements[0]), fail);
  return elements.some((e) => evalObject(node, getterOf(e), undefined));
}

/** Records only the first (innermost) failure: nested calls report before their parents. */
function record(fail: Failure | undefined, path: string, source: unknown): void {
  if (fail !== undefined && fail.path === undefined) {
    fail.path = path;
    fail.source = source;
  }
}

function evalObject(node: ObjectNode, get: Getter, fail: Failure | undefined): boolean {
  for (const f of node.fields) {
    const v = get(f.key);
    const ok = f.leaf !== undefined ? leafMatches(f.leaf, leavesOf(v)) : evalNested(f.object as ObjectNode, v, fail);
    if (!ok) {
      record(fail, f.path, f.source);
      return false;
    }
  }
  for (const g of node.ors) {
    if (!g.branches.some((b) => evalObject(b, get, undefined))) {
      record(fail, g.path, g.source);
      return false;
    }
  }
  return true;
}

/** The root getter: attributes by name, `data` from the view, decoded at most once per match. */
function viewGetter(view: PatternView): Getter {
  let loaded = false;
  let data: unknown;
  return (k) => {
    if (k === 'data') {
      if (!loaded) {
        loaded = true;
        data = view.data();
      }
      return data === undefined ? MISSING : data;
    }
    const a = view.attributes;
    return hasOwn(a, k) && a[k] !== undefined ? a[k] : MISSING;
  };
}

function readsData(node: ObjectNode): boolean {
  return node.fields.some((f) => f.key === 'data') || node.ors.some((g) => g.branches.some(readsData));
}

/**
 * Validates and compiles an EventBridge event pattern. Throws PatternError (with the JSON path
 * of the offending part, prefixed by `basePath`) for unknown operators, bad numeric ranges, bad
 * CIDR blocks, bad wildcards, empty arrays or objects, and values of the wrong shape.
 */
export function compilePattern(json: unknown, basePath = ''): CompiledPattern {
  const root = compileObject(json, basePath, 1, false);
  return {
    needsData: readsData(root),
    matches: (view) => evalObject(root, viewGetter(view), undefined),
    matchesJson: (doc) => evalObject(root, isPlainObject(doc) ? objectGetter(doc) : missingGetter, undefined),
    explain: (view) => {
      const fail: Failure = {};
      if (evalObject(root, viewGetter(view), fail)) return { matched: true };
      return { matched: false, path: fail.path ?? basePath, pattern: fail.path === undefined ? json : fail.source };
    },
  };
}
