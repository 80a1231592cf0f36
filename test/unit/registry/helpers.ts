import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CloudEvent } from '../../../src/core/index.js';

export const EXAMPLE_SCHEMAS = fileURLToPath(new URL('../../../schemas', import.meta.url));
export const BASE = 'https://schemas.causeway.dev';

/** Files of a schemas dir: `{ 'a.type/event.yaml': 'topic: t', 'a.type/1.json': {...} }` (objects are JSON-encoded). */
export type Layout = Record<string, string | object>;

const dirs: string[] = [];

export async function makeSchemasDir(layout: Layout): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-schemas-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(layout)) {
    const file = join(dir, path);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

export async function cleanupSchemasDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** An object schema with `$id` `${BASE}/${type}/${version}.json`. */
export function schema(type: string, version: number, body: Record<string, unknown>): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: `${BASE}/${type}/${version}.json`, ...body };
}

/** A one-type layout with versions in order. */
export function typeLayout(type: string, yaml: string, versions: Array<Record<string, unknown>>): Layout {
  const layout: Layout = { [`${type}/event.yaml`]: yaml };
  versions.forEach((body, i) => {
    layout[`${type}/${i + 1}.json`] = schema(type, i + 1, body);
  });
  return layout;
}

const enc = new TextEncoder();

export function event(attrs: Record<string, string | number | boolean>, data?: unknown): CloudEvent {
  const bytes =
    data === undefined
      ? undefined
      : data instanceof Uint8Array
        ? data
        : typeof data === 'string'
          ? enc.encode(data)
          : enc.encode(JSON.stringify(data));
  return {
    attributes: { specversion: '1.0', id: 'e-1', source: '/auction/web', ...attrs },
    data: bytes,
  };
}
