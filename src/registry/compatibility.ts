import type { CompatibilityMode, JSONSchema } from './types.js';
import { joinPointer } from '../codec/index.js';
import { jsonEqual, jsonTypeOf } from './json-equal.js';
import { checkArrays, checkCombinators, checkObjects } from './compatibility-structures.js';
import {
  ANNOTATIONS,
  changed,
  hasAssertions,
  isObj,
  json,
  say,
  type CompatibilityProblem,
  type Cx,
  type Obj,
} from './compatibility-report.js';

export type { CompatibilityProblem } from './compatibility-report.js';

/**
 * Schema compatibility, with Confluent Schema Registry's JSON Schema semantics:
 * - backward: a reader using the newer schema accepts all data written with the older one;
 * - forward:  a reader using the older schema accepts all data written with the newer one;
 * - full:     both; none: no check.
 * A check compares a *writer* schema W with a *reader* schema R and reports every place where
 * R may reject a value W accepts (R is narrower). Like Confluent, an open content model
 * (additionalProperties absent/true) means older data may hold *any* value under a new name,
 * so adding a typed property is only backward compatible when the older schema is closed.
 * Deliberate differences: a newly required property with a `default` is still a break (Causeway
 * validates the bytes as received and never fills defaults), and keywords this checker does not
 * analyse (pattern, format, not, if/then/else, $ref, …) count as incompatible when they change.
 * This compares one pair; the registry checks every pair of versions i < j (Confluent's
 * *_TRANSITIVE modes), because any version's producers and consumers may still be running.
 */
export function checkCompatibility(older: JSONSchema, newer: JSONSchema, mode: CompatibilityMode): CompatibilityProblem[] {
  const out: CompatibilityProblem[] = [];
  if (mode === 'backward' || mode === 'full') compare(older, newer, '', { dir: 'backward', out, compare });
  if (mode === 'forward' || mode === 'full') compare(newer, older, '', { dir: 'forward', out, compare });
  return out;
}

/** Keywords compared structurally here or in compatibility-structures.ts; the rest use the fallback. */
const HANDLED = new Set([
  'type',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'required',
  'properties',
  'additionalProperties',
  'patternProperties',
  'minProperties',
  'maxProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minContains',
  'maxContains',
  'allOf',
  'anyOf',
  'oneOf',
  '$ref',
]);

const LIMITS: ReadonlyArray<[keyword: string, kind: 'min' | 'max', absent: number]> = [
  ['minLength', 'min', 0],
  ['maxLength', 'max', Infinity],
  ['minItems', 'min', 0],
  ['maxItems', 'max', Infinity],
  ['minProperties', 'min', 0],
  ['maxProperties', 'max', Infinity],
  ['minContains', 'min', 1],
  ['maxContains', 'max', Infinity],
];

/** Reports every way reader `r` may reject a value writer `w` accepts. Absent schemas accept all. */
function compare(w: unknown, r: unknown, ptr: string, cx: Cx): void {
  if (r === undefined || r === true || (isObj(r) && !hasAssertions(r))) return;
  if (w === false) return;
  if (r === false) return say(cx, ptr, 'became false (rejects every value)', 'was false in the older schema (it rejects every value)');
  if (!isObj(r)) return;
  const wo: Obj = isObj(w) ? w : {};
  if (checkType(wo, r, ptr, cx)) return; // disjoint types: the rest would only repeat the break
  checkEnum(wo, r, ptr, cx);
  checkBounds(wo, r, ptr, cx, 'lower');
  checkBounds(wo, r, ptr, cx, 'upper');
  for (const [kw, kind, absent] of LIMITS) {
    const rv = r[kw];
    if (typeof rv !== 'number') continue;
    const wv = typeof wo[kw] === 'number' ? (wo[kw] as number) : absent;
    if (kind === 'min' ? wv < rv : wv > rv) changed(cx, ptr, kw, wo[kw], rv);
  }
  const rm = r['multipleOf'];
  const wm = wo['multipleOf'];
  if (typeof rm === 'number' && !(typeof wm === 'number' && isMultiple(wm, rm))) changed(cx, ptr, 'multipleOf', wm, rm);
  for (const kw of ['pattern', 'format', '$ref']) {
    if ((r[kw] !== undefined || (kw === '$ref' && wo[kw] !== undefined)) && !jsonEqual(wo[kw], r[kw])) changed(cx, ptr, kw, wo[kw], r[kw]);
  }
  if (r['uniqueItems'] === true && wo['uniqueItems'] !== true) changed(cx, ptr, 'uniqueItems', wo['uniqueItems'], true);
  checkObjects(wo, r, ptr, cx);
  checkArrays(wo, r, ptr, cx);
  checkCombinators(wo, r, ptr, cx);
  for (const defs of ['$defs', 'definitions']) {
    const wd = wo[defs];
    const rd = r[defs];
    if (!isObj(wd) || !isObj(rd)) continue;
    for (const name of Object.keys(rd)) if (name in wd) compare(wd[name], rd[name], joinPointer(ptr, defs, name), cx);
  }
  for (const kw of Object.keys(r)) {
    if (HANDLED.has(kw) || ANNOTATIONS.has(kw) || jsonEqual(wo[kw], r[kw])) continue;
    changed(cx, ptr, kw, wo[kw], r[kw], ' (not analysed; treated as incompatible)');
  }
}

/** Returns true when the types are disjoint. */
function checkType(w: Obj, r: Obj, ptr: string, cx: Cx): boolean {
  const rt = declaredTypes(r);
  if (rt === undefined) return false;
  const wt = declaredTypes(w) ?? inferredTypes(w);
  const at = joinPointer(ptr, 'type');
  if (wt === undefined) {
    say(cx, at, `restricted to ${fmtTypes(rt)} (was unrestricted)`, `restriction to ${fmtTypes(rt)} was removed`);
    return false;
  }
  const lost = [...wt].filter((t) => !accepts(rt, t));
  if (lost.length === 0) return false;
  say(cx, at, `narrowed from ${fmtTypes(wt)} to ${fmtTypes(rt)}`, `widened from ${fmtTypes(rt)} to ${fmtTypes(wt)}`);
  return lost.length === wt.size && ![...rt].some((t) => accepts(wt, t));
}

function checkEnum(w: Obj, r: Obj, ptr: string, cx: Cx): void {
  const wv = allowedValues(w);
  if ('const' in r) {
    const at = joinPointer(ptr, 'const');
    if (wv === undefined) say(cx, at, `added (${json(r['const'])})`, `${json(r['const'])} was removed`);
    else if (wv.some((v) => !jsonEqual(v, r['const']))) {
      const ws = wv.length === 1 ? json(wv[0]) : `one of ${json(wv)}`;
      say(cx, at, `changed from ${ws} to ${json(r['const'])}`, `changed from ${json(r['const'])} to ${ws}`);
    }
  }
  const re = r['enum'];
  if (Array.isArray(re)) {
    const at = joinPointer(ptr, 'enum');
    if (wv === undefined) return say(cx, at, `added (${json(re)})`, `${json(re)} was removed`);
    const lost = wv.filter((v) => !re.some((x) => jsonEqual(x, v)));
    if (lost.length > 0) say(cx, at, `narrowed: ${json(lost)} no longer allowed`, `widened: ${json(lost)} added`);
  }
}

type Bound = { v: number; excl: boolean };

/** The tightest lower (or upper) bound of a numeric schema, from minimum/exclusiveMinimum (or max…). */
function bound(s: Obj, side: 'lower' | 'upper'): Bound | undefined {
  const inc = s[side === 'lower' ? 'minimum' : 'maximum'];
  const exc = s[side === 'lower' ? 'exclusiveMinimum' : 'exclusiveMaximum'];
  const tighter = side === 'lower' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  let b: Bound | undefined = typeof inc === 'number' ? { v: inc, excl: false } : undefined;
  if (typeof exc === 'number' && (b === undefined || tighter(exc, b.v) || exc === b.v)) b = { v: exc, excl: true };
  return b;
}

function checkBounds(w: Obj, r: Obj, ptr: string, cx: Cx, side: 'lower' | 'upper'): void {
  const wb = bound(w, side);
  const kws = side === 'lower' ? (['minimum', 'exclusiveMinimum'] as const) : (['maximum', 'exclusiveMaximum'] as const);
  const within = side === 'lower' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  for (const kw of kws) {
    const rv = r[kw];
    if (typeof rv !== 'number') continue;
    const excl = kw.startsWith('exclusive');
    // W's values stay within R's bound when W's own bound is at least as tight.
    const ok = wb !== undefined && (wb.v === rv ? wb.excl || !excl : within(wb.v, rv));
    if (ok) continue;
    const rs = describeBound({ v: rv, excl }, side);
    const ws = wb === undefined ? 'none' : describeBound(wb, side);
    say(cx, joinPointer(ptr, kw), `${side} bound narrowed from ${ws} to ${rs}`, `${side} bound widened from ${rs} to ${ws}`);
  }
}

function describeBound(b: Bound, side: 'lower' | 'upper'): string {
  return `${side === 'lower' ? '>' : '<'}${b.excl ? '' : '='} ${b.v}`;
}

function declaredTypes(s: Obj): Set<string> | undefined {
  const t = s['type'];
  if (typeof t === 'string') return new Set([t]);
  if (Array.isArray(t)) return new Set(t.filter((x): x is string => typeof x === 'string'));
  return undefined;
}

function inferredTypes(s: Obj): Set<string> | undefined {
  const values = allowedValues(s);
  return values === undefined ? undefined : new Set(values.map(jsonTypeOf));
}

function allowedValues(s: Obj): unknown[] | undefined {
  if ('const' in s) return [s['const']];
  return Array.isArray(s['enum']) ? s['enum'] : undefined;
}

const accepts = (types: Set<string>, t: string): boolean => types.has(t) || (t === 'integer' && types.has('number'));

const fmtTypes = (types: Set<string>): string => (types.size === 1 ? [...types].join('') : `[${[...types].join(', ')}]`);

function isMultiple(a: number, b: number): boolean {
  const q = a / b;
  return Math.abs(q - Math.round(q)) < 1e-9;
}
