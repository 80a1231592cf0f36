/**
 * The delivery engine on the real event logs — the embedded SQLite log and a real Kafka broker —
 * in real time, with a scripted Target (the real targets have their own suites). Same tests for
 * both: the engine only uses the EventLog port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLog, ItemOutcome, LogRecord } from '../../src/core/index.js';
import { createDispatcher, DLQ_HEADERS, type Dispatcher, type DispatcherOptions, type DispatchRoute } from '../../src/deliver/index.js';
import { openEmbeddedLog, openKafkaLog } from '../../src/eventlog/index.js';
import { readTopic } from '../contract/event-log-helpers.js';
import { kafkaBrokers } from '../support/kafka.js';
import { ScriptedTarget, factRecord, route, type Behaviour } from '../unit/deliver/support.js';

const PARTITIONS = 3;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const idOf = (d: { event: { attributes: Record<string, unknown> } }) => String(d.event.attributes.id);

async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

interface Harness {
  readonly log: EventLog;
  readonly topic: string;
  readonly routeId: string;
  readonly dlq: string;
  target(behaviour?: Behaviour): ScriptedTarget;
  dispatcher(opts?: Partial<DispatcherOptions>): Dispatcher;
  route(t: ScriptedTarget, over?: Parameters<typeof route>[1]): DispatchRoute;
  append(records: readonly LogRecord[]): Promise<void>;
  committedAll(): Promise<boolean>;
}

function suite(name: string, open: () => Promise<EventLog>, cleanup: () => void = () => undefined): void {
  describe(`dispatcher on the ${name} log`, () => {
    let log: EventLog;
    const dispatchers: Dispatcher[] = [];

    beforeAll(async () => {
      log = await open();
    });
    afterAll(async () => {
      for (const d of dispatchers) d.crashForTesting();
      await log.close();
      cleanup();
    });

    async function harness(): Promise<Harness> {
      const tag = randomBytes(4).toString('hex');
      const topic = `it.facts.${tag}`;
      const routeId = `it-${tag}`;
      const dlq = `it.dlq.${tag}`;
      await log.ensureTopic(topic, PARTITIONS);
      return {
        log,
        topic,
        routeId,
        dlq,
        target: (b) => new ScriptedTarget(() => Date.now(), b),
        dispatcher(opts = {}) {
          const d = createDispatcher({ log, commitIntervalMs: 50, idleWaitMs: 1_000, ...opts });
          dispatchers.push(d);
          return d;
        },
        route: (t, over = {}) => route(t, { id: routeId, from: [topic], ...over, delivery: { deadLetterTopic: dlq, ...over.delivery } }),
        append: async (records) => void (await log.append(topic, records)),
        async committedAll() {
          const offs = await log.offsets(topic);
          for (const o of offs) if (((await log.committed(`causeway.route.${routeId}`, topic, o.partition)) ?? 0) !== o.high) return false;
          return true;
        },
      };
    }

    it('ordering key with a slow key: the other keys keep flowing (measured) while it is pending, in order per key', async () => {
      const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
      const N = 1_000;
      const events = (prefix: string) =>
        Array.from({ length: N }, (_, i) => factRecord(`${prefix}${keys[i % 20]}/${Math.floor(i / 20)}`, { key: keys[i % 20]! }));
      // A target with ~2 ms per call, as a fast webhook would answer.
      const fast: Behaviour = async () => {
        await sleep(2);
        return { status: 'delivered' };
      };
      const delivery = {
        concurrency: 8,
        timeoutMs: 60_000,
        retry: 50,
        backoffDelayMs: 100,
        backoffMaxMs: 200,
        batch: { maxEvents: 10, maxBytes: 1e6, maxWaitMs: 5 },
      };

      /** Time for the N other-key events to be delivered, with the slow key stuck, failing, or absent. */
      async function scenario(kind: 'warm-up' | 'baseline' | 'stuck' | 'failing'): Promise<number> {
        const h = await harness();
        const stuck = gate();
        let failures = 0;
        const t = h.target(async (d) => {
          if (kind === 'stuck' && idOf(d) === 'slow/0') await stuck.opened;
          if (kind === 'failing' && idOf(d) === 'slow/0' && failures < 1_000) {
            failures++;
            return { status: 'retry', code: 'CW_TARGET_UNAVAILABLE', message: 'HTTP 503' };
          }
          return fast(d, 0);
        });
        const d = h.dispatcher();
        await d.start([h.route(t, { delivery })]);
        const all = events(`${kind}/`);
        const slowOnes = kind === 'baseline' || kind === 'warm-up' ? [] : [0, 1, 2].map((i) => factRecord(`slow/${i}`, { key: 'slow' }));
        const t0 = performance.now();
        await h.append([
          ...slowOnes.slice(0, 1),
          ...all.slice(0, N / 2),
          ...slowOnes.slice(1, 2),
          ...all.slice(N / 2),
          ...slowOnes.slice(2),
        ]);
        await waitUntil(() => t.delivered.filter((x) => !idOf(x).startsWith('slow')).length === N, 30_000, `${kind}: other keys`);
        const ms = performance.now() - t0;
        if (slowOnes.length > 0) {
          // The slow key is still pending: its first event not delivered, the next ones not even sent.
          expect(t.ids().filter((id) => id.startsWith('slow'))).toEqual([]);
          expect(t.attemptsOf('slow/1')).toHaveLength(0);
          stuck.open();
          failures = 1_000;
          await waitUntil(() => t.delivered.length === N + 3, 10_000, `${kind}: slow key`);
          expect(t.ids().filter((id) => id.startsWith('slow'))).toEqual(['slow/0', 'slow/1', 'slow/2']);
        }
        for (const k of keys) {
          const seq = t
            .ids()
            .filter((id) => id.startsWith(`${kind}/${k}/`))
            .map((id) => Number(id.split('/')[2]));
          expect(seq).toEqual([...seq].sort((a, b) => a - b));
        }
        await waitUntil(() => h.committedAll(), 10_000, 'commits');
        await d.stop();
        return ms;
      }

      await scenario('warm-up');
      const baseline = await scenario('baseline');
      const stuck = await scenario('stuck');
      const failing = await scenario('failing');
      const rate = (ms: number) => Math.round(N / (ms / 1000));
      console.log(
        `[${name}] ${N} events over 20 other keys: baseline ${baseline.toFixed(0)} ms (${rate(baseline)} ev/s); ` +
          `one key stuck in flight ${stuck.toFixed(0)} ms (${rate(stuck)} ev/s); one key failing with backoff ${failing.toFixed(0)} ms (${rate(failing)} ev/s)`,
      );
      // Loose on purpose (a shared 2-core machine): one slow key must not cut the others' rate by 4×.
      expect(rate(stuck)).toBeGreaterThan(rate(baseline) / 4);
      expect(rate(failing)).toBeGreaterThan(rate(baseline) / 4);
    }, 120_000);

    it('retries then success, and retries exhausted → the DLQ holds the whole original event with context', async () => {
      const h = await harness();
      const tries = new Map<string, number>();
      const t = h.target((d) => {
        const n = (tries.get(idOf(d)) ?? 0) + 1;
        tries.set(idOf(d), n);
        if (idOf(d) === 'flaky' && n < 3) return { status: 'retry', code: 'CW_TARGET_UNAVAILABLE', message: 'HTTP 503' };
        if (idOf(d) === 'doomed') return { status: 'retry', code: 'CW_TARGET_UNAVAILABLE', message: 'HTTP 503 forever' };
        return { status: 'delivered' };
      });
      const d = h.dispatcher();
      await d.start([h.route(t, { delivery: { retry: 2, backoffDelayMs: 20, backoffMaxMs: 100 } })]);
      const doomed = factRecord('doomed', { key: 'k1', headers: { 'x-extra': 'kept' } });
      await h.append([factRecord('flaky', { key: 'k0' }), doomed, factRecord('fine', { key: 'k2' })]);
      await waitUntil(
        async () => (await readTopic(log, h.dlq, PARTITIONS).catch(() => [])).length === 1 && t.ids().length === 2,
        20_000,
        'dlq',
      );
      expect(t.ids().sort()).toEqual(['fine', 'flaky']);
      expect(t.attemptsOf('flaky').map((c) => c.deliveries.find((x) => idOf(x) === 'flaky')!.lineage['causeway-attempt'])).toEqual([
        '1',
        '2',
        '3',
      ]);
      const [dl] = await readTopic(log, h.dlq, PARTITIONS);
      expect(Buffer.from(dl!.key!).toString()).toBe('k1');
      expect(Buffer.from(dl!.value!).equals(Buffer.from(doomed.value!))).toBe(true);
      expect(dl!.headers).toMatchObject(doomed.headers);
      expect(dl!.headers).toMatchObject({
        [DLQ_HEADERS.code]: 'CW_RETRIES_EXHAUSTED',
        [DLQ_HEADERS.attempts]: '3',
        [DLQ_HEADERS.topic]: h.topic,
        [DLQ_HEADERS.route]: h.routeId,
        [DLQ_HEADERS.target]: 'scripted',
      });
      expect(dl!.headers[DLQ_HEADERS.message]).toContain('HTTP 503 forever');
      await waitUntil(() => h.committedAll(), 10_000, 'commits');
      await d.stop();
    }, 60_000);

    it('a 429 with Retry-After is honoured in real time', async () => {
      const h = await harness();
      let first = true;
      const t = h.target((): ItemOutcome => {
        if (first) {
          first = false;
          return { status: 'retry', code: 'CW_TARGET_THROTTLED', message: 'HTTP 429', retryAfterMs: 700 };
        }
        return { status: 'delivered' };
      });
      const d = h.dispatcher();
      await d.start([h.route(t, { delivery: { backoffDelayMs: 10 } })]);
      await h.append([factRecord('throttled', { key: 'k' })]);
      await waitUntil(() => t.delivered.length === 1, 20_000, 'delivery');
      const [a, b] = t.calls;
      expect(b!.at - a!.at).toBeGreaterThanOrEqual(700);
      await d.stop();
    }, 60_000);

    it('a poison fact and a looping fact go to the DLQ and the partition moves on', async () => {
      const h = await harness();
      const t = h.target();
      const d = h.dispatcher();
      await d.start([h.route(t, { delivery: { maxHops: 2 } })]);
      const poison: LogRecord = { key: null, value: new TextEncoder().encode('not an event'), headers: { ce_source: '/x' }, partition: 1 };
      await h.append([
        factRecord('before', { partition: 1 }),
        poison,
        factRecord('loop', { partition: 1, headers: { 'causeway-hops': '2' } }),
        factRecord('after', { partition: 1, headers: { 'causeway-hops': '1' } }),
      ]);
      await waitUntil(() => h.committedAll(), 20_000, 'commits');
      expect(t.delivered.map((x) => [idOf(x), x.lineage['causeway-hops']])).toEqual([
        ['before', '1'],
        ['after', '2'],
      ]);
      const dlq = await readTopic(log, h.dlq, PARTITIONS);
      expect(dlq.map((f) => [f.headers[DLQ_HEADERS.offset], f.headers[DLQ_HEADERS.code]]).sort()).toEqual([
        ['1', 'CW_MISSING_ATTRIBUTE'],
        ['2', 'CW_HOP_LIMIT'],
      ]);
      await d.stop();
    }, 60_000);

    it('a dispatcher crash between delivery and commit: the next one redelivers, nothing is lost', async () => {
      const h = await harness();
      const first = h.dispatcher();
      const seen = new Set<string>();
      const t1 = h.target((x) => {
        seen.add(idOf(x));
        // Crash right after the target took the last event: its outcome is never committed.
        if (idOf(x) === 'b-39') first.crashForTesting();
        return { status: 'delivered' };
      });
      const r = h.route(t1);
      await first.start([r]);
      await h.append(Array.from({ length: 30 }, (_, i) => factRecord(`a-${i}`, { key: `k${i % 7}` })));
      await waitUntil(() => h.committedAll(), 20_000, 'first commits');
      await h.append(Array.from({ length: 40 }, (_, i) => factRecord(`b-${i}`, { key: `k${i % 7}` })));
      await waitUntil(() => seen.has('b-39'), 20_000, 'the crash');

      const t2 = h.target();
      const second = h.dispatcher();
      await second.start([{ ...r, target: t2 }]);
      await waitUntil(() => h.committedAll(), 20_000, 'second commits');
      const union = new Set([...seen, ...t2.ids()]);
      expect(Array.from({ length: 40 }, (_, i) => `b-${i}`).every((id) => union.has(id))).toBe(true);
      expect(t2.ids()).toContain('b-39'); // delivered, never committed: redelivered
      expect(t2.ids().some((id) => id.startsWith('a-'))).toBe(false); // committed before: not redelivered
      await second.stop();
    }, 60_000);

    it('hot reload: apply() swaps a changed route in and it resumes from the committed offsets', async () => {
      const h = await harness();
      const t1 = h.target();
      const d = h.dispatcher();
      const r = h.route(t1);
      await d.start([r]);
      await h.append(Array.from({ length: 20 }, (_, i) => factRecord(`a-${i}`, { key: `k${i % 5}` })));
      await waitUntil(() => t1.delivered.length === 20, 20_000, 'first deliveries');
      const t2 = h.target();
      await d.apply({ added: [], removed: [], changed: [{ ...r, target: t2 }] });
      expect(t1.closed).toBe(true);
      await h.append(Array.from({ length: 10 }, (_, i) => factRecord(`b-${i}`, { key: `k${i % 5}` })));
      await waitUntil(() => t2.delivered.length === 10, 20_000, 'second deliveries');
      await sleep(200);
      expect(t2.ids().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `b-${i}`).sort());
      await d.stop();
    }, 60_000);
  });
}

let dir = '';
suite(
  'embedded',
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-dispatch-'));
    return openEmbeddedLog({ dir, defaultPartitions: PARTITIONS });
  },
  () => rmSync(dir, { recursive: true, force: true }),
);
suite('kafka', () =>
  openKafkaLog({
    brokers: kafkaBrokers(),
    clientId: 'causeway-dispatch-it',
    defaultPartitions: PARTITIONS,
    replicationFactor: 1,
    produceTimeoutMs: 10_000,
    createTopics: true,
  }),
);
