/**
 * Kafka ingress crash test (issue 3): `causeway serve` runs as a child process consuming a raw topic
 * that a producer keeps writing to; it is SIGKILLed mid-stream and started again. Every record must
 * end up as a fact (or, if bad, a dead letter). The in-memory dedupe window dies with the process,
 * so records stored after the last commit are stored again on restart: those duplicates are allowed,
 * counted, and must all come from the uncommitted tail (offset ≥ the committed offset at the kill).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ChildServer } from '../support/child-server.js';
import { bidData } from '../support/events.js';
import { kafkaBrokers } from '../support/kafka.js';
import { RawKafka, binaryBid, eventually, unique } from '../support/kafka-ingress.js';
import { TopicReader, header } from '../support/kafka-records.js';
import { json } from '../support/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'causeway-ingress-kill-'));
let raw: RawKafka;
beforeAll(async () => {
  raw = await new RawKafka(kafkaBrokers()).connect();
});
afterAll(async () => {
  await raw?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface AdminFact {
  partition: number;
  offset: number;
  headers: Record<string, string>;
}

async function factCount(url: string, topic: string): Promise<number> {
  const t = (await json(await fetch(`${url}/admin/topics`))).topics.find((x: { name: string }) => x.name === topic);
  return t === undefined ? 0 : t.partitions.reduce((n: number, p: { low: number; high: number }) => n + p.high - p.low, 0);
}

async function allFacts(url: string, topic: string): Promise<AdminFact[]> {
  const t = (await json(await fetch(`${url}/admin/topics`))).topics.find((x: { name: string }) => x.name === topic);
  const facts: AdminFact[] = [];
  for (const p of t.partitions) {
    for (let from = p.low; from < p.high;) {
      const page = await json(await fetch(`${url}/admin/topics/${topic}/events?partition=${p.partition}&from=${from}&limit=1000`));
      if (page.events.length === 0) break;
      facts.push(...page.events);
      from += page.events.length;
    }
  }
  return facts;
}

const offsetOf = (ingress: string): { partition: number; offset: number } => {
  const [, , , p, o] = ingress.split('/'); // kafka://topic/partition/offset
  return { partition: Number(p), offset: Number(o) };
};

describe('Kafka ingress: restart mid-stream loses nothing', () => {
  it('SIGKILL while records flow, restart: every record is a fact or a dead letter; duplicates only from the uncommitted tail', async () => {
    const topic = unique('raw.kill');
    const group = unique('causeway.ingress.kill');
    const dlq = unique('dlq');
    await raw.createTopic(topic, 3);
    await raw.createTopic(dlq, 1);
    const env = {
      CAUSEWAY_DATA_DIR: dataDir,
      CAUSEWAY_KAFKA_BROKERS: kafkaBrokers().join(','),
      CAUSEWAY_KAFKA_INGRESS_TOPICS: topic,
      CAUSEWAY_KAFKA_INGRESS_GROUP: group,
      CAUSEWAY_KAFKA_INGRESS_DLQ_TOPIC: dlq,
      CAUSEWAY_KAFKA_INGRESS_SESSION_TIMEOUT_MS: '6000',
    };

    const good: string[] = [];
    const bad: string[] = [];
    let producing = true;
    const producer = (async () => {
      for (let n = 0; producing;) {
        const batch = Array.from({ length: 20 }, () => {
          n++;
          const id = `k-${n}`;
          if (n % 53 === 0) {
            bad.push(id);
            return binaryBid(id, bidData({ amount: -1 })); // CW_SCHEMA_VIOLATION
          }
          good.push(id);
          return binaryBid(id, bidData({ itemId: `item-${n % 7}` }));
        });
        await raw.produce(topic, batch);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();

    let second: ChildServer | undefined;
    const first = await spawnServer(env);
    try {
      // Mid-stream: some records committed, more flowing in.
      await eventually(
        '300 committed records before the kill',
        async () => ([...(await raw.committed(group, topic)).values()].reduce((n, o) => n + Math.max(0, o), 0) >= 300 ? true : undefined),
        30_000,
      );
      expect(await factCount(first.url, 'auction.bids')).toBeGreaterThan(0);
      first.proc.kill('SIGKILL');
      await first.exited;
      const committedAtKill = await raw.committed(group, topic);
      await new Promise((r) => setTimeout(r, 300)); // records keep arriving while no one consumes

      second = await spawnServer(env);
      await new Promise((r) => setTimeout(r, 500));
      producing = false;
      await producer;
      // Done when the group has committed every record: commits follow acknowledged facts and dead letters.
      await eventually(
        'the restarted ingress to commit every record',
        async () => {
          const [c, h] = [await raw.committed(group, topic), await raw.high(topic)];
          return [...h].every(([p, high]) => c.get(p) === high) ? true : undefined;
        },
        60_000,
      );

      const facts = await allFacts(second.url, 'auction.bids');
      const copies = new Map<string, AdminFact[]>();
      for (const f of facts) copies.set(f.headers.ce_id!, [...(copies.get(f.headers.ce_id!) ?? []), f]);
      for (const id of good) expect(copies.get(id)?.length ?? 0, `record ${id} has no fact`).toBeGreaterThanOrEqual(1);
      for (const id of bad) expect(copies.has(id), `bad record ${id} became a fact`).toBe(false);
      expect(copies.size).toBe(good.length);
      let duplicates = 0;
      for (const [id, fs] of copies) {
        if (fs.length === 1) continue;
        duplicates += fs.length - 1;
        const ingress = new Set(fs.map((f) => f.headers['causeway-ingress']!));
        expect(ingress.size, `copies of ${id} come from one record`).toBe(1);
        const { partition, offset } = offsetOf([...ingress][0]!);
        expect(offset, `${id} stored twice but it was committed before the kill`).toBeGreaterThanOrEqual(
          committedAtKill.get(partition) ?? 0,
        );
      }

      const reader = await TopicReader.start(kafkaBrokers(), [dlq]);
      try {
        await reader.until((rs) => bad.every((id) => rs.some((r) => header(r, 'ce_id') === id)), 30_000, 'every bad record dead-lettered');
        for (const r of reader.records) expect(header(r, 'causewayerrorcode')).toBe('CW_SCHEMA_VIOLATION');
      } finally {
        await reader.stop();
      }
      console.info(
        `kafka ingress kill test: ${good.length + bad.length} records, ${facts.length} facts, ${duplicates} duplicate(s) from the uncommitted tail, ` +
          `committed at kill ${JSON.stringify([...committedAtKill])}`,
      );
    } finally {
      producing = false;
      await producer;
      if (first.proc.exitCode === null) first.proc.kill('SIGKILL');
      if (second !== undefined) {
        second.proc.kill('SIGTERM');
        expect(await second.exited).toBe(0); // a graceful stop commits and leaves the group
      }
    }
  }, 120_000);
});
