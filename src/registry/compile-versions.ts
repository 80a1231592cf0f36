import { Ajv2020, type ErrorObject, type FormatDefinition, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isDateTime } from './date-time-format.js';
import { limitLength } from './limit-length.js';
import type { SchemaProblem } from './types.js';
import { findInvalidPatterns, findRef, findUndefinedRequired, findUnknownKeywords } from './walk-schema.js';

/** One version file that passed the registry's own checks ($id present, unique, …). */
export interface VersionSource {
  readonly file: string;
  readonly id: string;
  readonly schema: Record<string, unknown>;
}

/**
 * Compiles every version once, with one Ajv 2020 instance for the whole registry, so a schema
 * may `$ref` another by its `$id` whatever the load order. Strict mode catches typos at start
 * (fail closed, DESIGN §10.2) — with two deliberate settings:
 * - `allowUnionTypes`: `type: ["string", "null"]` is ordinary JSON Schema for nullable fields;
 * - `strictRequired` off: Ajv's check rejects `then: {required: [...]}`; findUndefinedRequired
 *   catches the typos it is meant for instead.
 * `maxLength` / `minLength` are Ajv's with a cheaper count (limit-length.ts), and `date-time`
 * ajv-formats' own check without its regular expressions (date-time-format.ts).
 * Every problem is collected and pinned to a JSON pointer where the error allows it.
 */
export function compileVersions(sources: readonly VersionSource[]): {
  validators: Map<string, ValidateFunction>;
  problems: SchemaProblem[];
} {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats.default(ajv);
  ajv.removeKeyword('maxLength').removeKeyword('minLength').addKeyword(limitLength);
  ajv.addFormat('date-time', { ...(fullFormats['date-time'] as FormatDefinition<string>), validate: isDateTime });
  const problems: SchemaProblem[] = [];
  const added: VersionSource[] = [];

  for (const src of sources) {
    const before = problems.length;
    for (const u of findUnknownKeywords(src.schema, (kw) => ajv.RULES.keywords[kw] === true)) {
      problems.push({ file: src.file, pointer: u.pointer, message: `unknown keyword "${u.keyword}" (strict mode)` });
    }
    for (const p of findInvalidPatterns(src.schema)) problems.push({ file: src.file, pointer: p.pointer, message: p.message });
    if (problems.length > before) continue;
    if (!ajv.validateSchema(src.schema)) {
      problems.push(...metaSchemaProblems(src.file, ajv.errors ?? []));
      continue;
    }
    for (const r of findUndefinedRequired(src.schema)) {
      problems.push({ file: src.file, pointer: r.pointer, message: `required property "${r.name}" is not defined in properties` });
    }
    try {
      ajv.addSchema(src.schema);
      added.push(src);
    } catch (e) {
      problems.push({ file: src.file, message: errorMessage(e) });
    }
  }

  const validators = new Map<string, ValidateFunction>();
  for (const src of added) {
    try {
      const v = ajv.getSchema(src.id);
      if (v === undefined) throw new Error(`schema ${src.id} was not registered`);
      // An async validator returns a Promise, which validate() would take for success.
      if ((v as { $async?: boolean }).$async === true)
        problems.push({ file: src.file, pointer: '/$async', message: 'async schemas ($async) are not supported' });
      else validators.set(src.id, v);
    } catch (e) {
      problems.push(compileProblem(src, e));
    }
  }
  return { validators, problems };
}

/** Meta-schema errors, one per location: the first is the most specific (e.g. bad `type` value). */
function metaSchemaProblems(file: string, errors: readonly ErrorObject[]): SchemaProblem[] {
  const byPointer = new Map<string, SchemaProblem>();
  for (const e of errors) {
    if (byPointer.has(e.instancePath)) continue;
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
    const detail = allowed ? `: ${allowed.map((a) => JSON.stringify(a)).join(', ')}` : '';
    byPointer.set(e.instancePath, { file, pointer: e.instancePath, message: `invalid JSON Schema: ${e.message ?? e.keyword}${detail}` });
  }
  return [...byPointer.values()];
}

/** Ajv compile errors name their place as `at "…#/pointer"` or `at path "#/pointer"`; unresolved refs do not. */
function compileProblem(src: VersionSource, e: unknown): SchemaProblem {
  const message = errorMessage(e);
  const at = /\bat (?:path )?"[^"#]*#([^"]*)"/.exec(message);
  if (at) return { file: src.file, pointer: decodePointerFragment(at[1] ?? ''), message };
  const ref = /can't resolve reference (\S+) from id/.exec(message);
  const pointer = ref?.[1] === undefined ? undefined : findRef(src.schema, ref[1]);
  return pointer === undefined ? { file: src.file, message } : { file: src.file, pointer, message };
}

function decodePointerFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
