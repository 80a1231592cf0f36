import { joinPointer } from '../codec/index.js';
import { jsonEqual } from './json-equal.js';
import { changed, hasAssertions, isObj, say, type Cx, type Obj } from './compatibility-report.js';

/**
 * Object, array and combinator keywords of the compatibility check (writer `w`, reader `r`;
 * a problem is a value `w` accepts that `r` may reject). See compatibility.ts.
 */
export function checkObjects(w: Obj, r: Obj, ptr: string, cx: Cx): void {
  const wReq = new Set(stringArray(w['required']));
  const newlyRequired = new Set<string>();
  for (const name of stringArray(r['required'])) {
    if (wReq.has(name)) continue;
    newlyRequired.add(name);
    say(cx, joinPointer(ptr, 'properties', name), 'became required', 'is no longer required');
  }

  const wp = isObj(w['properties']) ? w['properties'] : {};
  const rp = isObj(r['properties']) ? r['properties'] : {};
  for (const name of new Set([...Object.keys(wp), ...Object.keys(rp)])) {
    const at = joinPointer(ptr, 'properties', name);
    const inW = Object.prototype.hasOwnProperty.call(wp, name);
    const inR = Object.prototype.hasOwnProperty.call(rp, name);
    if (inW && inR) {
      cx.compare(wp[name], rp[name], at, cx);
    } else if (inR) {
      // The writer has no declaration: its values come from its patternProperties or additionalProperties.
      const implied = impliedSchema(w, name);
      if (implied === false || newlyRequired.has(name)) continue;
      if (implied === undefined || implied === true) {
        if (hasAssertions(rp[name])) {
          say(
            cx,
            at,
            'was added while the older schema leaves additional properties open (older data may hold any value under that name; close the older schema with additionalProperties: false)',
            'was removed while the newer schema leaves additional properties open (newer data may hold any value under that name)',
          );
        }
      } else {
        cx.compare(implied, rp[name], at, cx);
      }
    } else {
      const implied = impliedSchema(r, name);
      if (implied === false) {
        if (wp[name] !== false) {
          say(
            cx,
            at,
            'was removed while additionalProperties is false (older data holding it is now rejected)',
            'was added but the older schema has additionalProperties: false (older readers reject newer data holding it)',
          );
        }
      } else if (implied !== undefined && implied !== true) {
        cx.compare(wp[name], implied, at, cx);
      }
    }
  }

  const wa = w['additionalProperties'];
  const ra = r['additionalProperties'];
  if (ra === false && wa !== false) {
    say(cx, joinPointer(ptr, 'additionalProperties'), 'became false', 'was false in the older schema');
  } else if (ra !== undefined) {
    cx.compare(wa, ra, joinPointer(ptr, 'additionalProperties'), cx);
  }

  const wpp = isObj(w['patternProperties']) ? w['patternProperties'] : {};
  const rpp = isObj(r['patternProperties']) ? r['patternProperties'] : {};
  for (const pattern of Object.keys(rpp)) {
    const at = joinPointer(ptr, 'patternProperties', pattern);
    cx.compare(pattern in wpp ? wpp[pattern] : wa, rpp[pattern], at, cx);
  }
  for (const pattern of Object.keys(wpp)) {
    if (!(pattern in rpp)) cx.compare(wpp[pattern], ra, joinPointer(ptr, 'patternProperties', pattern), cx);
  }
}

export function checkArrays(w: Obj, r: Obj, ptr: string, cx: Cx): void {
  const wPrefix = Array.isArray(w['prefixItems']) ? (w['prefixItems'] as unknown[]) : [];
  const rPrefix = Array.isArray(r['prefixItems']) ? (r['prefixItems'] as unknown[]) : [];
  for (let i = 0; i < Math.max(wPrefix.length, rPrefix.length); i++) {
    const wi = i < wPrefix.length ? wPrefix[i] : w['items'];
    const ri = i < rPrefix.length ? rPrefix[i] : r['items'];
    cx.compare(wi, ri, joinPointer(ptr, 'prefixItems', i), cx);
  }
  if (r['items'] !== undefined) cx.compare(w['items'], r['items'], joinPointer(ptr, 'items'), cx);
}

/**
 * allOf pairwise when both have the same number of branches (else any change is a break);
 * anyOf/oneOf: every writer branch (or the writer itself) must be accepted by some reader
 * branch. oneOf's exclusivity is not analysed (as in Confluent's checker).
 */
export function checkCombinators(w: Obj, r: Obj, ptr: string, cx: Cx): void {
  const ra = r['allOf'];
  const wa = w['allOf'];
  if (Array.isArray(ra)) {
    if (Array.isArray(wa) && wa.length === ra.length) ra.forEach((b, i) => cx.compare(wa[i], b, joinPointer(ptr, 'allOf', i), cx));
    else if (!jsonEqual(wa, ra)) changed(cx, ptr, 'allOf', wa, ra);
  }
  for (const kw of ['anyOf', 'oneOf']) {
    const rb = r[kw];
    if (!Array.isArray(rb)) continue;
    const wb = w[kw];
    const branches: unknown[] = Array.isArray(wb) ? wb : [withoutKeyword(w, kw)];
    branches.forEach((branch, i) => {
      const covered = rb.some((b) => {
        const sub: Cx = { dir: cx.dir, out: [], compare: cx.compare };
        cx.compare(branch, b, '', sub);
        return sub.out.length === 0;
      });
      if (covered) return;
      if (Array.isArray(wb)) {
        say(
          cx,
          joinPointer(ptr, kw, i),
          `branch ${i} of the older ${kw} matches no branch of the newer one`,
          `branch ${i} of the newer ${kw} matches no branch of the older one`,
        );
      } else {
        say(
          cx,
          joinPointer(ptr, kw),
          `added, and the older schema matches none of its branches`,
          `removed, and the newer schema matches none of the older branches`,
        );
      }
    });
  }
}

/** The schema a property name gets when `properties` does not declare it. */
function impliedSchema(s: Obj, name: string): unknown {
  const pp = s['patternProperties'];
  if (isObj(pp)) {
    for (const [pattern, sub] of Object.entries(pp)) {
      try {
        if (new RegExp(pattern, 'u').test(name)) return sub;
      } catch {
        // Ajv rejected invalid patterns at load; nothing to match here.
      }
    }
  }
  return s['additionalProperties'];
}

function withoutKeyword(s: Obj, kw: string): Obj {
  const { [kw]: _omit, ...rest } = s;
  return rest;
}

function stringArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
