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

/**
 * The delivery policy every route bench uses (what a route file's defaults would give, with the
 * batch and ordering of the row and no wait for a batch to fill): one place, so rows compare.
 */
export function benchDelivery(o: {
  ordering: 'key' | 'partition' | 'none';
  concurrency: number;
  maxEvents: number;
  maxBytes: number;
  deadLetterTopic: string;
}) {
  return {
    ordering: o.ordering,
    concurrency: o.concurrency,
    batch: { maxEvents: o.maxEvents, maxBytes: o.maxBytes, maxWaitMs: 0 },
    retry: 8,
    backoffPolicy: 'exponential' as const,
    backoffDelayMs: 200,
    backoffMaxMs: 30_000,
    timeoutMs: 10_000,
    deadLetterTopic: o.deadLetterTopic,
    maxHops: 8,
    enabled: true,
  };
}
