/**
 * The accept service's store step (src/app/accept.ts): one append per topic, repeats answered from
 * the dedupe window (CORE-N1), twins inside one batch, failures, and the accepted counter.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DedupeWindow, createAcceptService } from '../../../src/app/index.js';
import { CausewayError, type AcceptService, type Position, type TransportMeta } from '../../../src/core/index.js';
import { Metrics } from '../../../src/observability/index.js';
import { loadRegistry, type Registry } from '../../../src/registry/index.js';
import { bidEvent } from '../../support/events.js';
import { MemoryLog } from '../../support/memory-log.js';
import { repoRoot } from '../../support/server.js';

const META: TransportMeta = { ingress: 'http', traceparent: undefined, authtype: 'unauthenticated' };
const utf8 = new TextEncoder();
const batch = (events: unknown[]) => ({
  headers: { 'content-type': ['application/cloudevents-batch+json'] },
  body: utf8.encode(JSON.stringify(events)),
});

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(join(repoRoot, 'schemas'), { defaultTopic: 'events' });
});

function setup(recall?: (source: string, id: string) => Position | undefined, reg?: Registry) {
  const log = new MemoryLog();
  const metrics = new Metrics();
  const dedupe = new DedupeWindow(60_000, 1000);
  const svc: AcceptService = createAcceptService({
    log,
    registry: reg ?? registry,
    metrics,
    dedupe,
    defaultTopic: 'events',
    ...(recall ? { recall } : {}),
    producer: { source: '/test', mintId: randomUUID, now: () => new Date() },
  });
  const stored = () => [...log.topics.values()].flat(2).length;
  return { log, metrics, dedupe, svc, stored };
}

describe('accept: store', () => {
  it('a batch holding one source+id twice stores it once; the twin answers with its position (CORE-N1)', async () => {
    const { svc, stored } = setup();
    const ev = bidEvent();
    const other = bidEvent();
    const { accepted } = await svc.acceptHttp(batch([ev, other, ev]), META);
    expect(stored()).toBe(2);
    expect(accepted.map((a) => [a.id, a.duplicate])).toEqual([
      [ev.id, false],
      [other.id, false],
      [ev.id, true],
    ]);
    expect({ ...accepted[2], duplicate: false }).toEqual(accepted[0]);
  });

  it('a repeat while the original append is in flight gets the original position, not a second record', async () => {
    const { svc, stored } = setup();
    const evs = Array.from({ length: 5 }, () => bidEvent());
    const [first, second] = await Promise.all([svc.acceptHttp(batch(evs), META), svc.acceptHttp(batch([evs[3], bidEvent()]), META)]);
    expect(stored()).toBe(6);
    expect(second.accepted[0]).toEqual({ ...first.accepted[3], duplicate: true });
    expect(second.accepted[1]?.duplicate).toBe(false);
  });

  it('an id the log recalls (stored before a restart) is a duplicate with the stored position', async () => {
    const old: Position = { topic: 'auction.bids', partition: 2, offset: 41 };
    const ev = bidEvent();
    const { svc, stored } = setup((source, id) => (source === ev.source && id === ev.id ? old : undefined));
    const { accepted } = await svc.acceptHttp(batch([bidEvent(), ev, ev]), META);
    expect(stored()).toBe(1);
    expect(accepted.slice(1).map(({ topic, partition, offset, duplicate }) => ({ topic, partition, offset, duplicate }))).toEqual([
      { ...old, duplicate: true },
      { ...old, duplicate: true },
    ]);
  });

  it('a failed append rejects the request and forgets its ids, so the retry is stored', async () => {
    const { svc, log, stored } = setup();
    const evs = [bidEvent(), bidEvent()];
    log.fault = (op) => (op === 'append' ? new Error('disk gone') : undefined);
    const err = await svc.acceptHttp(batch(evs), META).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CausewayError);
    expect((err as CausewayError).code).toBe('CW_EVENTLOG_UNAVAILABLE');
    log.fault = undefined;
    await new Promise((r) => setImmediate(r));
    const { accepted } = await svc.acceptHttp(batch(evs), META);
    expect(accepted.map((a) => a.duplicate)).toEqual([false, false]);
    expect(stored()).toBe(2);
  });

  it('counts accepted events per type and duplicate flag, as many as there were events', async () => {
    const { svc, metrics } = setup();
    const ev = bidEvent();
    await svc.acceptHttp(batch([ev, bidEvent(), bidEvent(), ev]), META);
    const values = (await metrics.accepted.get()).values.map((v) => [v.labels.duplicate, v.value]).sort();
    expect(values).toEqual([
      ['false', 3],
      ['true', 1],
    ]);
  });

  it('labels types without a schema (unregistered), so clients cannot grow the metrics without bound', async () => {
    const odd = (i: number) => ({ ...bidEvent(), type: `com.example.nobody.knows.${i}` });
    const strict = setup();
    await expect(strict.svc.acceptHttp(batch([odd(1), odd(2)]), META)).rejects.toMatchObject({ code: 'CW_UNKNOWN_TYPE' });
    expect((await strict.metrics.rejected.get()).values.map((v) => [v.labels.type, v.labels.code, v.value])).toEqual([
      ['(unregistered)', 'CW_UNKNOWN_TYPE', 2],
    ]);
    const lenient = setup(undefined, await loadRegistry(join(repoRoot, 'schemas'), { defaultTopic: 'events', allowUnknownTypes: true }));
    const known = bidEvent();
    await lenient.svc.acceptHttp(batch([odd(1), odd(2), odd(3), known]), META);
    const accepted = (await lenient.metrics.accepted.get()).values.map((v) => [v.labels.type, v.value]).sort();
    expect(accepted).toEqual([
      ['(unregistered)', 3],
      [known.type, 1],
    ]);
  });
});
