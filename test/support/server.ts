import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type Running } from '../../src/app/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/index.js';

export const repoRoot = new URL('../..', import.meta.url).pathname;

export interface TestServer {
  readonly url: string;
  readonly running: Running;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Starts Causeway in-process on a free loopback port with a fresh data dir and the repo's schemas/. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'causeway-test-'));
  const config = loadConfig({
    CAUSEWAY_PORT: '0',
    CAUSEWAY_HOST: '127.0.0.1',
    CAUSEWAY_DATA_DIR: dataDir,
    CAUSEWAY_SCHEMAS_DIR: join(repoRoot, 'schemas'),
    CAUSEWAY_ROUTES_DIR: join(repoRoot, 'routes'),
    ...env,
  });
  const running = await start(config, createLogger('silent'));
  return {
    url: `http://127.0.0.1:${running.port}`,
    running,
    dataDir,
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function json(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 300)}`);
  }
}
