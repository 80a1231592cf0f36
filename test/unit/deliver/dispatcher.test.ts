/**
 * The delivery engine end to end on the in-memory log with a scripted target and a fake clock:
 * DESIGN §6 rules (ordering, batching, retries, Retry-After, dead letters, commits) and §7 lineage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { idempotencyKeyOf, type ItemOutcome } from '../../../src/core/index.js';
import { decodeKafka } from '../../../src/codec/index.js';
import { createDispatcher, DLQ_HEADERS, type Dispatcher, type DispatcherOptions, type DispatchRoute } from '../../../src/deliver/index.js';
import { parseTraceparent } from '../../../src/lineage/index.js';
import { MemoryLog } from '../../support/memory-log.js';
import { RecordingMetrics } from './metrics-recorder.js';
import { FakeClock, ScriptedTarget, factRecord, route, text, type Behaviour } from './support.js';

const GROUP = 'causeway.route.r';
let running: Dispatcher[] = [];

afterEach(async () => {
  for (const d of running) d.crashForTesting();
  running = [];
});

async function setup(behaviour?: Behaviour, opts: Partial<DispatcherOptions> = {}, partitions = 2) {
  const clock = new FakeClock();
  const log = new MemoryLog(clock);
  await log.ensureTopic('facts', partitions);
  const metrics = new RecordingMetrics();
  const target = new ScriptedTarget(() => clock.now(), behaviour);
  const make = (o: Partial<DispatcherOptions> = {}) => {
    const d = createDispatcher({
      log,
      clock,
      metrics,
      random: () => 0.5,
      jitter: 'none',
      commitIntervalMs: 100,
      idleWaitMs: 1_000,
      ...opts,
      ...o,
    });
    running.push(d);
    return d;
  };
  return { clock, log, metrics, target, make, dispatcher: make() };
}

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
};
const idOf = (d: { event: { attributes: Record<string, unknown> } }) => String(d.event.attributes.id);
/** The committed next offset; a partition never committed counts as 0 (nothing done there yet). */
const committed = async (log: MemoryLog, p: number, group = GROUP) => (await log.committed(group, 'facts', p)) ?? 0;
const highs = async (log: MemoryLog) => (await log.offsets('facts')).map((o) => o.high);

describe('delivery (DESIGN §6) and lineage (DESIGN §7)', () => {
  it('delivers every matching fact once with lineage headers, skips the rest, commits per partition', async () => {
    const { clock, log, target, dispatcher, metrics } = await setup();
    await dispatcher.start([route(target, { matches: (ev) => ev.attributes.type === 'com.example.test' })]);
    const records = Array.from({ length: 10 }, (_, i) =>
      factRecord(`e${i}`, {
        key: `k${i % 4}`,
        ...(i % 5 === 4 ? { type: 'other' } : {}),
        ...(i === 3 ? { headers: { 'causeway-hops': '2' } } : {}),
      }),
    );
    const positions = await log.append('facts', records);
    await clock.advance(500);

    expect(target.ids().sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e5', 'e6', 'e7', 'e8']);
    for (const d of target.delivered) {
      const i = Number(idOf(d).slice(1));
      const pos = positions[i]!;
      const tp = parseTraceparent(d.lineage.traceparent)!;
      expect(tp.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736'); // child of the fact's hop span
      expect(tp.spanId).not.toBe('00f067aa0ba902b7');
      expect(d.lineage['causeway-fact']).toBe(`facts/${pos.partition}/${pos.offset}`);
      expect(d.lineage['causeway-route']).toBe('r');
      expect(d.lineage['causeway-attempt']).toBe('1');
      expect(d.lineage['causeway-hops']).toBe(i === 3 ? '3' : '1');
      expect(d.idempotencyKey).toBe(idempotencyKeyOf('/test', idOf(d)));
      expect(d.orderingKey).toBe(`facts/${pos.partition}/${Buffer.from(`k${i % 4}`).toString('hex')}`);
    }
    expect([await committed(log, 0), await committed(log, 1)]).toEqual(await highs(log));
    const [st] = await dispatcher.status();
    expect(st).toMatchObject({
      id: 'r',
      group: GROUP,
      state: 'running',
      delivered: 8,
      skipped: 2,
      deadLettered: 0,
      buffered: 0,
      inFlight: 0,
    });
    expect(st!.partitions.map((p) => p.lag)).toEqual([0, 0]);
    expect(metrics.total('delivered', { route: 'r', target: 'scripted' })).toBe(8);
    expect(metrics.latencies).toHaveLength(8);
  });

  it('ordering key: a failing key backs off alone; other keys in the same batches flow; its own events keep their order', async () => {
    let slowFailures = 0;
    const { clock, log, target, dispatcher } = await setup((d) => {
      // The slow key fails its first 5 attempts (exponential backoff: 100, 200, 400, 800, 1600 ms).
      if (idOf(d) === 'slow-1' && slowFailures < 5) {
        slowFailures++;
        return { status: 'retry', code: 'CW_TARGET_UNAVAILABLE', message: 'HTTP 503' };
      }
      return { status: 'delivered' };
    });
    await dispatcher.start([
      route(target, { delivery: { retry: 10, concurrency: 2, batch: { maxEvents: 5, maxBytes: 1e6, maxWaitMs: 0 } } }),
    ]);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const others = Array.from({ length: 60 }, (_, i) => factRecord(`${keys[i % 6]}-${Math.floor(i / 6)}`, { key: keys[i % 6] }));
    const positions = await log.append('facts', [
      factRecord('slow-1', { key: 'slow' }),
      ...others.slice(0, 30),
      factRecord('slow-2', { key: 'slow' }),
      ...others.slice(30),
      factRecord('slow-3', { key: 'slow' }),
    ]);
    // slow-1 shares its first batch with other keys: they are delivered, it alone backs off.
    await clock.advance(50);
    expect(target.attemptsOf('slow-1')[0]!.deliveries.length).toBeGreaterThan(1);
    expect(target.ids().filter((id) => !id.startsWith('slow'))).toHaveLength(60);
    expect(target.attemptsOf('slow-2')).toHaveLength(0); // waits behind slow-1
    // At-least-once: the slow key's partition is not committed past slow-1.
    await clock.advance(100);
    expect(await committed(log, positions[0]!.partition)).toBeLessThanOrEqual(positions[0]!.offset);

    await clock.advance(5_000);
    const ids = target.ids();
    expect(ids.filter((id) => id.startsWith('slow'))).toEqual(['slow-1', 'slow-2', 'slow-3']);
    expect(target.attemptsOf('slow-1')).toHaveLength(6);
    for (const k of keys) {
      const mine = ids.filter((id) => id.startsWith(`${k}-`)).map((id) => Number(id.split('-')[1]));
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
    }
    expect([await committed(log, 0), await committed(log, 1)]).toEqual(await highs(log));
  });

  it('ordering key: a key whose sends hang holds only its own call; other keys keep flowing', async () => {
    const slow = gate();
    const { clock, log, target, dispatcher } = await setup(async (d) => {
      if (idOf(d) === 'slow-1') await slow.opened;
      return { status: 'delivered' };
    });
    await dispatcher.start([route(target, { delivery: { concurrency: 4, batch: { maxEvents: 1, maxBytes: 1e6, maxWaitMs: 0 } } })]);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    await log.append('facts', [
      factRecord('slow-1', { key: 'slow' }),
      ...Array.from({ length: 60 }, (_, i) => factRecord(`${keys[i % 6]}-${Math.floor(i / 6)}`, { key: keys[i % 6] })),
      factRecord('slow-2', { key: 'slow' }),
    ]);
    await clock.advance(200);
    expect(target.ids()).toHaveLength(60);
    expect(target.attemptsOf('slow-2')).toHaveLength(0);
    slow.open();
    await clock.advance(200);
    expect(target.ids().slice(-2)).toEqual(['slow-1', 'slow-2']);
  });

  it('ordering key: with a target that reports items as they finish, a hanging key does not hold its batch companions', async () => {
    const slow = gate();
    const { clock, log, target, dispatcher } = await setup(
      async (d) => {
        if (idOf(d) === 'slow-1') await slow.opened;
        return { status: 'delivered' };
      },
      {},
      1,
    );
    await dispatcher.start([
      route(target, { delivery: { concurrency: 1, timeoutMs: 60_000, batch: { maxEvents: 10, maxBytes: 1e6, maxWaitMs: 0 } } }),
    ]);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    await log.append('facts', [
      factRecord('slow-1', { key: 'slow' }),
      ...Array.from({ length: 30 }, (_, i) => factRecord(`${keys[i % 6]}-${Math.floor(i / 6)}`, { key: keys[i % 6] })),
      factRecord('slow-2', { key: 'slow' }),
    ]);
    await clock.advance(100);
    // The companions are done (their keys free, their offsets committable) while the call stays open;
    // the open call keeps its concurrency slot (concurrency counts calls in flight), so with
    // concurrency 1 the next batch waits for it.
    expect(target.calls[0]!.deliveries.map(idOf)).toEqual(['slow-1', 'a-0', 'b-0', 'c-0', 'd-0', 'e-0', 'f-0']);
    expect(target.ids()).toEqual(['a-0', 'b-0', 'c-0', 'd-0', 'e-0', 'f-0']);
    const [st] = await dispatcher.status();
    expect(st!.delivered).toBe(6);
    expect(st!.inFlight).toBe(1);
    slow.open();
    await clock.advance(100);
    expect(target.ids()).toHaveLength(32);
    expect(target.ids().filter((id) => id.startsWith('slow'))).toEqual(['slow-1', 'slow-2']);
  });

  it('ordering key: with a one-call batch target, a hanging key delays its companions once (until the timeout), then retries alone', async () => {
    const { clock, log, target, dispatcher } = await setup(
      (d) => (idOf(d) === 'slow-1' ? new Promise<ItemOutcome>(() => undefined) : { status: 'delivered' }),
      {},
      1,
    );
    target.progressive = false;
    await dispatcher.start([
      route(target, {
        delivery: { concurrency: 2, timeoutMs: 1_000, retry: 2, backoffDelayMs: 100, batch: { maxEvents: 4, maxBytes: 1e6, maxWaitMs: 0 } },
      }),
    ]);
    const t0 = clock.now();
    await log.append('facts', [
      factRecord('slow-1', { key: 'slow' }),
      ...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => factRecord(`${k}-0`, { key: k })),
      factRecord('slow-2', { key: 'slow' }),
    ]);
    const delivered = async () => (await dispatcher.status())[0]!.delivered;
    await clock.advance(50);
    // Companions of slow-1 in the first call wait for it; the second call's keys are done.
    expect(target.calls.map((c) => c.deliveries.map(idOf))).toEqual([
      ['slow-1', 'a-0', 'b-0', 'c-0'],
      ['d-0', 'e-0', 'f-0', 'g-0'],
    ]);
    expect(await delivered()).toBe(4);
    await clock.advance(949);
    expect(await delivered()).toBe(4);
    await clock.advance(151); // timeout at 1 000 ms, backoff 100 ms
    expect(await delivered()).toBe(7);
    // After the timeout every item of that call went alone: slow-1 cannot hold anyone else again.
    const retriesAfterTimeout = target.calls.filter((c) => c.at - t0 >= 1_000);
    expect(retriesAfterTimeout.every((c) => c.deliveries.length === 1)).toBe(true);
    await clock.advance(5_000);
    expect(
      target
        .attemptsOf('slow-1')
        .slice(1)
        .every((c) => c.deliveries.length === 1),
    ).toBe(true);
    expect(log.all('dlq.r').map((f) => f.headers.ce_id)).toEqual(['slow-1']);
    expect(target.ids()).toContain('slow-2');
  });

  it('retries only the failed items, with exponential backoff, numbering attempts, then succeeds', async () => {
    let xFailures = 0;
    const { clock, log, target, dispatcher, metrics } = await setup((d) => {
      if (idOf(d) === 'x' && xFailures < 2) {
        xFailures++;
        return { status: 'retry', code: 'CW_TARGET_UNAVAILABLE', message: 'HTTP 503' };
      }
      return { status: 'delivered' };
    });
    await dispatcher.start([route(target, { delivery: { ordering: 'none', concurrency: 1, backoffDelayMs: 100 } })]);
    await log.append(
      'facts',
      ['a', 'x', 'b'].map((id) => factRecord(id, { partition: 0 })),
    );
    const t0 = clock.now();
    await clock.advance(1_000);

    expect(target.calls.map((c) => [c.at - t0, c.deliveries.map(idOf)])).toEqual([
      [0, ['a', 'x', 'b']],
      [100, ['x']],
      [300, ['x']],
    ]);
    expect(target.attemptsOf('x').map((c) => c.deliveries[0]!.lineage['causeway-attempt'])).toEqual(['1', '2', '3']);
    expect(target.ids().sort()).toEqual(['a', 'b', 'x']);
    expect(metrics.total('retries', { code: 'CW_TARGET_UNAVAILABLE' })).toBe(2);
    expect(await committed(log, 0)).toBe(3);
  });

  it('honours Retry-After: the next attempt waits at least that long even when the backoff is shorter', async () => {
    let first = true;
    const { clock, log, target, dispatcher } = await setup(() => {
      if (first) {
        first = false;
        return { status: 'retry', code: 'CW_TARGET_THROTTLED', message: 'HTTP 429', retryAfterMs: 5_000 };
      }
      return { status: 'delivered' };
    });
    await dispatcher.start([route(target, { delivery: { backoffDelayMs: 100 } })]);
    await log.append('facts', [factRecord('t', { key: 'k' })]);
    const t0 = clock.now();
    await clock.advance(4_999);
    expect(target.calls).toHaveLength(1);
    await clock.advance(1);
    expect(target.calls.map((c) => c.at - t0)).toEqual([0, 5_000]);
    expect(target.ids()).toEqual(['t']);
  });

  it('retries exhausted: the dead letter holds the whole original record plus causewayerror* context', async () => {
    const { clock, log, target, dispatcher, metrics } = await setup(() => ({
      status: 'retry',
      code: 'CW_TARGET_UNAVAILABLE',
      message: 'HTTP 503 upstream down',
    }));
    await dispatcher.start([route(target, { delivery: { retry: 2, backoffDelayMs: 100 } })]);
    const original = factRecord('doomed', { key: 'k', headers: { 'x-custom': 'kept' } });
    const [pos] = await log.append('facts', [original]);
    await clock.advance(2_000);

    expect(target.attemptsOf('doomed')).toHaveLength(3);
    const [dl] = log.all('dlq.r');
    expect(dl).toBeDefined();
    expect(text(dl!.key)).toBe('k');
    expect(Buffer.from(dl!.value!).equals(Buffer.from(original.value!))).toBe(true);
    expect(dl!.headers).toMatchObject(original.headers);
    expect(dl!.headers).toMatchObject({
      [DLQ_HEADERS.code]: 'CW_RETRIES_EXHAUSTED',
      [DLQ_HEADERS.target]: 'scripted',
      [DLQ_HEADERS.attempts]: '3',
      [DLQ_HEADERS.topic]: 'facts',
      [DLQ_HEADERS.partition]: String(pos!.partition),
      [DLQ_HEADERS.offset]: String(pos!.offset),
      [DLQ_HEADERS.route]: 'r',
    });
    expect(dl!.headers[DLQ_HEADERS.message]).toContain('CW_TARGET_UNAVAILABLE: HTTP 503 upstream down');
    expect(new Date(dl!.headers[DLQ_HEADERS.time]!).getTime()).toBe(
      clock.now() - (clock.now() - new Date(dl!.headers[DLQ_HEADERS.time]!).getTime()),
    );
    // Still a CloudEvent: the DLQ record decodes to the original event.
    const ev = decodeKafka(Object.entries(dl!.headers), dl!.value, dl!.key);
    expect(ev.attributes.id).toBe('doomed');
    expect(await committed(log, pos!.partition)).toBe(pos!.offset + 1);
    expect(metrics.total('deadLettered', { code: 'CW_RETRIES_EXHAUSTED' })).toBe(1);
  });

  it('a rejection goes to the dead letter topic at once, without retries', async () => {
    const { clock, log, target, dispatcher } = await setup((d) =>
      idOf(d) === 'bad' ? { status: 'reject', code: 'CW_TARGET_REJECTED', message: 'HTTP 400' } : { status: 'delivered' },
    );
    await dispatcher.start([route(target)]);
    await log.append('facts', [factRecord('bad', { key: 'k' }), factRecord('good', { key: 'k' })]);
    await clock.advance(100);
    expect(target.attemptsOf('bad')).toHaveLength(1);
    expect(target.ids()).toEqual(['good']);
    expect(
      log.all('dlq.r').map((f) => [f.headers[DLQ_HEADERS.code], f.headers[DLQ_HEADERS.attempts], f.headers[DLQ_HEADERS.message]]),
    ).toEqual([['CW_TARGET_REJECTED', '1', 'HTTP 400']]);
  });

  it('a target that never answers (and ignores its signal) times out; the timeout counts as a retriable failure', async () => {
    let calls = 0;
    const { clock, log, target, dispatcher } = await setup(() =>
      calls++ === 0 ? new Promise<ItemOutcome>(() => undefined) : { status: 'delivered' },
    );
    await dispatcher.start([route(target, { delivery: { timeoutMs: 1_000, backoffDelayMs: 100 } })]);
    await log.append('facts', [factRecord('t', { key: 'k' })]);
    const t0 = clock.now();
    await clock.advance(1_099);
    expect(target.calls).toHaveLength(1);
    await clock.advance(1);
    expect(target.calls.map((c) => c.at - t0)).toEqual([0, 1_100]);
    expect(target.ids()).toEqual(['t']);
  });

  it('timeouts on every attempt end in the DLQ with the last error (delivery never blocks forever)', async () => {
    const { clock, log, target, dispatcher } = await setup(() => new Promise<ItemOutcome>(() => undefined));
    await dispatcher.start([route(target, { delivery: { timeoutMs: 1_000, retry: 1, backoffDelayMs: 100 } })]);
    const [pos] = await log.append('facts', [factRecord('t', { key: 'k' })]);
    await clock.advance(3_000);
    expect(log.all('dlq.r').map((f) => f.headers[DLQ_HEADERS.message])).toEqual([expect.stringContaining('CW_TARGET_TIMEOUT')]);
    expect(await committed(log, pos!.partition)).toBe(pos!.offset + 1);
  });

  it('a poison fact (not a CloudEvent) is dead-lettered with the codec code and the partition moves on', async () => {
    const { clock, log, target, dispatcher } = await setup(undefined, {}, 1);
    await dispatcher.start([route(target)]);
    const poison = {
      key: null,
      value: new TextEncoder().encode('garbage'),
      headers: { ce_specversion: '1.0', ce_source: '/x', ce_type: 't' },
    };
    let expected = '';
    try {
      decodeKafka(Object.entries(poison.headers), poison.value, null);
    } catch (e) {
      expected = (e as { code: string }).code;
    }
    await log.append('facts', [factRecord('before'), poison, factRecord('after')]);
    await clock.advance(200);
    expect(expected).toMatch(/^CW_/);
    expect(target.ids()).toEqual(['before', 'after']);
    expect(log.all('dlq.r').map((f) => [f.headers[DLQ_HEADERS.code], f.headers[DLQ_HEADERS.offset], text(f.value)])).toEqual([
      [expected, '1', 'garbage'],
    ]);
    expect(await committed(log, 0)).toBe(3);
  });

  it('hop limit: a fact that already made maxHops hops is dead-lettered (loop stop)', async () => {
    const { clock, log, target, dispatcher } = await setup();
    await dispatcher.start([route(target, { delivery: { maxHops: 3 } })]);
    await log.append('facts', [
      factRecord('h2', { key: 'k', headers: { 'causeway-hops': '2' } }),
      factRecord('h3', { key: 'k', headers: { 'causeway-hops': '3' } }),
    ]);
    await clock.advance(100);
    expect(target.delivered.map((d) => [idOf(d), d.lineage['causeway-hops']])).toEqual([['h2', '3']]);
    expect(log.all('dlq.r').map((f) => [f.headers.ce_id, f.headers[DLQ_HEADERS.code]])).toEqual([['h3', 'CW_HOP_LIMIT']]);
  });

  it('an event above the target limit is dead-lettered (CW_TARGET_PAYLOAD_TOO_LARGE) without a send', async () => {
    const { clock, log, dispatcher } = await setup();
    const small = new ScriptedTarget(() => clock.now(), undefined, { maxBatchEvents: 10, maxBatchBytes: 10_000, maxEventBytes: 500 });
    await dispatcher.start([route(small)]);
    await log.append('facts', [
      factRecord('big', { key: 'k', data: JSON.stringify({ pad: 'x'.repeat(600) }) }),
      factRecord('ok', { key: 'k' }),
    ]);
    await clock.advance(100);
    expect(small.ids()).toEqual(['ok']);
    expect(small.attemptsOf('big')).toHaveLength(0);
    expect(log.all('dlq.r').map((f) => f.headers[DLQ_HEADERS.code])).toEqual(['CW_TARGET_PAYLOAD_TOO_LARGE']);
  });

  it('batches to min(route, target) events and bytes; a partial batch waits maxWait', async () => {
    const { clock, log, dispatcher } = await setup();
    const t = new ScriptedTarget(() => clock.now(), undefined, { maxBatchEvents: 3, maxBatchBytes: 1e6, maxEventBytes: 1e6 });
    await dispatcher.start([
      route(t, { delivery: { ordering: 'none', concurrency: 10, batch: { maxEvents: 10, maxBytes: 1e6, maxWaitMs: 200 } } }),
    ]);
    const t0 = clock.now();
    await log.append(
      'facts',
      Array.from({ length: 7 }, (_, i) => factRecord(`e${i}`, { partition: 0 })),
    );
    await clock.advance(199);
    expect(t.calls.map((c) => [c.at - t0, c.deliveries.length])).toEqual([
      [0, 3],
      [0, 3],
    ]);
    await clock.advance(1);
    expect(t.calls.map((c) => [c.at - t0, c.deliveries.length])).toEqual([
      [0, 3],
      [0, 3],
      [200, 1],
    ]);

    // By bytes: each event is ~150 bytes; 400 bytes per batch allow 2.
    const bytesOf = t.delivered[0]!.bytes;
    const { clock: c2, log: l2, dispatcher: d2 } = await setup();
    const t2 = new ScriptedTarget(() => c2.now());
    await d2.start([route(t2, { delivery: { ordering: 'none', batch: { maxEvents: 10, maxBytes: bytesOf * 2 + 1, maxWaitMs: 0 } } })]);
    await l2.append(
      'facts',
      Array.from({ length: 5 }, (_, i) => factRecord(`e${i}`, { partition: 0 })),
    );
    await c2.advance(10);
    expect(t2.calls.map((c) => c.deliveries.length)).toEqual([2, 2, 1]);
  });

  it('concurrency bounds the batches in flight', async () => {
    const g = gate();
    const { clock, log, target, dispatcher } = await setup(async () => {
      await g.opened;
      return { status: 'delivered' };
    });
    await dispatcher.start([
      route(target, { delivery: { ordering: 'none', concurrency: 2, batch: { maxEvents: 1, maxBytes: 1e6, maxWaitMs: 0 } } }),
    ]);
    await log.append(
      'facts',
      Array.from({ length: 10 }, (_, i) => factRecord(`e${i}`)),
    );
    await clock.advance(50);
    expect(target.calls).toHaveLength(2);
    g.open();
    await clock.advance(50);
    expect(target.maxInFlight).toBe(2);
    expect(target.ids()).toHaveLength(10);
  });

  it('the per-route rate limit spaces sends', async () => {
    const { clock, log, target, dispatcher } = await setup();
    await dispatcher.start([
      route(target, {
        delivery: { ordering: 'none', rateLimit: { perSecond: 10, burst: 1 }, batch: { maxEvents: 5, maxBytes: 1e6, maxWaitMs: 0 } },
      }),
    ]);
    const t0 = clock.now();
    await log.append(
      'facts',
      Array.from({ length: 4 }, (_, i) => factRecord(`e${i}`)),
    );
    await clock.advance(1_000);
    expect(target.calls.map((c) => [c.at - t0, c.deliveries.length])).toEqual([
      [0, 1],
      [100, 1],
      [200, 1],
      [300, 1],
    ]);
  });

  it('backpressure: a stuck target does not pull the whole log into memory', async () => {
    const g = gate();
    const { clock, log, target, dispatcher } = await setup(
      async () => {
        await g.opened;
        return { status: 'delivered' };
      },
      { maxBufferedEvents: 20, readPageSize: 8 },
    );
    await dispatcher.start([
      route(target, { delivery: { ordering: 'none', concurrency: 2, batch: { maxEvents: 2, maxBytes: 1e6, maxWaitMs: 0 } } }),
    ]);
    await log.append(
      'facts',
      Array.from({ length: 300 }, (_, i) => factRecord(`e${i}`)),
    );
    await clock.advance(500);
    const [st] = await dispatcher.status();
    expect(st!.buffered).toBe(20);
    expect(st!.partitions.reduce((n, p) => n + p.next, 0)).toBe(20);
    g.open();
    await clock.until(() => target.ids().length === 300);
    expect(new Set(target.ids()).size).toBe(300);
  });

  it('backpressure: a backlog is read in pages, not one fact per completed event', async () => {
    const { clock, log, target, dispatcher } = await setup(undefined, { maxBufferedEvents: 40, readPageSize: 20 }, 1);
    let reads = 0;
    log.fault = (op) => void (op === 'read' && reads++);
    await dispatcher.start([
      route(target, { delivery: { ordering: 'none', concurrency: 1, batch: { maxEvents: 1, maxBytes: 1e6, maxWaitMs: 0 } } }),
    ]);
    await log.append(
      'facts',
      Array.from({ length: 400 }, (_, i) => factRecord(`e${i}`)),
    );
    await clock.until(() => target.ids().length === 400);
    // A reader waits until a quarter of the buffer is free (10 here): ~40 reads, where waking on
    // every completed event read one fact at a time (~400 reads).
    expect(reads).toBeLessThan(80);
  });

  it('a failing dead letter append is retried; the fact is committed only after it is durable', async () => {
    const { clock, log, target, dispatcher } = await setup(() => ({ status: 'reject', code: 'CW_TARGET_REJECTED', message: 'no' }), {}, 1);
    let failures = 3;
    log.fault = (op, topic) => (op === 'append' && topic === 'dlq.r' && failures-- > 0 ? new Error('disk full') : undefined);
    await dispatcher.start([route(target)]);
    await log.append('facts', [factRecord('e', { key: 'k' })]);
    await clock.advance(250); // 100 + 200 ms of DLQ retry backoff so far
    expect(log.all('dlq.r')).toHaveLength(0);
    expect(await log.committed(GROUP, 'facts', 0)).toBeNull();
    await clock.advance(1_000);
    expect(log.all('dlq.r')).toHaveLength(1);
    expect(await committed(log, 0)).toBe(1);
  });

  it('a read failure is retried after a pause, not fatal', async () => {
    const { clock, log, target, dispatcher } = await setup(undefined, {}, 1);
    let failures = 2;
    log.fault = (op) => (op === 'read' && failures-- > 0 ? new Error('log down') : undefined);
    await log.append('facts', [factRecord('e')]);
    await dispatcher.start([route(target)]);
    await clock.advance(1_000);
    expect(target.ids()).toEqual(['e']);
  });

  it('a target that is gone disables the route: the item is dead-lettered CW_TARGET_GONE, nothing more is sent; apply() re-enables', async () => {
    const { clock, log, target, dispatcher, metrics } = await setup(undefined, {}, 1);
    target.disable = (batch) => (batch.some((d) => idOf(d) === 'e1') ? 'HTTP 410 Gone' : undefined);
    target.behaviour = (d) => (idOf(d) === 'e1' ? { status: 'reject', code: 'CW_TARGET_GONE', message: 'gone' } : { status: 'delivered' });
    await dispatcher.start([route(target, { delivery: { batch: { maxEvents: 1, maxBytes: 1e6, maxWaitMs: 0 }, concurrency: 1 } })]);
    await log.append(
      'facts',
      ['e0', 'e1', 'e2', 'e3'].map((id) => factRecord(id, { key: 'k' })),
    );
    await clock.advance(500);
    const [st] = await dispatcher.status();
    expect(st).toMatchObject({ state: 'disabled', disabledReason: 'HTTP 410 Gone' });
    expect(target.ids()).toEqual(['e0']);
    expect(target.calls).toHaveLength(2);
    expect(log.all('dlq.r').map((f) => [f.headers.ce_id, f.headers[DLQ_HEADERS.code]])).toEqual([['e1', 'CW_TARGET_GONE']]);
    expect(metrics.total('routesDisabled')).toBe(1);
    expect(await committed(log, 0)).toBe(2);
    expect(target.closed).toBe(false);

    target.disable = undefined;
    await dispatcher.apply({ added: [], removed: [], changed: [] });
    await clock.advance(500);
    expect(target.ids()).toEqual(['e0', 'e2', 'e3']);
    expect((await dispatcher.status())[0]!.state).toBe('running');
  });

  it('crash between delivery and commit: a new dispatcher redelivers what was not committed, nothing is lost', async () => {
    const { clock, log, target, dispatcher, make } = await setup(undefined, { commitIntervalMs: 1_000 });
    const r = route(target);
    await dispatcher.start([r]);
    await log.append(
      'facts',
      Array.from({ length: 10 }, (_, i) => factRecord(`a${i}`, { key: `k${i % 3}` })),
    );
    await clock.advance(1_000); // delivered and committed
    const committedBefore = [await committed(log, 0), await committed(log, 1)];
    expect(committedBefore).toEqual(await highs(log));
    await log.append(
      'facts',
      Array.from({ length: 10 }, (_, i) => factRecord(`b${i}`, { key: `k${i % 3}` })),
    );
    await clock.advance(500); // delivered, not yet committed
    expect(target.ids().filter((id) => id.startsWith('b'))).toHaveLength(10);
    dispatcher.crashForTesting();
    expect([await committed(log, 0), await committed(log, 1)]).toEqual(committedBefore);

    const again = new ScriptedTarget(() => clock.now());
    await make().start([{ ...r, target: again }]);
    await clock.advance(1_000);
    expect(again.ids().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `b${i}`).sort());
    expect([await committed(log, 0), await committed(log, 1)]).toEqual(await highs(log));
  });

  it('stop drains in-flight sends, commits what completed, closes the target; queued events come back next time', async () => {
    const g = gate();
    const { clock, log, target, dispatcher, make } = await setup(
      async (d) => {
        if (idOf(d) === 'e0') await g.opened;
        return { status: 'delivered' };
      },
      {},
      1,
    );
    const r = route(target, { delivery: { concurrency: 1, batch: { maxEvents: 1, maxBytes: 1e6, maxWaitMs: 0 } } });
    await dispatcher.start([r]);
    await log.append(
      'facts',
      ['e0', 'e1', 'e2'].map((id) => factRecord(id, { key: 'k' })),
    );
    await clock.advance(50);
    const stopping = dispatcher.stop();
    await clock.advance(10);
    g.open();
    await clock.advance(10);
    await stopping;
    expect(target.ids()).toEqual(['e0']);
    expect(target.closed).toBe(true);
    expect(await committed(log, 0)).toBe(1);

    const next = new ScriptedTarget(() => clock.now());
    await make().start([{ ...r, target: next }]);
    await clock.advance(100);
    expect(next.ids()).toEqual(['e1', 'e2']);
  });

  it('hot reload: a changed route resumes from the commits, a removed one stops and closes its target, others keep running', async () => {
    const { clock, log, target, dispatcher } = await setup();
    const other = new ScriptedTarget(() => clock.now());
    const r = route(target);
    await dispatcher.start([r, route(other, { id: 'other', delivery: { deadLetterTopic: 'dlq.other' } })]);
    await log.append(
      'facts',
      Array.from({ length: 6 }, (_, i) => factRecord(`a${i}`, { key: `k${i}` })),
    );
    await clock.advance(300);
    expect(target.ids()).toHaveLength(6);

    const replacement = new ScriptedTarget(() => clock.now());
    await dispatcher.apply({ added: [], removed: [], changed: [{ ...r, target: replacement }] });
    expect(target.closed).toBe(true);
    await log.append(
      'facts',
      Array.from({ length: 4 }, (_, i) => factRecord(`b${i}`, { key: `k${i}` })),
    );
    await clock.advance(300);
    expect(replacement.ids().sort()).toEqual(['b0', 'b1', 'b2', 'b3']); // no redelivery of committed a*
    expect(other.ids()).toHaveLength(10);

    await dispatcher.apply({ added: [], removed: ['other'], changed: [] });
    expect(other.closed).toBe(true);
    expect((await dispatcher.status()).map((s) => s.id)).toEqual(['r']);
  });

  it('start: latest skips what is already there and remembers where it started', async () => {
    const { clock, log, target, dispatcher, make } = await setup(undefined, { start: 'latest' }, 1);
    await log.append('facts', [factRecord('old')]);
    const r = route(target);
    await dispatcher.start([r]);
    expect(await committed(log, 0)).toBe(1);
    dispatcher.crashForTesting();
    await log.append('facts', [factRecord('new')]);
    const t2 = new ScriptedTarget(() => clock.now());
    await make().start([{ ...r, target: t2 }]);
    await clock.advance(100);
    expect(target.ids()).toEqual([]);
    expect(t2.ids()).toEqual(['new']);
  });

  it('partition ordering: one batch per partition in flight, retried items go back before later ones', async () => {
    let failedOnce = false;
    const { clock, log, target, dispatcher } = await setup(
      (d) => {
        if (idOf(d) === 'p1' && !failedOnce) {
          failedOnce = true;
          return { status: 'retry', code: 'CW_TARGET_UNAVAILABLE', message: 'x' };
        }
        return { status: 'delivered' };
      },
      {},
      1,
    );
    await dispatcher.start([
      route(target, { delivery: { ordering: 'partition', concurrency: 4, batch: { maxEvents: 3, maxBytes: 1e6, maxWaitMs: 0 } } }),
    ]);
    await log.append(
      'facts',
      ['p0', 'p1', 'p2', 'p3', 'p4'].map((id) => factRecord(id)),
    );
    await clock.advance(1_000);
    expect(target.calls.map((c) => c.deliveries.map(idOf))).toEqual([
      ['p0', 'p1', 'p2'],
      ['p1', 'p3', 'p4'],
    ]);
    expect(target.maxInFlight).toBe(1);
    expect(new Set(target.calls.flatMap((c) => c.deliveries.map((d) => d.orderingKey)))).toEqual(new Set(['facts/0']));
  });

  it('keyless events under key ordering are unordered: they go in parallel', async () => {
    const g = gate();
    const { clock, log, target, dispatcher } = await setup(
      async (d) => {
        if (idOf(d) === 'n0') await g.opened;
        return { status: 'delivered' };
      },
      {},
      1,
    );
    await dispatcher.start([route(target, { delivery: { concurrency: 4, batch: { maxEvents: 1, maxBytes: 1e6, maxWaitMs: 0 } } })]);
    await log.append(
      'facts',
      ['n0', 'n1', 'n2'].map((id) => factRecord(id)),
    );
    await clock.advance(50);
    expect(target.ids()).toEqual(['n1', 'n2']);
    expect(await committed(log, 0)).toBe(0); // n0 still in flight
    g.open();
    await clock.advance(150);
    expect(await committed(log, 0)).toBe(3);
  });

  it('a route with enabled: false reads nothing', async () => {
    const { clock, log, target, dispatcher } = await setup();
    await dispatcher.start([route(target, { delivery: { enabled: false } })]);
    await log.append('facts', [factRecord('e')]);
    await clock.advance(100);
    expect(target.calls).toHaveLength(0);
    expect((await dispatcher.status())[0]!.state).toBe('off');
  });
});

export type { DispatchRoute };
