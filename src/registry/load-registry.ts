import { CausewayError } from '../core/index.js';
import type { Registry } from './types.js';
import { scanSchemasDir } from './scan-schemas-dir.js';
import { createRegistry } from './create-registry.js';

export interface LoadRegistryOptions {
  /** Accept events of types the registry does not know (their data is parsed if JSON, never validated). */
  readonly allowUnknownTypes?: boolean;
  /** Topic of types whose event.yaml names none. */
  readonly defaultTopic?: string;
}

/**
 * Loads and compiles a schemas directory, failing closed (DESIGN §10.2): any problem — bad
 * event.yaml, invalid schema, duplicate $id, a version breaking its type's compatibility
 * mode — throws CW_SCHEMA_INVALID listing every problem as `file#pointer`.
 */
export async function loadRegistry(dir: string, opts: LoadRegistryOptions = {}): Promise<Registry> {
  const { types, problems } = await scanSchemasDir(dir, {
    requireTopic: true,
    ...(opts.defaultTopic !== undefined && { defaultTopic: opts.defaultTopic }),
  });
  if (problems.length > 0) {
    throw new CausewayError('CW_SCHEMA_INVALID', `schema registry ${dir}: ${problems.length} problem(s)`, {
      errors: problems.map((p) => ({ path: p.pointer === undefined ? p.file : `${p.file}#${p.pointer}`, message: p.message })),
    });
  }
  return createRegistry(types, opts.allowUnknownTypes === undefined ? {} : { allowUnknownTypes: opts.allowUnknownTypes });
}
