/**
 * The kafka target against the real broker (test/setup/global-kafka.ts), read back by an
 * independent KafkaJS consumer: the Target contract, then what is specific to republishing.
 *
 * Faults. The shared broker cannot be stopped or slowed for one test (other test files use it in
 * parallel), so the harness swaps in a target that meets the fault for real:
 * - unavailable: a target whose bootstrap broker is a closed local port (connection refused);
 * - reject: a target writing to a topic created with max.message.bytes=64, which the real broker
 *   refuses every record for (MESSAGE_TOO_LARGE);
 * - slow: a target whose bootstrap broker is a local socket that accepts and never answers.
 * Not run: throttle. Kafka quotas throttle by delaying responses (throttle_time_ms), never by
 * failing a produce, so there is no throttle outcome for a Kafka target to classify.
 */
import { randomUUID } from 'node:crypto';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { decodeKafka } from '../../src/codec/index.js';
import type { Target } from '../../src/core/index.js';
import { kafkaTarget, type KafkaTargetConfig } from '../../src/targets/index.js';
import { targetContract, type TargetHarness } from '../contract/target.contract.js';
import { expectReceived, variedBatch, type ReceivedEvent } from '../contract/target-helpers.js';
import { kafkaBrokers } from '../support/kafka.js';

interface RawRecord {
  readonly partition: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Array<[string, Buffer]>;
}

const quiet = (brokers: readonly string[]) => new Kafka({ clientId: 'target-test', brokers: [...brokers], logLevel: logLevel.NOTHING });

function pairs(h: IHeaders | undefined): Array<[string, Buffer]> {
  return Object.entries(h ?? {}).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v])
      .filter((x) => x !== undefined)
      .map((x) => [k, typeof x === 'string' ? Buffer.from(x) : x] as [string, Buffer]),
  );
}

/** An independent consumer (fresh group, from the beginning) collecting every record of a topic. */
class Reader {
  readonly records: RawRecord[] = [];
  private consumer: Consumer | undefined;
  constructor(
    private readonly brokers: readonly string[],
    private readonly topic: string,
  ) {}
  async start(): Promise<void> {
    if (this.consumer !== undefined) return;
    this.consumer = quiet(this.brokers).consumer({
      groupId: `target-test-${randomUUID()}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 500,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        this.records.push({ partition, key: message.key ?? null, value: message.value, headers: pairs(message.headers) });
      },
    });
  }
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export function toReceived(r: RawRecord): ReceivedEvent {
  const text = (n: string): string | undefined => r.headers.find(([k]) => k === n)?.[1].toString('utf8');
  const lineage = Object.fromEntries(
    r.headers.filter(([k]) => k === 'traceparent' || k.startsWith('causeway-')).map(([k, v]) => [k, v.toString('utf8')]),
  );
  return { event: decodeKafka(r.headers, r.value, r.key), lineage, idempotencyKey: text('idempotency-key') };
}

async function createTopic(brokers: readonly string[], topic: string, config: Record<string, string> = {}): Promise<void> {
  const admin = quiet(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: 3, configEntries: Object.entries(config).map(([name, value]) => ({ name, value })) }],
    });
    // KafkaJS's waitForLeaders gives up with "This server does not host this topic-partition" when a
    // busy broker is slow to publish the new topic's metadata: poll it ourselves, with a deadline.
    await vi.waitFor(
      async () => {
        const md = await admin.fetchTopicMetadata({ topics: [topic] });
        expect(md.topics[0]?.partitions.filter((p) => p.leader >= 0)).toHaveLength(3);
      },
      { timeout: 20_000, interval: 100 },
    );
  } finally {
    await admin.disconnect();
  }
}

async function listen(onSocket: (s: Socket) => void): Promise<Server> {
  const srv = createServer(onSocket);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return srv;
}
const addr = (srv: Server): string => `127.0.0.1:${(srv.address() as AddressInfo).port}`;

/** Sockets of this process connected to `port` (the broker's). */
function socketsTo(port: number): Socket[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h): h is Socket => h instanceof Socket && h.remotePort === port && !h.destroyed);
}

function harness(config: Partial<KafkaTargetConfig> = {}) {
  return {
    async create(): Promise<TargetHarness> {
      const brokers = kafkaBrokers();
      const brokerPort = Number(brokers[0]!.split(':').pop());
      const topic = `ct.target.${randomUUID().slice(0, 8)}`;
      await createTopic(brokers, topic);
      await createTopic(brokers, `${topic}.tiny`, { 'max.message.bytes': '64' });
      const closedSrv = await listen(() => undefined);
      const deadPort = addr(closedSrv);
      await new Promise<void>((resolve) => closedSrv.close(() => resolve()));
      const held: Socket[] = [];
      const blackhole = await listen((s) => held.push(s)); // accepts, never answers
      // Sockets that existed before this harness's target did (other harnesses, readers): not ours.
      const before = new Set(socketsTo(brokerPort));
      const mk = (over: Partial<KafkaTargetConfig>): Target =>
        kafkaTarget.create({ topic, ...config, ...over }, { env: {}, kafkaBrokers: brokers });
      const main = mk({});
      const swapped: Target[] = [];
      let current = main;
      const reader = new Reader(brokers, topic);
      return {
        get target() {
          return current;
        },
        async received() {
          await reader.start();
          return reader.records.map(toReceived);
        },
        fault(kind) {
          if (kind === 'none') current = main;
          else {
            current = mk(
              kind === 'unavailable'
                ? { brokers: [deadPort] }
                : kind === 'slow'
                  ? { brokers: [addr(blackhole)] }
                  : { topic: `${topic}.tiny` },
            );
            swapped.push(current);
          }
        },
        async openConnections() {
          return socketsTo(brokerPort).filter((s) => !before.has(s)).length;
        },
        async close() {
          await Promise.all([main, ...swapped].map((t) => t.close()));
          await reader.stop();
          for (const s of held) s.destroy();
          await new Promise<void>((resolve) => blackhole.close(() => resolve()));
        },
      };
    },
  };
}

targetContract('kafka (binary)', harness(), { faults: ['unavailable', 'reject', 'slow'], receiveTimeoutMs: 20_000 });
targetContract('kafka (structured)', harness({ mode: 'structured' }), { faults: ['reject'], receiveTimeoutMs: 20_000 });

describe('kafka target', () => {
  const brokers = (): string[] => kafkaBrokers();
  const targets: Target[] = [];
  const readers: Reader[] = [];
  const make = (config: Partial<KafkaTargetConfig> & { topic: string }, withBrokers = false): Target => {
    const t = kafkaTarget.create(
      { ...config, ...(withBrokers ? { brokers: brokers() } : {}) },
      { env: {}, kafkaBrokers: withBrokers ? [] : brokers() },
    );
    targets.push(t);
    return t;
  };
  const newTopic = (): string => `ct.kt.${randomUUID().slice(0, 8)}`;
  /** Records of `topic` once `n` have arrived. */
  const read = async (topic: string, n: number): Promise<RawRecord[]> => {
    const r = new Reader(brokers(), topic);
    readers.push(r);
    await r.start();
    await vi.waitFor(() => expect(r.records.length).toBeGreaterThanOrEqual(n), { timeout: 20_000, interval: 100 });
    return r.records;
  };
  const text = (r: RawRecord, name: string): string | undefined => r.headers.find(([k]) => k === name)?.[1].toString('utf8');
  const idOf = (r: RawRecord): string => text(r, 'ce_id') ?? JSON.parse(r.value!.toString('utf8')).id;
  const send = (t: Target, batch: Parameters<Target['send']>[0]) => t.send(batch, AbortSignal.timeout(20_000));

  afterAll(async () => {
    await Promise.all(targets.map((t) => t.close()));
    await Promise.all(readers.map((r) => r.stop()));
  });

  it('binary mode (KAFKA-M4..M7): data is the value, ce_ headers are raw UTF-8, content-type; no data is a null value; lineage headers', async () => {
    const topic = newTopic();
    const batch = variedBatch(4);
    expect((await send(make({ topic }), batch)).items.every((o) => o.status === 'delivered')).toBe(true);
    const records = await read(topic, 4);
    for (const d of batch) {
      const r = records.find((x) => idOf(x) === d.event.attributes['id'])!;
      expect(r.value === null ? null : Buffer.compare(r.value, Buffer.from(d.event.data!))).toBe(d.event.data === undefined ? null : 0);
      expect(text(r, 'content-type')).toBe(d.event.attributes['datacontenttype']);
      expect(text(r, 'ce_datacontenttype')).toBeUndefined();
      expect(text(r, 'ce_subject')).toBe(d.event.attributes['subject']); // 'Euro € 😀' as is, not percent-encoded
      expect(text(r, 'ce_seq')).toBe(String(d.event.attributes['seq']));
      for (const [k, v] of Object.entries(d.lineage)) expect(text(r, k)).toBe(v);
      expect(text(r, 'idempotency-key')).toBe(d.idempotencyKey);
      expectReceived(toReceived(r), d);
    }
  });

  it('structured mode (KAFKA-M8, KAFKA-M9): the JSON event is the value, content-type is the format, lineage headers still there', async () => {
    const topic = newTopic();
    const batch = variedBatch(4);
    await send(make({ topic, mode: 'structured' }), batch);
    const records = await read(topic, 4);
    for (const r of records) {
      expect(text(r, 'content-type')).toBe('application/cloudevents+json; charset=UTF-8');
      expect(r.headers.filter(([k]) => k.startsWith('ce_'))).toEqual([]);
      expect(r.value).not.toBeNull(); // never a tombstone, even without data
      const d = batch.find((x) => x.event.attributes['id'] === idOf(r))!;
      expect(text(r, 'causeway-fact')).toBe(d.lineage['causeway-fact']);
      expectReceived(toReceived(r), d);
    }
  });

  it('key keep (default, KAFKA-N3): the incoming key, same key same partition, in batch order', async () => {
    const topic = newTopic();
    const batch = variedBatch(9, { key: (i) => ['k-a', 'k-b', 'k-c'][i % 3]! });
    await send(make({ topic }, true), batch);
    const records = await read(topic, 9);
    for (const key of ['k-a', 'k-b', 'k-c']) {
      const mine = records.filter((r) => r.key?.toString('utf8') === key);
      expect(mine).toHaveLength(3);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => Number(text(r, 'ce_seq')))).toEqual(
        batch.flatMap((d, i) => (['k-a', 'k-b', 'k-c'][i % 3] === key ? [i] : [])),
      );
    }
  });

  it('key partitionkey (KAFKA-S1, KAFKA-M11): the attribute becomes the key and stays a header; none without it', async () => {
    const topic = newTopic();
    const withPk = variedBatch(2);
    const withoutPk = variedBatch(1, { attributes: () => ({}) }).map((d) => {
      const { partitionkey: _drop, ...attributes } = d.event.attributes;
      return { ...d, event: { ...d.event, attributes } };
    });
    await send(make({ topic, key: 'partitionkey' }), [...withPk, ...withoutPk]);
    const records = await read(topic, 3);
    for (const d of withPk) {
      const r = records.find((x) => idOf(x) === d.event.attributes['id'])!;
      expect(r.key?.toString('utf8')).toBe(d.event.attributes['partitionkey']);
      expect(text(r, 'ce_partitionkey')).toBe(d.event.attributes['partitionkey']);
    }
    const bare = records.find((x) => idOf(x) === withoutPk[0]!.event.attributes['id'])!;
    expect(bare.key).toBeNull();
    expect(text(bare, 'ce_partitionkey')).toBeUndefined();
  });

  it('key none: no record key', async () => {
    const topic = newTopic();
    await send(make({ topic, key: 'none' }), variedBatch(2));
    for (const r of await read(topic, 2)) expect(r.key).toBeNull();
  });

  it('creates a missing topic on first send', async () => {
    const topic = newTopic();
    const admin = quiet(brokers()).admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(topic);
      expect((await send(make({ topic }), variedBatch(1))).items).toEqual([{ status: 'delivered' }]);
      expect(await admin.listTopics()).toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });

  it('a record over the topic max.message.bytes is rejected alone (CW_TARGET_PAYLOAD_TOO_LARGE); the rest of the batch is written', async () => {
    const topic = newTopic();
    await createTopic(brokers(), topic, { 'max.message.bytes': '2000' });
    const big = new TextEncoder().encode('x'.repeat(4_000));
    const batch = variedBatch(4, {
      key: () => 'same',
      data: (i) => ({ contentType: 'text/plain', bytes: i === 2 ? big : new TextEncoder().encode(`small ${i}`) }),
    });
    const out = await send(make({ topic }), batch);
    expect(out.items.map((o) => o.status)).toEqual(['delivered', 'delivered', 'reject', 'delivered']);
    expect(out.items[2]).toMatchObject({ code: 'CW_TARGET_PAYLOAD_TOO_LARGE' });
    const records = await read(topic, 3);
    expect(records.map((r) => text(r, 'ce_seq')).sort()).toEqual(['0', '1', '3']);
  });

  it('limits: below the broker default max.message.bytes; configurable', () => {
    expect(make({ topic: newTopic() }).limits).toEqual({ maxBatchEvents: 500, maxBatchBytes: 900_000, maxEventBytes: 900_000 });
    expect(make({ topic: newTopic(), maxBatchEvents: 10, maxBatchBytes: 5_000_000, maxEventBytes: 4_000_000 }).limits).toEqual({
      maxBatchEvents: 10,
      maxBatchBytes: 5_000_000,
      maxEventBytes: 4_000_000,
    });
  });

  it('create() refuses what cannot work (CW_ROUTE_INVALID)', () => {
    expect(() => make({ topic: 'bad topic!' })).toThrow(/legal Kafka topic/);
    expect(() => make({ topic: 'ok', mode: 'batch' as never })).toThrow(/no batch mode/);
    expect(() => kafkaTarget.create({ topic: 'ok' }, { env: {}, kafkaBrokers: [] })).toThrow(/no brokers/);
  });
});
