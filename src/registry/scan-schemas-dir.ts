import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { SchemaProblem, SchemaVersion, TypeInfo } from './types.js';
import { parseEventYaml, type EventYaml } from './parse-event-yaml.js';
import { compileVersions, type VersionSource } from './compile-versions.js';
import { checkCompatibility } from './compatibility.js';
import { isJsonContentType } from './media-type.js';

export interface ScannedType {
  readonly info: TypeInfo;
  /** Compiled validator per version number. */
  readonly validators: ReadonlyMap<number, ValidateFunction>;
}

export interface ScanOptions {
  readonly defaultTopic?: string;
  /** When true, a type without a topic and no defaultTopic is a problem (serving needs a topic). */
  readonly requireTopic: boolean;
}

const VERSION_FILE = /^([1-9][0-9]*)\.json$/;
const SCHEMA_2020 = /^https:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;

interface TypeDraft {
  readonly type: string;
  /** Undefined when event.yaml is missing or invalid: versions are still compiled, to report their problems too. */
  readonly config: EventYaml | undefined;
  readonly versions: Array<VersionSource & { version: number }>;
  /** Version files that had problems: the type is incomplete, so its compatibility is not checked. */
  broken: boolean;
}

/**
 * Reads a schemas directory (DESIGN §4): one folder per event type holding event.yaml and
 * `<n>.json` versions. Collects every problem instead of stopping at the first, so one run of
 * `causeway schemas check` shows them all; loadRegistry refuses to start when there is any.
 */
export async function scanSchemasDir(dir: string, opts: ScanOptions): Promise<{ types: ScannedType[]; problems: SchemaProblem[] }> {
  const problems: SchemaProblem[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'schemas directory not found' : code === 'ENOTDIR' ? 'not a directory' : String(e);
    return { types: [], problems: [{ file: dir, message: why }] };
  }
  const typeDirs = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();

  const drafts: TypeDraft[] = [];
  const ids = new Map<string, string>(); // $id → file that first used it
  for (const type of typeDirs) {
    drafts.push(await readType(dir, type, ids, problems));
  }

  const { validators, problems: compileProblems } = compileVersions(drafts.flatMap((d) => d.versions));
  problems.push(...compileProblems);

  const types: ScannedType[] = [];
  for (const d of drafts) {
    const yamlFile = join(dir, d.type, 'event.yaml');
    const compiled = new Map<number, ValidateFunction>();
    for (const v of d.versions) {
      const fn = validators.get(v.id);
      if (fn) compiled.set(v.version, fn);
      else d.broken = true;
    }
    const config = d.config;
    if (config === undefined) continue;
    if (d.versions.length === 0 && !d.broken && (config.contentType === undefined || isJsonContentType(config.contentType))) {
      problems.push({
        file: yamlFile,
        message: 'no schema versions: add 1.json (only a type whose contentType is not JSON may have none)',
      });
    }
    const topic = config.topic ?? opts.defaultTopic;
    if (topic === undefined && opts.requireTopic) {
      problems.push({ file: yamlFile, pointer: '/topic', message: 'no topic, and no default topic is configured' });
    }
    if (!d.broken) problems.push(...compatibilityProblems(d.versions, config));
    const versions: SchemaVersion[] = d.versions.map((v) => Object.freeze({ version: v.version, id: v.id, schema: v.schema }));
    const info: TypeInfo = Object.freeze({
      type: d.type,
      topic: topic ?? '',
      compatibility: config.compatibility,
      ...(config.partitionKey && { partitionKey: Object.freeze({ ...config.partitionKey }) }),
      ...(config.owner !== undefined && { owner: config.owner }),
      ...(config.description !== undefined && { description: config.description }),
      ...(config.contentType !== undefined && { contentType: config.contentType }),
      versions: Object.freeze(versions),
      latest: versions.at(-1)?.version ?? 0,
    });
    types.push({ info, validators: compiled });
  }
  // Grouped by file for readable output; the sort is stable, so a file's problems keep their order.
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { types, problems };
}

async function readType(dir: string, type: string, ids: Map<string, string>, problems: SchemaProblem[]): Promise<TypeDraft> {
  const typeDir = join(dir, type);
  const files = (await readdir(typeDir, { withFileTypes: true })).filter((f) => f.isFile()).map((f) => f.name);
  const yamlFile = join(typeDir, 'event.yaml');
  let config: EventYaml | undefined;
  if (!files.includes('event.yaml')) {
    const hint = files.includes('event.yml') ? ' (found event.yml: rename it to event.yaml)' : '';
    problems.push({ file: yamlFile, message: `missing event.yaml${hint}` });
  } else {
    const parsed = parseEventYaml(await readFile(yamlFile, 'utf8'), yamlFile);
    problems.push(...parsed.problems);
    config = parsed.config;
  }

  const versions: TypeDraft['versions'] = [];
  let broken = false;
  const numbered = files
    .map((name) => ({ name, m: VERSION_FILE.exec(name) }))
    .filter((f) => {
      if (f.m === null && f.name.endsWith('.json')) {
        problems.push({
          file: join(typeDir, f.name),
          message: 'schema versions are named <n>.json (1.json, 2.json, …) with no leading zeros',
        });
      }
      return f.m !== null;
    })
    .map((f) => ({ name: f.name, version: Number(f.m?.[1]) }))
    .sort((a, b) => a.version - b.version);
  for (const { name, version } of numbered) {
    const file = join(typeDir, name);
    const schema = await readSchemaFile(file, ids, problems);
    if (schema) versions.push({ file, version, id: schema.$id, schema: schema.doc });
    else broken = true;
  }
  return { type, config, versions, broken };
}

/** Reads one version file and checks what the registry itself relies on: `$schema` and a unique `$id`. */
async function readSchemaFile(
  file: string,
  ids: Map<string, string>,
  problems: SchemaProblem[],
): Promise<{ $id: string; doc: Record<string, unknown> } | undefined> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    problems.push({ file, message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` });
    return undefined;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push({ file, pointer: '', message: 'a schema version must be a JSON Schema object' });
    return undefined;
  }
  const s = doc as Record<string, unknown>;
  const before = problems.length;
  if (s['$schema'] !== undefined && (typeof s['$schema'] !== 'string' || !SCHEMA_2020.test(s['$schema']))) {
    problems.push({
      file,
      pointer: '/$schema',
      message: `$schema must be https://json-schema.org/draft/2020-12/schema (got ${JSON.stringify(s['$schema'])})`,
    });
  }
  const id = s['$id'];
  if (typeof id !== 'string' || !isAbsoluteUri(id)) {
    // CORE-M10: dataschema is an absolute URI, and producers put this $id there.
    problems.push({
      file,
      pointer: '/$id',
      message: `$id must be an absolute URI without fragment, e.g. https://schemas.example.com/<type>/<n>.json (got ${JSON.stringify(id)})`,
    });
  } else if (ids.has(id)) {
    problems.push({ file, pointer: '/$id', message: `$id ${id} is already used by ${ids.get(id)}` });
  } else {
    ids.set(id, file);
  }
  return problems.length === before && typeof id === 'string' ? { $id: id, doc: s } : undefined;
}

function isAbsoluteUri(s: string): boolean {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) || s.includes('#')) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** Every pair i < j, not just neighbours: BACKWARD_TRANSITIVE / FORWARD_TRANSITIVE / FULL_TRANSITIVE. */
function compatibilityProblems(vs: TypeDraft['versions'], config: EventYaml): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  for (let j = 1; j < vs.length; j++) {
    for (let i = 0; i < j; i++) {
      const older = vs[i];
      const newer = vs[j];
      if (!older || !newer) continue;
      for (const p of checkCompatibility(older.schema, newer.schema, config.compatibility)) {
        out.push({
          file: newer.file,
          pointer: p.pointer,
          message: `incompatible with version ${older.version} (compatibility: ${config.compatibility}): ${p.message}`,
        });
      }
    }
  }
  return out;
}
