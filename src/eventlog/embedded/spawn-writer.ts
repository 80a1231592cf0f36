import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerInit } from './protocol.js';

/**
 * Starts the writer worker from compiled JS (dist/, production) or from TS sources (Vitest,
 * `node --import tsx`). Node 20 does not apply `--import tsx` from `execArgv` to a worker, so under
 * TS a one-line bootstrap registers tsx's loader in the worker before importing the worker module.
 */
export function spawnWriter(init: WorkerInit): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./writer-worker.js', self), { workerData: init });
  const target = new URL('./writer-worker.ts', self).href;
  const boot = `import(${JSON.stringify(tsxApiUrl(self))}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
  return new Worker(boot, { eval: true, workerData: init });
}

/**
 * The ESM build of `tsx/esm/api` (its CJS build mis-resolves its loader when imported). Resolved
 * from here rather than the worker's cwd, read from tsx's own export map.
 */
function tsxApiUrl(from: string): string {
  const pkgJson = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgJson), pkg.exports['./esm/api']!.import.default)).href;
}
