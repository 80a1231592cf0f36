import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { CausewayError, type CloudEvent, type ErrorItem } from '../core/index.js';
import type { Registry, SchemaVersion, TypeInfo, ValidatedData } from './types.js';
import type { ScannedType } from './scan-schemas-dir.js';
import { isJsonContentType, mediaTypeEssence } from './media-type.js';
import { joinPointer } from '../codec/index.js';

/** Violations reported per event at most; a huge array can produce thousands. */
const MAX_ERRORS = 50;
const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Version {
  readonly info: TypeInfo;
  readonly version: SchemaVersion;
  readonly validate: ValidateFunction;
}

/**
 * The in-memory registry over compiled schemas (DESIGN §4). validate() picks the schema:
 * the version whose $id equals `dataschema` when present (unknown URI, or one of another
 * type: CW_UNKNOWN_DATASCHEMA), else the type's latest; then checks the data:
 * - JSON data (datacontenttype absent — JSON-S1 — or `*\/json`, `*\/*+json`, JSON-M5) is parsed
 *   (not UTF-8 or not JSON: CW_INVALID_DATA 400) and validated (CW_SCHEMA_VIOLATION 422,
 *   paths under `/data`);
 * - non-JSON data is accepted, unvalidated, only when the type's event.yaml declares that
 *   contentType; otherwise CW_SCHEMA_VIOLATION 422 at `datacontenttype` — the data may well be
 *   well-formed, it is the type's contract that refuses it;
 * - no data (absent or zero bytes) passes only when the schema's root has no `type` or allows
 *   "null": "no data" for a schema that requires an object is a violation.
 */
export function createRegistry(scanned: readonly ScannedType[], opts: { allowUnknownTypes?: boolean } = {}): Registry {
  const byType = new Map<string, TypeInfo>();
  const byId = new Map<string, Version>();
  const latest = new Map<string, Version>();
  for (const { info, validators } of scanned) {
    byType.set(info.type, info);
    for (const version of info.versions) {
      const validate = validators.get(version.version);
      if (!validate) throw new Error(`registry: version ${version.version} of ${info.type} is not compiled`);
      const v: Version = { info, version, validate };
      byId.set(version.id, v);
      if (version.version === info.latest) latest.set(info.type, v);
    }
  }
  const all = Object.freeze([...byType.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)));

  function validate(ev: CloudEvent): ValidatedData {
    const typeName = String(ev.attributes['type'] ?? '');
    const info = byType.get(typeName);
    const ds = ev.attributes['dataschema'];
    let chosen: Version | undefined;
    if (ds !== undefined) {
      chosen = byId.get(String(ds));
      if (chosen === undefined && (info !== undefined || !opts.allowUnknownTypes)) {
        throw new CausewayError('CW_UNKNOWN_DATASCHEMA', `dataschema ${String(ds)} is not in the schema registry`, {
          errors: [
            {
              path: 'dataschema',
              message: `unknown dataschema ${String(ds)}${info ? `; known versions of ${typeName}: ${info.versions.map((v) => v.id).join(', ') || 'none'}` : ''}`,
            },
          ],
        });
      }
      if (chosen !== undefined && chosen.info.type !== typeName) {
        throw new CausewayError('CW_UNKNOWN_DATASCHEMA', `dataschema ${String(ds)} belongs to type ${chosen.info.type}, not ${typeName}`, {
          errors: [
            {
              path: 'dataschema',
              message: `${String(ds)} is version ${chosen.version.version} of ${chosen.info.type}, not a schema of ${typeName}`,
            },
          ],
        });
      }
    }
    if (info === undefined) {
      if (!opts.allowUnknownTypes) {
        throw new CausewayError('CW_UNKNOWN_TYPE', `unknown event type ${typeName}`, {
          errors: [{ path: 'type', message: `type ${typeName} is not in the schema registry` }],
        });
      }
      return { type: undefined, data: unvalidatedData(ev) };
    }
    chosen ??= latest.get(typeName);
    return { type: info, data: checkData(ev, info, chosen) };
  }

  return { types: () => all, get: (type) => byType.get(type), validate };
}

function checkData(ev: CloudEvent, info: TypeInfo, v: Version | undefined): unknown {
  if (ev.data === undefined || ev.data.length === 0) {
    if (v !== undefined && !acceptsNoData(v.version.schema)) {
      throw violation(v, [
        { path: '/data', message: `the event has no data, but schema ${v.version.id} requires ${describeType(v.version.schema['type'])}` },
      ]);
    }
    return undefined;
  }
  const dct = ev.attributes['datacontenttype'];
  const contentType = dct === undefined ? undefined : String(dct);
  if (!isJsonContentType(contentType)) {
    const declared = info.contentType === undefined ? undefined : mediaTypeEssence(info.contentType);
    if (declared !== undefined && declared === mediaTypeEssence(contentType ?? '')) return ev.data;
    throw new CausewayError('CW_SCHEMA_VIOLATION', `type ${info.type} does not accept ${contentType} data`, {
      errors: [
        {
          path: 'datacontenttype',
          message: `type ${info.type} accepts JSON data${info.contentType ? ` or ${info.contentType}` : ''}, not ${contentType} (declare contentType in its event.yaml to allow it)`,
        },
      ],
    });
  }
  if (v === undefined) {
    throw new CausewayError('CW_SCHEMA_VIOLATION', `type ${info.type} has no JSON schema`, {
      errors: [
        {
          path: 'datacontenttype',
          message: `type ${info.type} accepts ${info.contentType ?? 'no'} data only; JSON data (datacontenttype ${contentType ?? 'absent, which means JSON'}) is not accepted`,
        },
      ],
    });
  }
  const data = parseJson(ev.data, contentType);
  if (!v.validate(data)) throw violation(v, toErrorItems(v.validate.errors ?? []));
  return data;
}

/** Unknown types (allowed by config) are not validated; JSON data is parsed for the partition key. */
function unvalidatedData(ev: CloudEvent): unknown {
  if (ev.data === undefined || ev.data.length === 0) return undefined;
  const dct = ev.attributes['datacontenttype'];
  if (!isJsonContentType(dct === undefined ? undefined : String(dct))) return ev.data;
  // An explicit JSON content type must hold JSON; an absent one may hold anything (spec digest §9:
  // binary mode with no Content-Type keeps non-JSON bytes as they are).
  if (dct !== undefined) return parseJson(ev.data, String(dct));
  try {
    return JSON.parse(utf8.decode(ev.data)) as unknown;
  } catch {
    return ev.data;
  }
}

function parseJson(bytes: Uint8Array, contentType: string | undefined): unknown {
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch (e) {
    const why = e instanceof SyntaxError ? e.message : 'data is not valid UTF-8';
    throw new CausewayError('CW_INVALID_DATA', `data is not valid JSON (datacontenttype ${contentType ?? 'absent, which means JSON'})`, {
      errors: [{ path: '/data', message: `not valid JSON: ${why}` }],
      cause: e,
    });
  }
}

function violation(v: Version, errors: ErrorItem[]): CausewayError {
  return new CausewayError('CW_SCHEMA_VIOLATION', `data does not match schema ${v.version.id}`, { errors });
}

/** Ajv errors as `/data/...` paths; `required` and `additionalProperties` name the property itself. */
function toErrorItems(errors: readonly ErrorObject[]): ErrorItem[] {
  const items = errors.slice(0, MAX_ERRORS).map((e): ErrorItem => {
    const p = e.params as { missingProperty?: string; additionalProperty?: string };
    const prop =
      e.keyword === 'required' || e.keyword === 'dependentRequired'
        ? p.missingProperty
        : e.keyword === 'additionalProperties'
          ? p.additionalProperty
          : undefined;
    const path = '/data' + e.instancePath + (prop === undefined ? '' : joinPointer('', prop));
    return { path, message: e.message ?? `fails ${e.keyword}` };
  });
  if (errors.length > MAX_ERRORS) items.push({ path: '/data', message: `and ${errors.length - MAX_ERRORS} more violations` });
  return items;
}

function acceptsNoData(schema: Record<string, unknown>): boolean {
  const t = schema['type'];
  return t === undefined || t === 'null' || (Array.isArray(t) && t.includes('null'));
}

function describeType(t: unknown): string {
  if (typeof t === 'string') return t === 'object' || t === 'array' ? `an ${t}` : `a ${t}`;
  return Array.isArray(t) ? `one of ${t.join(', ')}` : 'data';
}
