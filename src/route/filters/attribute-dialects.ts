/**
 * The `exact`, `prefix` and `suffix` dialects (SUB-M5..M7): `{ "<dialect>": { "<attr>": "<value>", … } }`,
 * true only when every listed attribute compares true, case-sensitively.
 */
import type { AttributeValue } from '../../core/index.js';
import type { EventView } from './event-view.js';
import { FilterError, joinPath } from './filter-error.js';
import { show, type FilterNode } from './filter-node.js';

export type AttributeDialect = 'exact' | 'prefix' | 'suffix';

/** CORE-M13: attribute names are `[a-z0-9]+`. A filter on `Type` could never match, so it is refused. */
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;

const COMPARE: Record<AttributeDialect, (actual: string, wanted: string) => boolean> = {
  exact: (a, w) => a === w,
  prefix: (a, w) => a.startsWith(w),
  suffix: (a, w) => a.endsWith(w),
};

/**
 * SUB-N1.2: non-string attributes compare by their canonical string (CORE-M17/M18): Booleans
 * as `true`/`false`, Integers in base 10. Timestamps are kept as the received string by the
 * event model, so `{"prefix":{"time":"2024-"}}` works as written.
 */
export function canonicalString(v: AttributeValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return Number.isInteger(v) ? v.toFixed(0) : String(v);
}

export function compileAttributeDialect(dialect: AttributeDialect, value: unknown, path: string): FilterNode {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FilterError(path, `${dialect} needs an object of attribute names to string values`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw new FilterError(path, `${dialect} needs at least one attribute`);
  const checks = entries.map(([name, wanted]) => {
    const p = joinPath(path, name);
    // SUB-M5: names and values MUST NOT be empty strings; reject the subscription.
    if (name === '') throw new FilterError(p, 'attribute names must not be empty');
    if (!ATTRIBUTE_NAME.test(name)) throw new FilterError(p, `"${name}" is not a CloudEvents attribute name (lowercase a-z and 0-9 only)`);
    if (typeof wanted !== 'string') throw new FilterError(p, `the value must be a string, got ${show(wanted)}`);
    if (wanted === '') throw new FilterError(p, 'the value must not be empty');
    return { name, wanted, path: p };
  });
  const compare = COMPARE[dialect];
  const failing = (view: EventView) => {
    for (const c of checks) {
      const actual = view.attributes[c.name];
      // SUB-N1.1: an attribute the event does not have makes the condition false.
      if (actual === undefined || !compare(canonicalString(actual), c.wanted)) return c;
    }
    return undefined;
  };
  return {
    needsData: false,
    test: (view) => failing(view) === undefined,
    why: (view) => {
      const c = failing(view);
      if (c === undefined) return undefined;
      const actual = view.attributes[c.name];
      return {
        path: c.path,
        filter: show({ [dialect]: { [c.name]: c.wanted } }),
        reason: actual === undefined ? `the event has no "${c.name}" attribute` : `"${c.name}" is ${show(canonicalString(actual))}`,
      };
    },
  };
}
