/**
 * The Kafka ingress against the real broker (issue 3): raw records in → facts out, bad records →
 * the dead-letter topic with context, the Kafka event log, and a log that cannot confirm for a while.
 * Every test uses its own raw topics, consumer group and dead-letter topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcceptService, DedupeWindow } from '../../src/app/index.js';
import { CausewayError, type Fact } from '../../src/core/index.js';
import { openEmbeddedLog } from '../../src/eventlog/index.js';
import { createKafkaIngress } from '../../src/ingress/kafka/index.js';
import { normalizeKafkaRecord } from '../../src/normalize/index.js';
import { Metrics } from '../../src/observability/index.js';
import { loadRegistry } from '../../src/registry/index.js';
import { BID_TYPE, bidData, bidEvent } from '../support/events.js';
import { kafkaBrokers } from '../support/kafka.js';
import { RawKafka, allFacts, binaryBid, eventually, factsAtLeast, startWithConfig, unique } from '../support/kafka-ingress.js';
import { TopicReader, header } from '../support/kafka-records.js';
import { copySchemasWithUniqueTopics } from '../support/schemas-copy.js';
import { repoRoot } from '../support/server.js';

let raw: RawKafka;
beforeAll(async () => {
  raw = await new RawKafka(kafkaBrokers()).connect();
});
afterAll(async () => raw?.close());

const text = (b: Uint8Array | null): string => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const byId = (facts: Fact[], id: string): Fact[] => facts.filter((f) => f.headers.ce_id === id);

function ingressEnv(dlq: string, topics?: string, group = unique('causeway.ingress.test')): Record<string, string> {
  return {
    CAUSEWAY_KAFKA_BROKERS: kafkaBrokers().join(','),
    CAUSEWAY_KAFKA_INGRESS_GROUP: group,
    CAUSEWAY_KAFKA_INGRESS_DLQ_TOPIC: dlq,
    ...(topics === undefined ? {} : { CAUSEWAY_KAFKA_INGRESS_TOPICS: topics }),
  };
}

describe('Kafka ingress: records in, facts out', () => {
  it('binary and structured records become facts with kafka:// lineage and unchanged data bytes; stop commits', async () => {
    const topic = unique('raw.ce');
    const group = unique('causeway.ingress.test');
    await raw.createTopic(topic, 1);
    // Odd spacing: the stored value must be these bytes, never a re-serialization (KAFKA-M4, JSON-N4).
    const body = '{ "itemId":"item-k1",  "bidId":"b-1", "bidder":"alice", "amount": 10.50, "currency":"EUR" }';
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01';
    const binary = binaryBid('bin-1', {}, { traceparent: tp });
    const structured = {
      key: null,
      value: Buffer.from(JSON.stringify(bidEvent({ id: 'str-1', source: '/auction/structured' }, bidData({ itemId: 'item-k1' })))),
      headers: { 'content-type': 'application/cloudevents+json; charset=UTF-8' },
    };
    await raw.produce(topic, [{ ...binary, key: 'item-k1', value: Buffer.from(body) }, structured]);

    const srv = await startWithConfig(ingressEnv(unique('dlq'), topic, group));
    try {
      const facts = await factsAtLeast(srv.running.log, 'auction.bids', 2);
      expect(facts).toHaveLength(2);
      const [b] = byId(facts, 'bin-1');
      expect(b!.headers).toMatchObject({
        'causeway-ingress': `kafka://${topic}/0/0`,
        ce_source: '/auction/kafka',
        ce_type: BID_TYPE,
        ce_authtype: 'unknown',
        'content-type': 'application/json',
      });
      expect(text(b!.value)).toBe(body);
      expect(text(b!.key)).toBe('item-k1');
      // The record's traceparent header is continued: the starting trace and the ingress hop share its trace id.
      expect(b!.headers.ce_traceparent!.split('-')[1]).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(b!.headers.traceparent!.split('-')[1]).toBe('0af7651916cd43dd8448eb211c80319c');
      const [s] = byId(facts, 'str-1');
      expect(s!.headers).toMatchObject({ 'causeway-ingress': `kafka://${topic}/0/1`, ce_source: '/auction/structured' });
      expect(JSON.parse(text(s!.value)).itemId).toBe('item-k1');

      const ready = await eventually('readyz counts', async () => {
        const r = (await (await fetch(`${srv.url}/readyz`)).json()) as { kafkaIngress: { counts: { stored: number } } };
        return r.kafkaIngress.counts.stored === 2 ? r : undefined;
      });
      expect(ready.kafkaIngress).toMatchObject({
        ok: true,
        state: 'running',
        group,
        topics: [topic],
        assigned: [`${topic}/0`],
        retrying: [],
      });
    } finally {
      await srv.close();
    }
    expect((await raw.committed(group, topic)).get(0)).toBe(2); // committed up to the last fact, on a graceful stop too
  });

  it('plain JSON mapped by field, header and default becomes a fact with Causeway as the producer', async () => {
    const topic = unique('raw.json');
    await raw.createTopic(topic, 1);
    const yaml = `
ingress:
  kafka:
    topics:
      - topic: ${topic}
        mode: json
        mapping:
          type: { header: event-type, default: ${BID_TYPE} }
          id: { field: /bidId }
          source: { header: origin, default: /auction/legacy }
          subject: { field: /itemId }
          time: { header: ts }
`;
    const d1 = JSON.stringify(bidData({ bidId: 'j-1', itemId: 'item-j' }));
    const d2 = JSON.stringify(bidData({ bidId: 'j-2', itemId: 'item-j' }));
    await raw.produce(topic, [
      { key: 'item-j', value: Buffer.from(d1), headers: { origin: '/auction/mobile', ts: '1767225600000' } },
      { key: 'item-j', value: Buffer.from(d2), timestamp: '1767312000000' },
    ]);
    const srv = await startWithConfig(ingressEnv(unique('dlq')), yaml);
    try {
      const facts = await factsAtLeast(srv.running.log, 'auction.bids', 2);
      const [f1] = byId(facts, 'j-1');
      const [f2] = byId(facts, 'j-2');
      expect(f1!.headers).toMatchObject({
        ce_type: BID_TYPE,
        ce_source: '/auction/mobile',
        ce_subject: 'item-j',
        ce_time: '2026-01-01T00:00:00.000Z',
        'content-type': 'application/json',
        'causeway-ingress': `kafka://${topic}/0/0`,
      });
      expect(Date.parse(f1!.headers.ce_recordedtime!)).not.toBeNaN(); // EXT-REC-N1
      expect(text(f1!.value)).toBe(d1);
      // Defaults: source from the mapping's default, time from the record timestamp.
      expect(f2!.headers).toMatchObject({ ce_source: '/auction/legacy', ce_time: '2026-01-02T00:00:00.000Z' });
    } finally {
      await srv.close();
    }
  });
});

describe('Kafka ingress: bad records', () => {
  it('go to the dead-letter topic with original bytes, headers and context; the partition keeps flowing', async () => {
    const ce = unique('raw.ce');
    const js = unique('raw.json');
    const dlq = unique('dlq');
    await raw.createTopic(ce, 1);
    await raw.createTopic(js, 1);
    const good = (id: string) => binaryBid(id);
    const noType = binaryBid('bad-1');
    delete noType.headers!.ce_type;
    const dup = binaryBid('bad-3', bidData(), { ce_id: ['d-1', 'd-2'] });
    await raw.produce(ce, [
      noType, // 0
      good('g-1'), // 1
      binaryBid('bad-2', bidData({ amount: -5 })), // 2: schema violation
      dup, // 3: two ce_id headers (CORE-M2)
      good('g-2'), // 4
    ]);
    const malformed = Buffer.from('{"itemId": "x", ');
    await raw.produce(js, [
      { key: 'm', value: malformed, headers: { note: 'broken' } },
      { key: null, value: Buffer.from(JSON.stringify(bidData())) },
    ]);

    await raw.createTopic(dlq, 1);
    const reader = await TopicReader.start(kafkaBrokers(), [dlq]);
    const srv = await startWithConfig(ingressEnv(dlq, `${ce},${js}:json:${BID_TYPE}`));
    try {
      await reader.until((rs) => rs.length >= 4, 30_000, '4 dead letters');
      const facts = await factsAtLeast(srv.running.log, 'auction.bids', 3);
      expect(facts.map((f) => f.headers.ce_id).sort()).toEqual(['g-1', 'g-2', `kafka://${js}/0/1`].sort());

      const dead = new Map(reader.records.map((r) => [`${header(r, 'causewayerrortopic')}@${header(r, 'causewayerroroffset')}`, r]));
      expect(reader.records).toHaveLength(4);
      const expectDead = (topic: string, offset: number, code: string) => {
        const r = dead.get(`${topic}@${offset}`);
        expect(r, `dead letter for ${topic}@${offset}`).toBeDefined();
        expect({
          code: header(r!, 'causewayerrorcode'),
          partition: header(r!, 'causewayerrorpartition'),
          ingress: header(r!, 'causeway-ingress'),
        }).toEqual({
          code,
          partition: '0',
          ingress: `kafka://${topic}/0/${offset}`,
        });
        expect(header(r!, 'causewayerrormessage')!.length).toBeGreaterThan(0);
        return r!;
      };
      const r0 = expectDead(ce, 0, 'CW_MISSING_ATTRIBUTE');
      expect(r0.value!.equals(noType.value as Buffer)).toBe(true);
      expect(r0.key!.toString()).toBe(noType.key);
      expect(header(r0, 'ce_id')).toBe('bad-1');
      expect(r0.headers.ce_type).toBeUndefined();
      expect(header(expectDead(ce, 2, 'CW_SCHEMA_VIOLATION'), 'causewayerrormessage')).toMatch(/amount/);
      const r3 = expectDead(ce, 3, 'CW_DUPLICATE_ATTRIBUTE');
      expect(r3.headers.ce_id!.map((b) => b.toString())).toEqual(['d-1', 'd-2']); // original headers, repeats kept
      const rm = expectDead(js, 0, 'CW_MALFORMED_JSON');
      expect(rm.value!.equals(malformed)).toBe(true);
      expect(header(rm, 'note')).toBe('broken');

      const metrics = await (await fetch(`${srv.url}/metrics`)).text();
      expect(metrics).toContain(`causeway_ingress_dead_letters_total{topic="${ce}",code="CW_SCHEMA_VIOLATION"} 1`);
      expect(metrics).toContain(`causeway_ingress_dead_letters_total{topic="${js}",code="CW_MALFORMED_JSON"} 1`);
    } finally {
      await srv.close();
      await reader.stop();
    }
  });
});

describe('Kafka ingress: other logs and faults', () => {
  it('writes facts to the Kafka event log too', async () => {
    const suffix = unique('ki').slice(3);
    const schemas = copySchemasWithUniqueTopics(suffix);
    const topic = unique('raw.ce');
    await raw.createTopic(topic, 2);
    const body = JSON.stringify(bidData({ itemId: 'item-kl' }));
    await raw.produce(topic, [{ ...binaryBid('kl-1'), value: Buffer.from(body), partition: 1 }]);
    const srv = await startWithConfig({
      ...ingressEnv(unique('dlq'), topic),
      CAUSEWAY_EVENTLOG: 'kafka',
      CAUSEWAY_SCHEMAS_DIR: schemas.dir,
    });
    try {
      const facts = await factsAtLeast(srv.running.log, schemas.topics.get('auction.bids')!, 1, 30_000);
      expect(srv.running.log.kind).toBe('kafka');
      expect(facts.map((f) => [f.headers.ce_id, f.headers['causeway-ingress'], text(f.value)])).toEqual([
        ['kl-1', `kafka://${topic}/1/0`, body],
      ]);
    } finally {
      await srv.close();
      schemas.remove();
    }
  });

  it('a log that cannot confirm pauses only that partition and retries the record until stored; nothing skipped', async () => {
    const topic = unique('raw.ce');
    const group = unique('causeway.ingress.test');
    await raw.createTopic(topic, 2);
    const ids = (p: number) => Array.from({ length: 5 }, (_, i) => `r-${p}-${i}`);
    await raw.produce(topic, [
      ...ids(0).map((id) => ({ ...binaryBid(id), partition: 0 })),
      ...ids(1).map((id) => ({ ...binaryBid(id), partition: 1 })),
    ]);

    const dir = mkdtempSync(join(tmpdir(), 'causeway-ingress-retry-'));
    const log = await openEmbeddedLog({ dir, defaultPartitions: 3 });
    await log.ensureTopic('auction.bids');
    const registry = await loadRegistry(join(repoRoot, 'schemas'), { allowUnknownTypes: false, defaultTopic: 'causeway.events' });
    const svc = createAcceptService({
      log,
      registry,
      metrics: new Metrics({ defaultMetrics: false }),
      dedupe: new DedupeWindow(600_000, 100_000),
      defaultTopic: 'causeway.events',
      producer: { source: '/x', mintId: () => 'x', now: () => new Date() },
    });
    // Record 2 of partition 0 meets a log that cannot confirm for a while (a fault the real log cannot be made to show).
    let failUntil = 0;
    let failures = 0;
    let firstFailure!: () => void;
    const failing = new Promise<void>((r) => (firstFailure = r));
    const ingress = createKafkaIngress({
      brokers: kafkaBrokers(),
      clientId: 'causeway-test',
      group,
      topics: [topic],
      deadLetterTopic: unique('dlq'),
      concurrency: 2,
      sessionTimeoutMs: 6_000,
      createTopics: true,
      partitions: 1,
      replicationFactor: 1,
      backoff: { initialMs: 50, maxMs: 200 },
      decode: (r) => normalizeKafkaRecord(r, { mode: 'cloudevents' }),
      accept: async (ev, meta) => {
        if (meta.ingress === `kafka://${topic}/0/2`) {
          failUntil ||= Date.now() + 3_000;
          if (Date.now() < failUntil) {
            failures++;
            firstFailure();
            throw new CausewayError('CW_EVENTLOG_UNAVAILABLE', 'forced: the log cannot confirm');
          }
        }
        return svc.acceptEvent(ev, meta);
      },
    });
    try {
      await ingress.start();
      await failing;
      await eventually('partition 1 to flow past the paused partition 0', async () => {
        const facts = await allFacts(log, 'auction.bids');
        return ids(1).every((id) => byId(facts, id).length === 1) ? true : undefined;
      });
      expect(ingress.status().retrying).toEqual([`${topic}/0`]);
      await factsAtLeast(log, 'auction.bids', 10);
      await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up now
      const all = await allFacts(log, 'auction.bids');
      expect(all).toHaveLength(10); // records 3 and 4, accepted before the retry, were absorbed by the dedupe window
      for (const id of [...ids(0), ...ids(1)]) expect(byId(all, id), id).toHaveLength(1);
      expect(failures).toBeGreaterThanOrEqual(2);
      await eventually('the retry to clear', async () => (ingress.status().retrying.length === 0 ? true : undefined));
      expect(ingress.status().counts).toMatchObject({ deadLettered: 0 });
    } finally {
      await ingress.stop();
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const committed = await raw.committed(group, topic);
    expect([committed.get(0), committed.get(1)]).toEqual([5, 5]);
  });
});
