/**
 * Issue 5 end to end through the running server: HTTP POST → fact → route file with `to:
 * eventbridge` → PutEvents (real SDK) → moto → the rule's SQS queue, read back field by field.
 * Real parts only: the in-process server (test/support/server.ts), moto (test/setup/global-moto.ts)
 * with this file's own bus, rule (event pattern) and queue. The SDK takes its credentials from the
 * environment (dummy values set in vitest.config.ts), as in production from its default chain.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { idempotencyKeyOf } from '../../src/core/index.js';
import { BID_TYPE, bidData } from '../support/events.js';
import { MOTO_REGION, MotoBus, motoEndpoint, type BusEvent } from '../support/moto.js';
import { factAt, postBid, route, routesReport, sleep, topicFacts, traceParts, waitFor, writeRules } from '../support/router-e2e.js';
import { startTestServer, type TestServer } from '../support/server.js';

const tag = randomBytes(4).toString('hex');
const ARN = `arn:aws:s3:::causeway-e2e-${tag}/lot-1`;

describe('router end to end: HTTP POST → fact → route → EventBridge (moto) → SQS', () => {
  let bus: MotoBus;
  let routesDir: string;
  let srv: TestServer;

  const at = (pred: (e: BusEvent) => boolean, what: string) => waitFor(async () => (await bus.events()).find(pred), what, 15_000);
  const idOf = (e: BusEvent): unknown => (e.detail as { id?: unknown }).id;

  beforeAll(async () => {
    // The rule only takes bids from /e2e-eb/…: anything else put on the bus never reaches the queue.
    bus = await MotoBus.create(motoEndpoint(), 'cw-e2e', { source: [{ prefix: '/e2e-eb/' }], 'detail-type': [BID_TYPE] });
    routesDir = mkdtempSync(join(tmpdir(), 'causeway-e2e-eb-routes-'));
    const eb = (extra: Record<string, unknown>) => ({
      eventbridge: { bus: bus.name, region: MOTO_REGION, endpoint: motoEndpoint(), ...extra },
    });
    const fast = { retry: 2, backoffDelay: '20ms', backoffMax: '50ms' };
    writeRules(
      routesDir,
      'eventbridge.yaml',
      YAML.stringify({
        routes: [
          route('eb-cloudevent', 'auction.bids', '/e2e-eb/ce', eb({ detail: 'cloudevent', resources: 'subject' }), fast),
          route('eb-data', 'auction.bids', '/e2e-eb/data', eb({ detail: 'data' }), fast),
          route('eb-filtered', 'auction.bids', '/elsewhere/eb', eb({ detail: 'cloudevent' }), fast),
          route('eb-oversize', 'auction.bids', '/e2e-eb/big', eb({ detail: 'cloudevent', maxEntryBytes: 400 }), fast),
        ],
      }),
    );
    srv = await startTestServer({ CAUSEWAY_ROUTES_DIR: routesDir });
  });

  afterAll(async () => {
    await srv?.close();
    await bus?.delete();
    if (routesDir) rmSync(routesDir, { recursive: true, force: true });
  });

  it('detail: cloudevent — the whole event, Resources from the ARN subject, and the hop lineage at the far end', async () => {
    const sent = await postBid(srv, {
      source: '/e2e-eb/ce',
      subject: ARN,
      data: bidData({ itemId: `ce-${tag}` }),
      ext: { region: 'eu-west' },
    });
    const e = await at((x) => idOf(x) === sent.id, 'the event at the SQS queue');
    expect(e).toMatchObject({ source: '/e2e-eb/ce', 'detail-type': BID_TYPE, resources: [ARN], region: MOTO_REGION });
    const detail = e.detail as Record<string, unknown>;
    expect(detail).toMatchObject({
      specversion: '1.0',
      id: sent.id,
      source: '/e2e-eb/ce',
      type: BID_TYPE,
      subject: ARN,
      region: 'eu-west',
      datacontenttype: 'application/json',
      data: JSON.parse(sent.body),
    });

    // Lineage (DESIGN §7): a new span in the fact's trace, where the fact is, which route, attempt and hop.
    const fact = await factAt(srv, sent.ack);
    const factTrace = traceParts(fact.headers.traceparent!);
    const hop = traceParts(String(detail['causewaytraceparent']));
    expect(hop.trace).toBe(factTrace.trace);
    expect(hop.span).not.toBe(factTrace.span);
    expect(detail).toMatchObject({
      causewayfact: `${sent.ack.topic}/${sent.ack.partition}/${sent.ack.offset}`,
      causewayroute: 'eb-cloudevent',
      causewayattempt: '1',
      causewayhops: '1',
      causewayidempotency: idempotencyKeyOf('/e2e-eb/ce', sent.id),
    });
    // The event's own traceparent attribute (the start of the trace) travels unchanged.
    expect(detail['traceparent']).toBe(fact.event!['traceparent']);
    expect(detail['traceparent']).not.toBe(detail['causewaytraceparent']);

    const status = (await routesReport(srv)).delivery.find((s: { id: string }) => s.id === 'eb-cloudevent');
    expect(status).toMatchObject({ state: 'running', delivered: 1 });
  });

  it('detail: data — Detail is the posted JSON data, Time the event time (whole seconds)', async () => {
    const data = bidData({ itemId: `data-${tag}`, amount: 321.5 });
    const sent = await postBid(srv, { source: '/e2e-eb/data', data, headers: { 'ce-time': '2026-05-06T07:08:09.123Z' } });
    const e = await at((x) => (x.detail as { itemId?: string }).itemId === `data-${tag}`, 'the data-mode event at the SQS queue');
    expect(e).toMatchObject({ source: '/e2e-eb/data', 'detail-type': BID_TYPE, time: '2026-05-06T07:08:09Z', resources: [] });
    expect(e.detail).toEqual(JSON.parse(sent.body));
  });

  it('an event the rule pattern does not match is put on the bus (delivered) but never reaches the queue', async () => {
    const sent = await postBid(srv, { source: '/elsewhere/eb', data: bidData({ itemId: `filtered-${tag}` }) });
    await waitFor(
      async () => (await routesReport(srv)).delivery.find((s: { id: string }) => s.id === 'eb-filtered')?.delivered === 1,
      'the PutEvents of the filtered event',
    );
    await sleep(300);
    expect((await bus.events()).some((x) => idOf(x) === sent.id)).toBe(false);
  });

  it('oversize: an event over the route’s maxEntryBytes goes to causeway.dlq.<route> with CW_TARGET_PAYLOAD_TOO_LARGE', async () => {
    const sent = await postBid(srv, { source: '/e2e-eb/big', data: bidData({ itemId: `big-${tag}` }) });
    const dlq = await waitFor(
      async () => (await topicFacts(srv, 'causeway.dlq.eb-oversize')).find((f) => f.headers.ce_id === sent.id),
      'the dead letter',
    );
    expect(dlq.headers).toMatchObject({
      causewayerrorcode: 'CW_TARGET_PAYLOAD_TOO_LARGE',
      causewayerrortarget: 'eventbridge',
      causewayerrorroute: 'eb-oversize',
      causewayerrortopic: sent.ack.topic,
      causewayerroroffset: String(sent.ack.offset),
    });
    expect(dlq.event).toMatchObject({ id: sent.id, source: '/e2e-eb/big', data: JSON.parse(sent.body) });
    expect((await bus.events()).some((x) => idOf(x) === sent.id)).toBe(false);
  });
});
