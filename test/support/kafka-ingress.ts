/**
 * Helpers for the Kafka ingress tests: raw records as producers would publish them, a plain
 * KafkaJS producer and admin, and readers of the facts that came out.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel, type Admin, type IHeaders, type Message, type Producer } from 'kafkajs';
import { start, type Running } from '../../src/app/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { EventLog, Fact } from '../../src/core/index.js';
import { createLogger } from '../../src/observability/index.js';
import { BID_TYPE, bidData } from './events.js';
import { repoRoot } from './server.js';

export const unique = (prefix: string): string => `${prefix}.${randomUUID().slice(0, 8)}`;

/** A binary-mode bid (KAFKA-M4..M6): ce_ headers, the value is the data. */
export function binaryBid(id: string = randomUUID(), data: Record<string, unknown> = bidData(), extra: IHeaders = {}): Message {
  return {
    key: String(data.itemId ?? 'k'),
    value: Buffer.from(JSON.stringify(data)),
    headers: {
      ce_specversion: '1.0',
      ce_id: id,
      ce_source: '/auction/kafka',
      ce_type: BID_TYPE,
      'content-type': 'application/json',
      ...extra,
    },
  };
}

export class RawKafka {
  readonly kafka: Kafka;
  readonly admin: Admin;
  private producer: Producer | undefined;

  constructor(readonly brokers: string[]) {
    this.kafka = new Kafka({ clientId: 'causeway-test-raw', brokers, logLevel: logLevel.NOTHING });
    this.admin = this.kafka.admin();
  }

  async connect(): Promise<this> {
    await this.admin.connect();
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await this.producer.connect();
    return this;
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    await this.admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  }

  /** Produces in order (acks=all); returns each record's offset. */
  async produce(topic: string, messages: Message[]): Promise<void> {
    await this.producer!.send({ topic, messages, acks: -1 });
  }

  /** The group's committed next offset per partition (-1 when none). */
  async committed(group: string, topic: string): Promise<Map<number, number>> {
    const res = await this.admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map(res[0]!.partitions.map((p) => [p.partition, Number(p.offset)]));
  }

  async high(topic: string): Promise<Map<number, number>> {
    return new Map((await this.admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    await this.admin.disconnect();
  }
}

/** Every fact of a topic, all partitions, in offset order per partition. */
export async function allFacts(log: EventLog, topic: string): Promise<Fact[]> {
  const out: Fact[] = [];
  for (const o of await log.offsets(topic)) {
    for (let from = o.low; from < o.high;) {
      const page = await log.read(topic, o.partition, from, 1000);
      if (page.length === 0) break;
      out.push(...page);
      from = page[page.length - 1]!.offset + 1;
    }
  }
  return out;
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the fact topic holds at least `n` facts and returns them. */
export function factsAtLeast(log: EventLog, topic: string, n: number, timeoutMs = 20_000): Promise<Fact[]> {
  return eventually(
    `${n} facts in ${topic}`,
    async () => {
      const f = await allFacts(log, topic);
      return f.length >= n ? f : undefined;
    },
    timeoutMs,
  );
}

export interface IngressServer {
  readonly running: Running;
  readonly url: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Causeway in-process with the given env and optional causeway.yaml text (for mappings). */
export async function startWithConfig(env: Record<string, string>, yaml?: string, dataDir?: string): Promise<IngressServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'causeway-ingress-'));
  const config = loadConfig(
    {
      CAUSEWAY_PORT: '0',
      CAUSEWAY_HOST: '127.0.0.1',
      CAUSEWAY_DATA_DIR: dir,
      CAUSEWAY_SCHEMAS_DIR: join(repoRoot, 'schemas'),
      CAUSEWAY_ROUTES_DIR: join(repoRoot, 'routes'),
      CAUSEWAY_KAFKA_INGRESS_SESSION_TIMEOUT_MS: '6000',
      ...env,
    },
    yaml,
  );
  const running = await start(config, createLogger('silent'));
  return {
    running,
    url: `http://127.0.0.1:${running.port}`,
    dataDir: dir,
    async close() {
      await running.close();
      if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
