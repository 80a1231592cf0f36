import { joinPointer } from '../codec/index.js';

/** Keywords whose value is a map of name → subschema. */
const MAP_KEYWORDS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
/** Keywords whose value is an array of subschemas. */
const ARRAY_KEYWORDS = ['prefixItems', 'allOf', 'anyOf', 'oneOf'];
/** Keywords whose value is one subschema. */
const SINGLE_KEYWORDS = [
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'contentSchema',
];

type SchemaObject = Record<string, unknown>;

const isObject = (v: unknown): v is SchemaObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Visits every object (sub)schema of a JSON Schema 2020-12 document with its JSON pointer,
 * so that problems Ajv reports without a location (unknown keywords, unresolved $ref) can be
 * pinned to one. Values of non-schema keywords (enum, const, default, examples) are not entered.
 */
export function walkSchema(schema: unknown, visit: (node: SchemaObject, pointer: string) => void, pointer = ''): void {
  if (!isObject(schema)) return;
  visit(schema, pointer);
  for (const kw of MAP_KEYWORDS) {
    const v = schema[kw];
    if (isObject(v)) for (const [name, sub] of Object.entries(v)) walkSchema(sub, visit, joinPointer(pointer, kw, name));
  }
  for (const kw of ARRAY_KEYWORDS) {
    const v = schema[kw];
    if (Array.isArray(v)) v.forEach((sub, i) => walkSchema(sub, visit, joinPointer(pointer, kw, i)));
  }
  for (const kw of SINGLE_KEYWORDS) {
    const v = schema[kw];
    if (Array.isArray(v)) v.forEach((sub, i) => walkSchema(sub, visit, joinPointer(pointer, kw, i)));
    else walkSchema(v, visit, joinPointer(pointer, kw));
  }
}

/** Pointers (to the keyword) of every keyword not in `known`. */
export function findUnknownKeywords(schema: unknown, known: (keyword: string) => boolean): Array<{ pointer: string; keyword: string }> {
  const found: Array<{ pointer: string; keyword: string }> = [];
  walkSchema(schema, (node, pointer) => {
    for (const kw of Object.keys(node)) if (!known(kw)) found.push({ pointer: joinPointer(pointer, kw), keyword: kw });
  });
  return found;
}

/** Pointer of the first `$ref` whose value is `ref`, if any. */
export function findRef(schema: unknown, ref: string): string | undefined {
  let at: string | undefined;
  walkSchema(schema, (node, pointer) => {
    if (at === undefined && node['$ref'] === ref) at = joinPointer(pointer, '$ref');
  });
  return at;
}

/**
 * Required names that the same schema object's `properties` (or `patternProperties`) do not
 * define: almost always a typo. This replaces Ajv's strictRequired, which also rejects the
 * common `if/then: {required: [...]}` pattern (it does not see the parent's properties).
 */
export function findUndefinedRequired(schema: unknown): Array<{ pointer: string; name: string }> {
  const found: Array<{ pointer: string; name: string }> = [];
  walkSchema(schema, (node, pointer) => {
    const req = node['required'];
    const props = node['properties'];
    if (!Array.isArray(req) || !isObject(props)) return;
    const patterns = isObject(node['patternProperties']) ? Object.keys(node['patternProperties']) : [];
    req.forEach((name, i) => {
      if (typeof name !== 'string' || Object.prototype.hasOwnProperty.call(props, name)) return;
      if (patterns.some((p) => safeTest(p, name))) return;
      found.push({ pointer: joinPointer(pointer, 'required', i), name });
    });
  });
  return found;
}

/** `pattern` values and `patternProperties` keys that are not valid regular expressions (Ajv compiles them with the `u` flag). */
export function findInvalidPatterns(schema: unknown): Array<{ pointer: string; message: string }> {
  const found: Array<{ pointer: string; message: string }> = [];
  const check = (pattern: string, pointer: string): void => {
    try {
      new RegExp(pattern, 'u');
    } catch (e) {
      found.push({ pointer, message: e instanceof Error ? e.message : String(e) });
    }
  };
  walkSchema(schema, (node, pointer) => {
    if (typeof node['pattern'] === 'string') check(node['pattern'], joinPointer(pointer, 'pattern'));
    const pp = node['patternProperties'];
    if (isObject(pp)) for (const key of Object.keys(pp)) check(key, joinPointer(pointer, 'patternProperties', key));
  });
  return found;
}

function safeTest(pattern: string, s: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(s);
  } catch {
    return false;
  }
}
