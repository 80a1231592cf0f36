/**
 * A temp copy of the repo's schemas/ whose topics carry a unique suffix, so a test (or a bench)
 * on the shared Kafka broker writes to topics nobody else writes to and can read them whole.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './server.js';

export interface SchemasCopy {
  readonly dir: string;
  /** Original topic name → the unique one in the copy. */
  readonly topics: ReadonlyMap<string, string>;
  remove(): void;
}

export function copySchemasWithUniqueTopics(suffix: string): SchemasCopy {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-schemas-'));
  cpSync(join(repoRoot, 'schemas'), dir, { recursive: true });
  const topics = new Map<string, string>();
  for (const type of readdirSync(dir)) {
    const file = join(dir, type, 'event.yaml');
    const text = readFileSync(file, 'utf8').replace(/^topic:\s*(\S+)\s*$/m, (_m, t: string) => {
      topics.set(t, `${t}.${suffix}`);
      return `topic: ${t}.${suffix}`;
    });
    writeFileSync(file, text);
  }
  return { dir, topics, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
