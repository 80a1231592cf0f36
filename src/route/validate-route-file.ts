/**
 * Ajv 2020 validation of a parsed rule file, with Ajv's errors turned into messages a route
 * author can act on (which key is unknown and which are allowed, what a duration looks like…).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { show } from './filters/filter-node.js';
import { pointerSegments, type Segment } from './locate-node.js';
import { DURATION_PATTERN, SIZE_PATTERN } from './parse-duration.js';
import { ROUTE_ID_PATTERN, routeFileSchema, TOPIC_PATTERN, type TargetSchemas } from './route-schema.js';

export interface SchemaProblem {
  /** Where to look for the line. */
  readonly at: readonly Segment[];
  /** The field named in the message (may be a key that is missing). */
  readonly field: readonly Segment[];
  readonly message: string;
}

export type RouteFileValidator = (value: unknown) => SchemaProblem[];

const cache = new WeakMap<object, RouteFileValidator>();
let generic: RouteFileValidator | undefined;

/** Compiled once per targets object (reloads reuse it). */
export function routeFileValidator(targets?: TargetSchemas): RouteFileValidator {
  if (targets === undefined) return (generic ??= compileValidator(routeFileSchema()));
  let v = cache.get(targets);
  if (v === undefined) {
    v = compileValidator(routeFileSchema(targets));
    cache.set(targets, v);
  }
  return v;
}

/** A validator for any of our YAML file schemas (rule files, cases files). */
export function compileValidator(schema: object): RouteFileValidator {
  // strict: false because plug-in schemas may carry annotations Ajv does not know.
  const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
  addFormats.default(ajv);
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return [];
    const seen = new Set<string>();
    const out: SchemaProblem[] = [];
    for (const e of validate.errors ?? []) {
      const p = translate(e);
      const key = `${p.field.join('/')}\u0000${p.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(p);
      }
    }
    return out;
  };
}

/** Our patterns, recognised by their text (Ajv inlines `$ref`s, so schema paths are not stable). */
const PATTERN_MESSAGES: Readonly<Record<string, (v: unknown) => string>> = {
  [DURATION_PATTERN]: (v) => `${show(v)} is not a duration (e.g. 200ms, 1.5s, 5m, 1h, or a number of milliseconds)`,
  [SIZE_PATTERN]: (v) => `${show(v)} is not a size (e.g. 512KB, 5MB, 1GiB, or a number of bytes)`,
  [TOPIC_PATTERN]: (v) => `${show(v)} is not a legal topic name (letters, digits, ".", "_", "-"; at most 249)`,
  [ROUTE_ID_PATTERN]: (v) =>
    `route id ${show(v)} must be 1-63 characters: lowercase letters, digits, "-", "_", "." (starting with a letter or digit)`,
};

function isTargetPath(at: readonly Segment[]): boolean {
  return at.length === 3 && at[0] === 'routes' && at[2] === 'to';
}

function translate(e: ErrorObject): SchemaProblem {
  const at = pointerSegments(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const parentKeys = Object.keys(((e.parentSchema as Record<string, unknown> | undefined)?.['properties'] ?? {}) as object);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const here = [...at, key];
      if (isTargetPath(at))
        return { at: here, field: here, message: `unknown target kind ${show(key)} (known: ${parentKeys.join(', ') || 'none'})` };
      return { at: here, field: here, message: `unknown key ${show(key)} (allowed: ${parentKeys.join(', ')})` };
    }
    case 'required': {
      const key = String(params['missingProperty']);
      return { at, field: [...at, key], message: `missing required key ${show(key)}` };
    }
    case 'minProperties':
    case 'maxProperties':
      if (isTargetPath(at)) {
        const found = Object.keys((e.data ?? {}) as object);
        return {
          at,
          field: at,
          message: `needs exactly one target kind, as in to: { http: { url: … } }; found ${found.length === 0 ? 'none' : found.join(', ')}`,
        };
      }
      return { at, field: at, message: e.message ?? e.keyword };
    case 'pattern': {
      const msg = PATTERN_MESSAGES[String(params['pattern'])];
      return { at, field: at, message: msg === undefined ? `${e.message ?? 'must match a pattern'} (got ${show(e.data)})` : msg(e.data) };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[] | undefined) ?? [];
      return { at, field: at, message: `must be one of ${allowed.map(String).join(', ')} (got ${show(e.data)})` };
    }
    case 'minItems': {
      const n = Number(params['limit']);
      return { at, field: at, message: `must list at least ${n} item${n === 1 ? '' : 's'}` };
    }
    case 'type':
      return { at, field: at, message: `must be ${String(params['type']).replace(',', ' or ')} (got ${show(e.data)})` };
    case 'uniqueItems': {
      const dup = [...at, Number(params['i'])];
      return { at: dup, field: at, message: `lists ${show((e.data as unknown[])[Number(params['i'])])} more than once` };
    }
    default:
      return {
        at,
        field: at,
        message: `${e.message ?? e.keyword}${e.data === undefined || typeof e.data === 'object' ? '' : ` (got ${show(e.data)})`}`,
      };
  }
}
