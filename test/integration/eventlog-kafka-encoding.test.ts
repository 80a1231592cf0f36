/**
 * The Kafka event log's own produce encoding (src/eventlog/kafka/produce-request.ts) against the
 * real broker: the broker checks every batch's CRC-32C and structure, and an independent plain
 * KafkaJS consumer (not the log's reader) reads back exactly what was appended, in order, at the
 * positions the appends reported — many concurrent appends coalesced into shared requests,
 * requests over the 1 MiB coalescing cap, multi-byte headers, null keys and values, timestamps.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord, Position } from '../../src/core/index.js';
import { openKafkaLog, type KafkaEventLog } from '../../src/eventlog/index.js';
import { installFastProduceEncoding } from '../../src/eventlog/kafka/fast-produce.js';
import { kafkaBrokers } from '../support/kafka.js';

const PARTITIONS = 3;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
let log: KafkaEventLog;

beforeAll(async () => {
  log = await openKafkaLog({
    brokers: kafkaBrokers(),
    clientId: 'causeway-encoding',
    defaultPartitions: PARTITIONS,
    replicationFactor: 1,
    produceTimeoutMs: 20_000,
    createTopics: true,
  });
});
afterAll(async () => {
  await log?.close();
});

interface Seen {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: string;
}

/** Everything in the topic, per partition in offset order, read by a fresh KafkaJS consumer. */
async function consumeAll(topic: string, expected: number): Promise<Map<number, Map<number, Seen>>> {
  const kafka = new Kafka({ clientId: 'causeway-encoding-check', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `causeway.encoding.${topic}` });
  const out = new Map<number, Map<number, Seen>>();
  let n = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${n} of ${expected} records`)), 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          let p = out.get(partition);
          if (p === undefined) out.set(partition, (p = new Map()));
          p.set(Number(message.offset), {
            key: message.key === null ? null : message.key.toString('utf8'),
            value: message.value === null ? null : message.value.toString('utf8'),
            headers,
            timestamp: message.timestamp,
          });
          if (++n === expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

describe('kafka event log: produce encoding on the wire', () => {
  it('is the fast encoder (KafkaJS 2.2.4)', async () => {
    expect(await installFastProduceEncoding()).toBe(true);
  });

  it('200 concurrent appends, 3,000 records (~3 MB): the broker takes them and a plain consumer reads each back at its reported position', async () => {
    const topic = `ct.encoding.${Math.random().toString(16).slice(2, 10)}`;
    await log.ensureTopic(topic, PARTITIONS);
    const filler = 'x'.repeat(1500);
    const ts = 1_700_000_000_000;
    const appends: LogRecord[][] = Array.from({ length: 200 }, (_, a) =>
      Array.from({ length: 15 }, (_, i) => {
        const id = `${a}-${i}`;
        const headers: Record<string, string> = { ce_id: id, ce_source: '/ünïcødé/源', 'content-type': 'application/json' };
        if (i % 4 === 0) headers['ct-empty'] = '';
        return {
          key: i % 5 === 0 ? null : utf8(`key-${a % 17}-${i % 3}`),
          value: i % 7 === 0 ? null : utf8(`{"id":"${id}","pad":"${filler.slice(0, (a * 31 + i * 97) % 1500)}"}`),
          headers,
          ...(i % 3 === 0 ? { timestamp: ts + a * 15 + i } : {}),
          ...(i % 11 === 0 ? { partition: (a + i) % PARTITIONS } : {}),
        };
      }),
    );
    const positions: Position[][] = await Promise.all(appends.map((records) => log.append(topic, records)));
    const seen = await consumeAll(topic, 3000);

    const partitionsOfKey = new Map<string, Set<number>>();
    appends.forEach((records, a) =>
      records.forEach((r, i) => {
        const pos = positions[a]![i]!;
        const got = seen.get(pos.partition)?.get(pos.offset);
        expect(got, `${a}-${i} at ${pos.partition}/${pos.offset}`).toBeDefined();
        expect(got!.headers).toEqual(r.headers);
        expect(got!.key).toBe(r.key === null ? null : new TextDecoder().decode(r.key));
        expect(got!.value).toBe(r.value === null ? null : new TextDecoder().decode(r.value));
        if (r.timestamp !== undefined) expect(Number(got!.timestamp)).toBe(r.timestamp);
        if (r.partition !== undefined) expect(pos.partition).toBe(r.partition);
        // Per-partition order within one append: later records sit at higher offsets.
        if (i > 0 && positions[a]![i - 1]!.partition === pos.partition) expect(pos.offset).toBeGreaterThan(positions[a]![i - 1]!.offset);
        if (r.key !== null && r.partition === undefined) {
          const k = new TextDecoder().decode(r.key);
          partitionsOfKey.set(k, (partitionsOfKey.get(k) ?? new Set()).add(pos.partition));
        }
      }),
    );
    // Every offset of every partition holds exactly one of our records (nothing extra, no gaps).
    const total = [...seen.values()].reduce((n, p) => n + p.size, 0);
    expect(total).toBe(3000);
    for (const p of seen.values()) expect([...p.keys()].sort((x, y) => x - y)).toEqual([...Array(p.size).keys()]);
    // One key, one partition (records without an explicit partition).
    for (const ps of partitionsOfKey.values()) expect(ps.size).toBe(1);
  }, 120_000);
});
