/**
 * HTTP → Kafka end to end (issue 3): Causeway runs in-process with CAUSEWAY_EVENTLOG=kafka against
 * the shared broker, every mode is posted over HTTP, and the records are read back by an
 * independent KafkaJS consumer (test/support/kafka-records.ts), byte for byte, against the Kafka
 * binding rules (KAFKA-M4..M7, KAFKA-M11) and the upstream conformance feature.
 *
 * Isolation: the schemas are a temp copy whose topics carry a unique suffix, and the default topic
 * is unique too, so the consumer reads topics only this file writes to.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKafka } from '../../src/codec/index.js';
import { partitionFor } from '../../src/eventlog/index.js';
import { readAcceptance } from '../unit/codec/support.js';
import { keyValueTable, readFeature, step } from '../unit/codec/feature.js';
import { BID_TYPE, ITEM_TYPE, bidData, binaryHeaders } from '../support/events.js';
import { kafkaBrokers } from '../support/kafka.js';
import { header, TopicReader, type RawRecord } from '../support/kafka-records.js';
import { copySchemasWithUniqueTopics, type SchemasCopy } from '../support/schemas-copy.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

const PARTITIONS = 4;
const suffix = randomBytes(4).toString('hex');
const DEFAULT_TOPIC = `causeway.events.${suffix}`;
const CONFORMANCE_TOPIC = `causeway.conformance.${suffix}`;
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

let schemas: SchemasCopy;
let srv: TestServer;
/** A second instance with the dedupe window off: the feature's three scenarios share one id. */
let conf: TestServer;
let reader: TopicReader;
let BIDS: string;
let ITEMS: string;

beforeAll(async () => {
  schemas = copySchemasWithUniqueTopics(suffix);
  BIDS = schemas.topics.get('auction.bids')!;
  ITEMS = schemas.topics.get('auction.items')!;
  const env = {
    CAUSEWAY_EVENTLOG: 'kafka',
    CAUSEWAY_KAFKA_BROKERS: kafkaBrokers().join(','),
    CAUSEWAY_SCHEMAS_DIR: schemas.dir,
    CAUSEWAY_PARTITIONS: String(PARTITIONS),
    CAUSEWAY_ALLOW_UNKNOWN_TYPES: 'true',
    // The accept path only: the repo's example routes would consume the shared broker's auction.* topics.
    CAUSEWAY_ROLE: 'accept',
  };
  srv = await startTestServer({ ...env, CAUSEWAY_DEFAULT_TOPIC: DEFAULT_TOPIC });
  conf = await startTestServer({ ...env, CAUSEWAY_DEFAULT_TOPIC: CONFORMANCE_TOPIC, CAUSEWAY_DEDUPE_WINDOW_MS: '0' });
  reader = await TopicReader.start(kafkaBrokers(), [BIDS, ITEMS, DEFAULT_TOPIC, CONFORMANCE_TOPIC]);
}, 120_000);

afterAll(async () => {
  await reader?.stop();
  await Promise.all([srv?.close(), conf?.close()]);
  schemas?.remove();
});

const post = (path: string, body: string | Uint8Array, headers: Record<string, string>, on = srv) =>
  fetch(`${on.url}${path}`, { method: 'POST', body, headers });

interface Ack {
  id: string;
  source: string;
  topic: string;
  partition: number;
  offset: number;
  duplicate: boolean;
}

async function accepted(res: Response): Promise<Ack> {
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(202);
  return body as Ack;
}

/** The one record of `id`, at the position Causeway acknowledged. */
async function recordOf(ack: Ack): Promise<RawRecord> {
  const r = await reader.one(ack.id);
  expect(reader.withId(ack.id), `records with ce_id ${ack.id}`).toHaveLength(1);
  expect({ topic: r.topic, partition: r.partition, offset: r.offset }).toEqual({
    topic: ack.topic,
    partition: ack.partition,
    offset: ack.offset,
  });
  return r;
}

interface Expected {
  /** Every CloudEvents attribute the producer gave, as canonical strings (datacontenttype included when given). */
  readonly attributes: Record<string, string>;
  /** The record value: the data bytes exactly, or null for an event without data. */
  readonly value: Buffer | null;
  /** The partition key; null when the event has none. */
  readonly key: string | null;
}

/**
 * The binary-mode rules every record Causeway writes must follow:
 * - KAFKA-M5: datacontenttype travels as `content-type`, never as `ce_datacontenttype`;
 * - KAFKA-M6: every other attribute is a `ce_<name>` header holding the raw UTF-8 value (no percent-encoding);
 * - KAFKA-M4/M7: the value is the data bytes unchanged, null when there is no data;
 * - KAFKA-M11: the key is the partition key; `ce_partitionkey` is there iff the event had one;
 * - the key decides the partition with Kafka's murmur2 partitioner;
 * - Causeway's stamps: `ce_authtype`, a `ce_traceparent`, and the lineage headers (DESIGN §7).
 */
function expectBinding(r: RawRecord, want: Expected): void {
  for (const [name, values] of Object.entries(r.headers)) expect(values, `header ${name} is repeated`).toHaveLength(1);
  const { datacontenttype, ...rest } = want.attributes;
  const ce: Record<string, string> = {};
  for (const name of Object.keys(r.headers)) if (name.startsWith('ce_')) ce[name.slice(3)] = header(r, name)!;
  expect(ce.datacontenttype).toBeUndefined();
  expect(header(r, 'content-type')).toBe(datacontenttype);
  const { traceparent, authtype, ...given } = ce;
  expect(given).toEqual(rest);
  expect(authtype).toBe('unauthenticated');
  expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  // Raw UTF-8 bytes, compared as bytes: a percent-encoded or Latin-1 value would differ here.
  for (const [name, value] of Object.entries(rest)) expect(r.headers[`ce_${name}`]![0]!.equals(utf8(value)), `ce_${name} bytes`).toBe(true);

  if (want.value === null) expect(r.value).toBeNull();
  else {
    expect(r.value).not.toBeNull();
    expect(r.value!.equals(want.value), `value bytes: ${r.value!.toString('utf8').slice(0, 80)}`).toBe(true);
  }
  if (want.key === null) expect(r.key).toBeNull();
  else {
    expect(r.key?.toString('utf8')).toBe(want.key);
    expect(r.partition).toBe(partitionFor(utf8(want.key), PARTITIONS));
  }
  expect(header(r, 'ce_partitionkey')).toBe(want.attributes.partitionkey);

  expect(header(r, 'causeway-ingress')).toBe('http');
  expect(Date.parse(header(r, 'causeway-received') ?? '')).not.toBeNaN();
  const hop = header(r, 'traceparent');
  expect(hop).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  expect(hop!.slice(3, 35), 'the hop span is in the event trace').toBe(traceparent!.slice(3, 35));
  const known = (n: string) => n.startsWith('ce_') || n === 'content-type' || n.startsWith('causeway-') || n === 'traceparent';
  expect(Object.keys(r.headers).filter((n) => !known(n))).toEqual([]);
}

describe('HTTP binary mode → Kafka', () => {
  it('keeps the body bytes as the value, percent-decodes ce- headers into raw UTF-8 ce_ headers, keys and partitions by the schema partition key', async () => {
    const id = randomUUID();
    const itemId = `item-${randomUUID()}`;
    const body = `{ "itemId":"${itemId}",  "bidId":"b1", "bidder":"bob", "amount": 120.50, "currency":"EUR" }\n`;
    const attrs = { specversion: '1.0', id, source: '/auction/web', type: BID_TYPE, subject: 'caf%C3%A9%20%E2%9C%93' };
    const ack = await accepted(await post('/events', body, binaryHeaders(attrs, 'application/json; charset=utf-8')));
    expect(ack).toMatchObject({ id, topic: BIDS, duplicate: false });
    expectBinding(await recordOf(ack), {
      attributes: { ...attrs, subject: 'café ✓', datacontenttype: 'application/json; charset=utf-8' },
      value: utf8(body),
      key: itemId,
    });
  });

  it('an event without data is a record with a null value and no content-type (KAFKA-M7)', async () => {
    const attrs = {
      specversion: '1.0',
      id: randomUUID(),
      source: '/test/ping',
      type: 'com.example.test.ping',
      time: '2024-05-01T10:00:00.123Z',
    };
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs)) h[`ce-${k}`] = v;
    const ack = await accepted(await post('/events', new Uint8Array(0), h));
    expect(ack.topic).toBe(DEFAULT_TOPIC);
    expectBinding(await recordOf(ack), { attributes: attrs, value: null, key: null });
  });
});

describe('HTTP structured mode → Kafka binary-mode records', () => {
  it('stores the data member exactly as received, the partitionkey as key and ce_partitionkey (KAFKA-M11)', async () => {
    const id = randomUUID();
    const pk = `pk-${randomUUID()}`;
    const data = `{"itemId" : "item-9", "bidId":"b2","bidder":"zoë","amount":7,"currency":"EUR"}`;
    const body = `{"specversion":"1.0","id":"${id}","source":"/auction/web","type":"${BID_TYPE}","subject":"naïve","datacontenttype":"application/json","partitionkey":"${pk}","data":  ${data}  }`;
    const ack = await accepted(await post('/events', body, { 'content-type': 'application/cloudevents+json; charset=utf-8' }));
    expect(ack.topic).toBe(BIDS);
    expectBinding(await recordOf(ack), {
      attributes: {
        specversion: '1.0',
        id,
        source: '/auction/web',
        type: BID_TYPE,
        subject: 'naïve',
        datacontenttype: 'application/json',
        partitionkey: pk,
      },
      value: utf8(data),
      key: pk,
    });
  });

  it('data_base64 becomes the decoded bytes as the value, unchanged (KAFKA-M4)', async () => {
    const bytes = Buffer.concat([Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x80]), randomBytes(300)]);
    const id = randomUUID();
    const ev = {
      specversion: '1.0',
      id,
      source: '/test/blob',
      type: 'com.example.test.blob',
      datacontenttype: 'application/octet-stream',
      data_base64: bytes.toString('base64'),
    };
    const ack = await accepted(await post('/events', JSON.stringify(ev), { 'content-type': 'application/cloudevents+json' }));
    expect(ack.topic).toBe(DEFAULT_TOPIC);
    const { data_base64: _b, ...attrs } = ev;
    expectBinding(await recordOf(ack), { attributes: attrs, value: bytes, key: null });
  });

  it('a structured event without data is a null value; no datacontenttype means no content-type header', async () => {
    const ev = { specversion: '1.0', id: randomUUID(), source: '/test/ping', type: 'com.example.test.ping', exnum: 42, exflag: true };
    const ack = await accepted(await post('/events', JSON.stringify(ev), { 'content-type': 'application/cloudevents+json' }));
    expectBinding(await recordOf(ack), {
      attributes: { specversion: '1.0', id: ev.id, source: '/test/ping', type: 'com.example.test.ping', exnum: '42', exflag: 'true' },
      value: null,
      key: null,
    });
  });

  it('a repeated source+id is answered from the dedupe window and stored once', async () => {
    const itemId = `item-${randomUUID()}`;
    const ev = {
      specversion: '1.0',
      id: randomUUID(),
      source: '/auction/web',
      type: BID_TYPE,
      datacontenttype: 'application/json',
      data: bidData({ itemId }),
    };
    const first = await accepted(await post('/events', JSON.stringify(ev), { 'content-type': 'application/cloudevents+json' }));
    const again = await accepted(await post('/events', JSON.stringify(ev), { 'content-type': 'application/cloudevents+json' }));
    expect(again).toEqual({ ...first, duplicate: true });
    // A later event with the same key lands after any copy in the same partition: once it is read, a copy would have been.
    const marker = await accepted(
      await post('/events', JSON.stringify({ ...ev, id: randomUUID() }), { 'content-type': 'application/cloudevents+json' }),
    );
    expect(marker.partition).toBe(first.partition);
    await reader.one(marker.id);
    expect(reader.withId(first.id)).toHaveLength(1);
  });
});

describe('HTTP batch mode → Kafka', () => {
  it('each member becomes its own record in its type topic, at the acknowledged positions, in order', async () => {
    const item = `item-${randomUUID()}`;
    const listed = {
      specversion: '1.0',
      id: randomUUID(),
      source: '/auction/sellers',
      type: ITEM_TYPE,
      datacontenttype: 'application/json',
      data: {
        itemId: item,
        sellerId: 's-1',
        title: 'Lamp',
        startingPrice: 10,
        currency: 'EUR',
        startsAt: '2024-05-01T10:00:00Z',
        endsAt: '2024-05-08T10:00:00Z',
      },
    };
    const bids = [1, 2, 3].map((n) => ({
      specversion: '1.0',
      id: randomUUID(),
      source: '/auction/web',
      type: BID_TYPE,
      datacontenttype: 'application/json',
      data: bidData({ itemId: item, amount: 10 + n }),
    }));
    const members = [listed, ...bids];
    const acks = (await json(
      await post('/events', JSON.stringify(members), { 'content-type': 'application/cloudevents-batch+json' }),
    )) as Ack[];
    expect(acks.map((a) => [a.id, a.topic])).toEqual(members.map((m) => [m.id, m.type === ITEM_TYPE ? ITEMS : BIDS]));
    // Same key → same partition, consecutive offsets in member order.
    expect(acks.slice(1).map((a) => a.offset)).toEqual([acks[1]!.offset, acks[1]!.offset + 1, acks[1]!.offset + 2]);
    for (const [i, m] of members.entries()) {
      const { data, ...attrs } = m;
      expectBinding(await recordOf(acks[i]!), {
        attributes: attrs as Record<string, string>,
        value: utf8(JSON.stringify(data)),
        key: item,
      });
    }
  });
});

describe('HTTP plain JSON (POST /events/{type}) → Kafka', () => {
  it('the minted event is a binary-mode record: the body bytes as value, Causeway as source, the Idempotency-Key as id', async () => {
    const itemId = `item-${randomUUID()}`;
    const body = `{"itemId":"${itemId}", "bidId":"b3", "bidder":"carol", "amount":99.9, "currency":"EUR"}`;
    const key = `order-${randomUUID()}`;
    const ack = await accepted(await post(`/events/${BID_TYPE}`, body, { 'content-type': 'application/json', 'idempotency-key': key }));
    expect(ack).toMatchObject({ id: key, source: '/causeway/http', topic: BIDS });
    const r = await recordOf(ack);
    const time = header(r, 'ce_time')!;
    expect(Date.parse(time)).not.toBeNaN();
    expectBinding(r, {
      attributes: {
        specversion: '1.0',
        id: key,
        source: '/causeway/http',
        type: BID_TYPE,
        time,
        recordedtime: time,
        datacontenttype: 'application/json',
      },
      value: utf8(body),
      key: itemId,
    });
  });
});

describe('conformance/features/kafka-protocol-binding.feature: what Causeway writes reads back as the feature expects', () => {
  const scenarios = readFeature(readAcceptance('features/kafka-protocol-binding.feature'));

  it('covers the three expanded scenarios', () => {
    expect(scenarios.map((s) => s.name)).toEqual([
      'Binary content mode',
      'Structured content mode (application/cloudevents+json)',
      'Structured content mode (application/cloudevents+json; charset=utf-8)',
    ]);
  });

  /**
   * The scenario's Kafka message is sent over HTTP in the matching mode (ce_x → ce-x, content-type
   * as is); the record Causeway writes is then decoded with decodeKafka. The three scenarios share
   * one id, so each request carries its own trace id and its record is found by it.
   */
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    const payload = step(s, 'a Kafka message with payload').docString ?? '';
    const kafkaHeaders = keyValueTable(step(s, 'Kafka headers').table);
    const http: Record<string, string> = {};
    for (const [k, v] of Object.entries(kafkaHeaders)) http[k.startsWith('ce_') ? `ce-${k.slice(3)}` : k] = v;
    const traceId = randomBytes(16).toString('hex');
    http.traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;

    const ack = await accepted(await post('/events', payload, http, conf));
    expect(ack.topic).toBe(CONFORMANCE_TOPIC);
    const inTrace = (r: RawRecord) => header(r, 'traceparent')?.slice(3, 35) === traceId;
    await reader.until((rs) => rs.some(inTrace), 20_000, `the record of trace ${traceId}`);
    const r = reader.records.find(inTrace)!;
    expect({ partition: r.partition, offset: r.offset }).toEqual({ partition: ack.partition, offset: ack.offset });

    const ev = decodeKafka(
      Object.entries(r.headers).map(([k, v]) => [k, new Uint8Array(v[0]!)] as [string, Uint8Array]),
      r.value,
      r.key,
    );
    const { traceparent, authtype, ...attributes } = ev.attributes;
    expect(attributes).toEqual(keyValueTable(step(s, 'the attributes are').table));
    expect(String(traceparent).slice(3, 35)).toBe(traceId);
    expect(authtype).toBe('unauthenticated');
    expect(JSON.parse(Buffer.from(ev.data ?? []).toString('utf8'))).toEqual(
      JSON.parse(step(s, 'the data is equal to the following JSON').docString ?? ''),
    );
  });
});
