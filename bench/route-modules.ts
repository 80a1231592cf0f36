/**
 * The delivery engine, the targets and the event logs for the route benches: the built code in
 * dist/ (`npm run bench:route` builds first), else src/ through tsx.
 */
import { existsSync } from 'node:fs';

type Deliver = typeof import('../src/deliver/index.js');
type Targets = typeof import('../src/targets/index.js');
type Eventlog = typeof import('../src/eventlog/index.js');

async function load<T>(path: string): Promise<T> {
  const dist = new URL(`../dist/${path}`, import.meta.url);
  return (await import(existsSync(dist) ? dist.href : new URL(`../src/${path.replace(/\.js$/, '.ts')}`, import.meta.url).href)) as T;
}

export function routeModules(): Promise<[Deliver, Targets, Eventlog]> {
  return Promise.all([load<Deliver>('deliver/index.js'), load<Targets>('targets/index.js'), load<Eventlog>('eventlog/index.js')]);
}
