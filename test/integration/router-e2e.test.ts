/**
 * Issue 4 end to end through the running server: HTTP POST → fact → routes (routes/ files in a
 * temp dir) → real targets. Real parts only: the in-process server (test/support/server.ts), a
 * node:http webhook receiver (test/support/webhook-sink.ts), the shared Kafka broker read back by
 * an independent KafkaJS consumer. One server per event log; each route filters on its own
 * `source`, so the tests share the server without seeing each other's events.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { idempotencyKeyOf } from '../../src/core/index.js';
import { BID_TYPE, bidData } from '../support/events.js';
import { kafkaBrokers } from '../support/kafka.js';
import {
  bodyOf,
  factAt,
  idOf,
  metric,
  postBatch,
  postBid,
  route,
  routesReport,
  sleep,
  TopicReader,
  topicFacts,
  traceParts,
  waitFor,
  writeRules,
} from '../support/router-e2e.js';
import { copySchemasWithUniqueTopics, type SchemasCopy } from '../support/schemas-copy.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { header, receivedEvents, WebhookSink } from '../support/webhook-sink.js';

const tag = randomBytes(4).toString('hex');

/** The filters of the happy path: exact (above) + sql on attributes + pattern on data. */
const HAPPY_WHEN = [{ sql: "subject LIKE 'lot-%'" }, { pattern: { data: { amount: [{ numeric: ['>', 100] }] } } }];

/**
 * POST → fact → route → sink in binary mode, with attributes, data bytes and lineage intact, and
 * the events the filters refuse (one per filter) not delivered. Same test on both event logs.
 */
async function happyPath(srv: TestServer, sink: WebhookSink, routeId: string, source: string): Promise<void> {
  const itemId = `item-h-${tag}`;
  // Same key → same partition → read in this order: once the last one is delivered, the others were decided.
  const refused = [
    await postBid(srv, { source, subject: 'lot-1', data: bidData({ itemId, amount: 50 }) }), // pattern fails
    await postBid(srv, { source, subject: 'misc', data: bidData({ itemId, amount: 150 }) }), // sql fails
    await postBid(srv, { source: `${source}-other`, subject: 'lot-1', data: bidData({ itemId, amount: 150 }) }), // exact fails
  ];
  const sent = await postBid(srv, {
    source,
    subject: 'lot-%C3%A9%201', // "lot-é 1": percent-encoded on the way in and on the way out (HTTP-M7, HTTP-M8)
    data: bidData({ itemId, amount: 150.5, note: 'Euro € 😀' }),
    ext: { region: 'eu-west' },
  });
  const req = await waitFor(() => sink.requests.find((r) => idOf(r) === sent.id), `${routeId}: the matching event at the sink`);
  await sleep(300); // time for anything wrongly routed to show up too
  expect(sink.requests.map(idOf)).toEqual([sent.id]);
  expect(refused.map((r) => r.id)).not.toContain(idOf(req));

  // Binary mode (HTTP-M2): attributes as ce- headers, Content-Type is datacontenttype, body = data bytes.
  expect(req.method).toBe('POST');
  expect(header(req, 'content-type')).toBe('application/json');
  expect(header(req, 'ce-datacontenttype')).toBeUndefined();
  expect(req.body.toString('utf8')).toBe(sent.body);
  const [got] = receivedEvents(req);
  expect(got!.event.attributes).toMatchObject({
    specversion: '1.0',
    id: sent.id,
    source,
    type: BID_TYPE,
    subject: 'lot-é 1',
    region: 'eu-west',
    datacontenttype: 'application/json',
  });
  expect(Buffer.from(got!.event.data!).toString('utf8')).toBe(sent.body);

  // Lineage (DESIGN §7): a new span in the fact's trace, where the fact is, which route, attempt and hop.
  const fact = await factAt(srv, sent.ack);
  const factTp = traceParts(fact.headers.traceparent!);
  const tp = traceParts(header(req, 'traceparent')!);
  expect(tp.trace).toBe(factTp.trace);
  expect(tp.span).not.toBe(factTp.span);
  expect(header(req, 'causeway-fact')).toBe(`${sent.ack.topic}/${sent.ack.partition}/${sent.ack.offset}`);
  expect(header(req, 'causeway-route')).toBe(routeId);
  expect(header(req, 'causeway-attempt')).toBe('1');
  expect(header(req, 'causeway-hops')).toBe('1');
  expect(header(req, 'idempotency-key')).toBe(idempotencyKeyOf(source, sent.id));

  const status = (await routesReport(srv)).delivery.find((s: { id: string }) => s.id === routeId);
  expect(status).toMatchObject({ state: 'running', delivered: 1 });
  expect(status.skipped).toBeGreaterThanOrEqual(3);
}

describe('router end to end on the embedded log', () => {
  const sinks: Record<'happy' | 'ordered' | 'retry' | 'throttled' | 'reload', WebhookSink> = {} as never;
  const kafkaOut = `e2e.out.${tag}`;
  let routesDir: string;
  let srv: TestServer;

  beforeAll(async () => {
    for (const name of ['happy', 'ordered', 'retry', 'throttled', 'reload'] as const) sinks[name] = await WebhookSink.start();
    routesDir = mkdtempSync(join(tmpdir(), 'causeway-e2e-routes-'));
    const fast = { backoffDelay: '20ms', backoffMax: '50ms' };
    writeRules(
      routesDir,
      'main.yaml',
      YAML.stringify({
        routes: [
          route('happy', 'auction.bids', '/e2e/happy', { http: { url: sinks.happy.url('/happy'), mode: 'binary' } }, {}, HAPPY_WHEN),
          route('ordered', 'auction.bids', '/e2e/ordered', { http: { url: sinks.ordered.url(), mode: 'binary' } }, { concurrency: 16 }),
          route('retry', 'auction.bids', '/e2e/retry', { http: { url: sinks.retry.url() } }, { retry: 2, ...fast }),
          route('throttled', 'auction.bids', '/e2e/throttle', { http: { url: sinks.throttled.url() } }, { retry: 3, ...fast }),
          route('to-kafka', 'auction.bids', '/e2e/kafka', { kafka: { topic: kafkaOut, mode: 'binary' } }),
        ],
      }),
    );
    srv = await startTestServer({ CAUSEWAY_ROUTES_DIR: routesDir, CAUSEWAY_KAFKA_BROKERS: kafkaBrokers().join(',') });
  });

  afterAll(async () => {
    await srv?.close();
    for (const s of Object.values(sinks)) await s?.close();
    if (routesDir) rmSync(routesDir, { recursive: true, force: true });
  });

  it('HTTP POST → fact → route (exact + sql + pattern on data) → webhook in binary mode with lineage; refused events stay home', async () => {
    await happyPath(srv, sinks.happy, 'happy', '/e2e/happy');
  });

  it('ordering key: a slow key (1 s at the sink) does not hold the others, and each key stays in order', async () => {
    const slow = `slow-${tag}`;
    sinks.ordered.respond((r) => (bodyOf(r).itemId === slow ? { status: 200, delayMs: 1_000 } : { status: 200 }));
    const keys = Array.from({ length: 5 }, (_, k) => `key-${k}-${tag}`);
    const others = Array.from({ length: 20 }, (_, i) => ({
      source: '/e2e/ordered',
      data: bidData({ itemId: keys[i % 5], bidId: `o-${i}` }),
    }));
    await postBatch(srv, [
      { source: '/e2e/ordered', data: bidData({ itemId: slow, bidId: 'slow-0' }) },
      ...others,
      { source: '/e2e/ordered', data: bidData({ itemId: slow, bidId: 'slow-1' }) },
    ]);
    const reqs = await waitFor(() => (sinks.ordered.requests.length === 22 ? sinks.ordered.requests : undefined), 'all 22 deliveries');
    const slow0 = reqs.find((r) => bodyOf(r).bidId === 'slow-0')!;
    const slow1 = reqs.find((r) => bodyOf(r).bidId === 'slow-1')!;
    const answeredAt = slow0.at + 1_000;
    const other = reqs.filter((r) => bodyOf(r).itemId !== slow);
    // Every other key arrived while the slow one was still pending at the sink.
    expect(Math.max(...other.map((r) => r.at))).toBeLessThan(answeredAt);
    // The slow key's next event waited for the first one's answer.
    expect(slow1.at).toBeGreaterThanOrEqual(answeredAt);
    for (const k of keys) {
      const order = other.filter((r) => bodyOf(r).itemId === k).map((r) => Number(String(bodyOf(r).bidId).slice(2)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(order).toHaveLength(4);
    }
  });

  it('retries then success (503, 503, 200); retries exhausted → causeway.dlq.<route> with the whole event and causewayerror* headers', async () => {
    const tries = new Map<string, number>();
    sinks.retry.respond((r) => {
      const n = (tries.get(idOf(r)!) ?? 0) + 1;
      tries.set(idOf(r)!, n);
      const doomed = bodyOf(r).bidder === 'doomed';
      return doomed || n <= 2 ? { status: 503, body: 'down for maintenance' } : { status: 200 };
    });
    const flaky = await postBid(srv, { source: '/e2e/retry', data: bidData({ itemId: `flaky-${tag}` }) });
    const doomed = await postBid(srv, {
      source: '/e2e/retry',
      subject: 'lot-9',
      data: bidData({ itemId: `doomed-${tag}`, bidder: 'doomed' }),
    });

    const dlq = await waitFor(
      async () => (await topicFacts(srv, 'causeway.dlq.retry')).find((f) => f.headers.ce_id === doomed.id),
      'the dead letter',
    );
    const flakyReqs = sinks.retry.requests.filter((r) => idOf(r) === flaky.id);
    expect(flakyReqs.map((r) => header(r, 'causeway-attempt'))).toEqual(['1', '2', '3']);
    expect(new Set(flakyReqs.map((r) => header(r, 'idempotency-key')))).toEqual(new Set([idempotencyKeyOf('/e2e/retry', flaky.id)]));
    expect(new Set(flakyReqs.map((r) => traceParts(header(r, 'traceparent')!).trace)).size).toBe(1);
    expect(new Set(flakyReqs.map((r) => traceParts(header(r, 'traceparent')!).span)).size).toBe(3);
    expect(sinks.retry.requests.filter((r) => idOf(r) === doomed.id)).toHaveLength(3); // retry: 2 → 3 attempts

    // The whole original record: key, headers, value; then what went wrong, where.
    const original = await factAt(srv, doomed.ack);
    expect(dlq.key).toBe(`doomed-${tag}`);
    expect(dlq.headers).toMatchObject(original.headers);
    expect(dlq.event).toEqual(original.event);
    expect(dlq.event).toMatchObject({
      id: doomed.id,
      source: '/e2e/retry',
      type: BID_TYPE,
      subject: 'lot-9',
      data: JSON.parse(doomed.body),
    });
    expect(dlq.headers).toMatchObject({
      causewayerrorcode: 'CW_RETRIES_EXHAUSTED',
      causewayerrortarget: 'http',
      causewayerrorattempts: '3',
      causewayerrorroute: 'retry',
      causewayerrortopic: doomed.ack.topic,
      causewayerrorpartition: String(doomed.ack.partition),
      causewayerroroffset: String(doomed.ack.offset),
    });
    expect(dlq.headers.causewayerrormessage).toMatch(/CW_TARGET_UNAVAILABLE.*503/);
    expect(Date.parse(dlq.headers.causewayerrortime!)).not.toBeNaN();
    await waitFor(
      async () => (await routesReport(srv)).delivery.find((s: { id: string }) => s.id === 'retry')?.deadLettered === 1,
      'the DLQ count',
    );
  });

  it('429 with Retry-After: 1 is honoured: the next attempt comes at least 1 s later', async () => {
    let n = 0;
    sinks.throttled.respond(() => (++n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const sent = await postBid(srv, { source: '/e2e/throttle', data: bidData({ itemId: `throttle-${tag}` }) });
    const [first, second] = await waitFor(
      () => (sinks.throttled.requests.length >= 2 ? sinks.throttled.requests : undefined),
      'the second attempt',
    );
    expect([idOf(first!), idOf(second!)]).toEqual([sent.id, sent.id]);
    expect(header(second!, 'causeway-attempt')).toBe('2');
    // The sink records `at` before answering, so the gap is a lower bound of what the dispatcher waited.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
    await sleep(100);
    expect(sinks.throttled.requests).toHaveLength(2);
  });

  it('kafka target: a binary-mode record with ce_ headers, the data bytes and lineage, read by an independent consumer', async () => {
    const reader = new TopicReader(kafkaBrokers(), kafkaOut);
    try {
      const itemId = `kafka-${tag}`;
      const sent = await postBid(srv, {
        source: '/e2e/kafka',
        subject: 'lot-%C3%A9',
        data: bidData({ itemId }),
        ext: { region: 'eu-west' },
      });
      // The target creates the topic on its first send: subscribe once it exists.
      await waitFor(
        async () => (await routesReport(srv)).delivery.find((s: { id: string }) => s.id === 'to-kafka')?.delivered === 1,
        'the kafka delivery',
      );
      await reader.start();
      const rec = await waitFor(() => reader.records.find((r) => r.headers.ce_id === sent.id), 'the record at the independent consumer');
      expect(rec.key?.toString('utf8')).toBe(itemId); // key: keep (KAFKA-M10)
      expect(rec.value?.toString('utf8')).toBe(sent.body);
      // Binary mode: raw UTF-8 ce_ headers, no percent-encoding (KAFKA-M6); content-type for datacontenttype.
      expect(rec.headers).toMatchObject({
        ce_specversion: '1.0',
        ce_id: sent.id,
        ce_source: '/e2e/kafka',
        ce_type: BID_TYPE,
        ce_subject: 'lot-é',
        ce_region: 'eu-west',
        'content-type': 'application/json',
        'causeway-fact': `${sent.ack.topic}/${sent.ack.partition}/${sent.ack.offset}`,
        'causeway-route': 'to-kafka',
        'causeway-attempt': '1',
        'causeway-hops': '1',
        'idempotency-key': idempotencyKeyOf('/e2e/kafka', sent.id),
      });
      expect(rec.headers.ce_datacontenttype).toBeUndefined();
      const fact = await factAt(srv, sent.ack);
      expect(traceParts(rec.headers.traceparent!).trace).toBe(traceParts(fact.headers.traceparent!).trace);
      expect(traceParts(rec.headers.traceparent!).span).not.toBe(traceParts(fact.headers.traceparent!).span);
    } finally {
      await reader.stop();
    }
  });

  it('hot reload: a new file starts delivering without a restart; a bad file is refused (file:line), counted, and the old rules keep delivering', async () => {
    const rejected = 'causeway_route_reloads_total{result="rejected"}';
    writeRules(
      routesDir,
      'extra.yaml',
      YAML.stringify({ routes: [route('reloaded', 'auction.bids', '/e2e/reload', { http: { url: sinks.reload.url() } })] }),
    );
    await waitFor(async () => {
      const r = await routesReport(srv);
      return (
        r.routes.some((x: { id: string }) => x.id === 'reloaded') &&
        r.delivery.some((s: { id: string; state: string }) => s.id === 'reloaded' && s.state === 'running')
      );
    }, 'the new route in GET /admin/routes');
    const first = await postBid(srv, { source: '/e2e/reload', data: bidData({ itemId: `reload-${tag}` }) });
    await waitFor(() => sinks.reload.requests.find((r) => idOf(r) === first.id), 'delivery by the reloaded route');
    expect(header(sinks.reload.requests[0]!, 'causeway-route')).toBe('reloaded');

    const before = await metric(srv, rejected);
    const bad = [
      'routes:',
      '  - id: broken',
      '    from: [auction.bids]',
      '    to:',
      '      http: { url: "http://127.0.0.1:1/x" }',
      '    delivery:',
      '      backoffDelay: "20 ms"',
      '',
    ];
    writeRules(routesDir, 'bad.yaml', bad.join('\n'));
    const report = await waitFor(async () => {
      const r = await routesReport(srv);
      return r.lastError !== undefined ? r : undefined;
    }, 'the refused reload in GET /admin/routes');
    expect(report.lastError.message).toContain('bad.yaml:7 route broken delivery.backoffDelay');
    expect(report.lastError.errors).toEqual([expect.objectContaining({ line: 7, route: 'broken', field: 'delivery.backoffDelay' })]);
    expect(report.lastError.errors[0].file).toMatch(/bad\.yaml$/);
    expect(report.routes.map((r: { id: string }) => r.id).sort()).toEqual([
      'happy',
      'ordered',
      'reloaded',
      'retry',
      'throttled',
      'to-kafka',
    ]);
    expect(await metric(srv, rejected)).toBeGreaterThan(before);

    // The last good rules keep running: old and reloaded routes both still deliver.
    const second = await postBid(srv, { source: '/e2e/reload', data: bidData({ itemId: `reload-${tag}` }) });
    const happy = await postBid(srv, { source: '/e2e/happy', subject: 'lot-2', data: bidData({ itemId: `item-h2-${tag}` }) });
    await waitFor(() => sinks.reload.requests.find((r) => idOf(r) === second.id), 'the reloaded route after the refusal');
    await waitFor(() => sinks.happy.requests.find((r) => idOf(r) === happy.id), 'the original route after the refusal');

    rmSync(join(routesDir, 'bad.yaml'));
    await waitFor(async () => ((await routesReport(srv)).lastError === undefined ? true : undefined), 'the recovery');
    const third = await postBid(srv, { source: '/e2e/reload', data: bidData({ itemId: `reload-${tag}` }) });
    await waitFor(() => sinks.reload.requests.find((r) => idOf(r) === third.id), 'delivery after the recovery');
    // Nothing was delivered twice by the restarts around the reloads.
    expect(sinks.reload.requests.map(idOf)).toEqual([first.id, second.id, third.id]);
  });

  it('loop stop: an event that arrives with causeway-hops 8 (maxHops 8) is dead-lettered with CW_HOP_LIMIT, not delivered', async () => {
    const itemId = `loop-${tag}`;
    const looped = await postBid(srv, {
      source: '/e2e/happy',
      subject: 'lot-8',
      data: bidData({ itemId }),
      headers: { 'causeway-hops': '8' },
    });
    const lastHop = await postBid(srv, {
      source: '/e2e/happy',
      subject: 'lot-7',
      data: bidData({ itemId }),
      headers: { 'causeway-hops': '7' },
    });
    const dlq = await waitFor(
      async () => (await topicFacts(srv, 'causeway.dlq.happy')).find((f) => f.headers.ce_id === looped.id),
      'the hop-limit dead letter',
    );
    expect(dlq.headers).toMatchObject({
      causewayerrorcode: 'CW_HOP_LIMIT',
      causewayerrorroute: 'happy',
      causewayerrorattempts: '0',
      'causeway-hops': '8',
    });
    // One hop below the limit is still delivered, as hop 8; same key, so the looped one was decided first.
    const req = await waitFor(() => sinks.happy.requests.find((r) => idOf(r) === lastHop.id), 'the event one hop below the limit');
    expect(header(req, 'causeway-hops')).toBe('8');
    expect(sinks.happy.requests.some((r) => idOf(r) === looped.id)).toBe(false);
  });
});

describe('router end to end on the Kafka log', () => {
  let schemas: SchemasCopy;
  let routesDir: string;
  let sink: WebhookSink;
  let srv: TestServer;
  const routeId = `happy-${tag}`;

  beforeAll(async () => {
    schemas = copySchemasWithUniqueTopics(tag);
    sink = await WebhookSink.start();
    routesDir = mkdtempSync(join(tmpdir(), 'causeway-e2e-routes-'));
    const from = schemas.topics.get('auction.bids')!;
    writeRules(
      routesDir,
      'main.yaml',
      YAML.stringify({ routes: [route(routeId, from, '/e2e/happy', { http: { url: sink.url() } }, {}, HAPPY_WHEN)] }),
    );
    srv = await startTestServer({
      CAUSEWAY_EVENTLOG: 'kafka',
      CAUSEWAY_KAFKA_BROKERS: kafkaBrokers().join(','),
      CAUSEWAY_SCHEMAS_DIR: schemas.dir,
      CAUSEWAY_DEFAULT_TOPIC: `causeway.events.${tag}`,
      CAUSEWAY_ROUTES_DIR: routesDir,
    });
  });

  afterAll(async () => {
    await srv?.close();
    await sink?.close();
    schemas?.remove();
    if (routesDir) rmSync(routesDir, { recursive: true, force: true });
  });

  it('HTTP POST → fact in Kafka → route → webhook in binary mode with lineage; refused events stay home', async () => {
    await happyPath(srv, sink, routeId, '/e2e/happy');
  });
});
