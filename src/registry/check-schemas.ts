import type { SchemaProblem } from './types.js';
import { scanSchemasDir } from './scan-schemas-dir.js';

/**
 * `causeway schemas check [dir]`: the same checks as loadRegistry, every problem collected.
 * A type without a topic is fine here unless `requireTopic` is set, since the default topic
 * belongs to the server's config, not to the schemas.
 */
export async function checkSchemasDir(
  dir: string,
  opts: { defaultTopic?: string; requireTopic?: boolean } = {},
): Promise<{ ok: boolean; problems: SchemaProblem[] }> {
  const { problems } = await scanSchemasDir(dir, {
    requireTopic: opts.requireTopic ?? false,
    ...(opts.defaultTopic !== undefined && { defaultTopic: opts.defaultTopic }),
  });
  return { ok: problems.length === 0, problems };
}
