import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BID_TYPE, bidData, bidEvent, binaryHeaders } from '../support/events.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ CAUSEWAY_BODY_LIMIT: '131072' });
});
afterAll(async () => srv?.close());

const post = (path: string, body: string | Uint8Array, headers: Record<string, string>) =>
  fetch(`${srv.url}${path}`, { method: 'POST', body, headers });

async function factAt(topic: string, partition: number, offset: number) {
  const res = await fetch(`${srv.url}/admin/topics/${topic}/events?partition=${partition}&from=${offset}&limit=1`);
  const body = await json(res);
  expect(res.status).toBe(200);
  return body.events[0];
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const p = await json(res);
  expect({ status: res.status, code: p.code }).toEqual({ status, code });
  expect(p.status).toBe(status);
  expect(typeof p.detail).toBe('string');
  return p;
}

describe('POST /events — binary mode', () => {
  it('answers 202 with the position once durable, and stores the body bytes unchanged as the record value', async () => {
    const body = '{ "itemId":"item-7",  "bidId":"b1", "bidder":"bob", "amount": 120.50, "currency":"EUR" }';
    const res = await post('/events', body, binaryHeaders({ specversion: '1.0', id: 'bin-1', source: '/auction/web', type: BID_TYPE }));
    const ack = await json(res);
    expect(res.status).toBe(202);
    expect(ack).toMatchObject({ id: 'bin-1', source: '/auction/web', topic: 'auction.bids', duplicate: false });
    const fact = await factAt(ack.topic, ack.partition, ack.offset);
    expect(fact.offset).toBe(ack.offset);
    expect(fact.key).toBe('item-7'); // partitionKey /itemId from schemas/<type>/event.yaml
    expect(fact.headers).toMatchObject({
      ce_id: 'bin-1',
      ce_source: '/auction/web',
      ce_type: BID_TYPE,
      ce_specversion: '1.0',
      ce_authtype: 'unauthenticated',
      'content-type': 'application/json',
      'causeway-ingress': 'http',
    });
    expect(fact.headers['ce_traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(Date.parse(fact.headers['causeway-received'])).not.toBeNaN();
    expect(fact.event.data).toEqual(JSON.parse(body));
    expect(fact.event.data.amount).toBe(120.5);
  });

  it('percent-decodes ce- header values (HTTP-M8) before storing them as raw UTF-8 Kafka headers (KAFKA-M6)', async () => {
    const res = await post(
      '/events',
      JSON.stringify(bidData()),
      binaryHeaders({ specversion: '1.0', id: 'pct-1', source: '/auction/web', type: BID_TYPE, subject: 'caf%C3%A9%20au%20lait' }),
    );
    const ack = await json(res);
    expect(res.status).toBe(202);
    expect((await factAt(ack.topic, ack.partition, ack.offset)).headers.ce_subject).toBe('café au lait');
  });

  it('continues an inbound traceparent header and keeps an existing ce-traceparent (EXT-TRACE-M3)', async () => {
    const start = '00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01';
    const res = await post('/events', JSON.stringify(bidData()), {
      ...binaryHeaders({ specversion: '1.0', id: 'tp-1', source: '/auction/web', type: BID_TYPE, traceparent: start }),
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const ack = await json(res);
    const fact = await factAt(ack.topic, ack.partition, ack.offset);
    expect(fact.headers.ce_traceparent).toBe(start);
    expect(fact.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  });

  it('rejects a repeated ce-id header instead of merging it (CORE-M2)', async () => {
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${srv.url}/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': ['a', 'b'],
          'ce-source': '/s',
          'ce-type': BID_TYPE,
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(bidData()));
    });
    expect(status.status).toBe(400);
    expect(JSON.parse(status.body).code).toBe('CW_DUPLICATE_ATTRIBUTE');
  });

  it('rejects a missing required attribute with 400 CW_MISSING_ATTRIBUTE naming it', async () => {
    const res = await post('/events', JSON.stringify(bidData()), binaryHeaders({ specversion: '1.0', source: '/s', type: BID_TYPE }));
    const p = await expectProblem(res, 400, 'CW_MISSING_ATTRIBUTE');
    expect(p.errors.map((e: { path: string }) => e.path)).toContain('id');
  });
});

describe('POST /events — structured and batch modes', () => {
  it('structured: 202, and the stored value is the data member exactly as received (JSON-N4)', async () => {
    const ev = bidEvent({ id: 'st-1' });
    const raw = JSON.stringify(ev).replace('"data":{', '"data":  {');
    const res = await post('/events', raw, { 'content-type': 'application/cloudevents+json; charset=utf-8' });
    const ack = await json(res);
    expect(res.status).toBe(202);
    const fact = await factAt(ack.topic, ack.partition, ack.offset);
    expect(fact.event).toMatchObject({ id: 'st-1', type: BID_TYPE, data: ev.data });
    expect(fact.headers['content-type']).toBe('application/json');
  });

  it('batch: 202 with one position per event, in order', async () => {
    const evs = [bidEvent(), bidEvent(), bidEvent({}, bidData({ itemId: 'other' }))];
    const res = await post('/events', JSON.stringify(evs), { 'content-type': 'application/cloudevents-batch+json' });
    const acks = await json(res);
    expect(res.status).toBe(202);
    expect(acks.map((a: { id: string }) => a.id)).toEqual(evs.map((e) => e.id));
  });

  it('batch is all-or-nothing: one schema-violating member rejects it with its [i] path and stores nothing', async () => {
    const before = await json(await fetch(`${srv.url}/admin/topics`));
    const evs = [bidEvent(), bidEvent({}, bidData({ amount: -1 })), bidEvent({}, bidData({ currency: 'euro' }))];
    const res = await post('/events', JSON.stringify(evs), { 'content-type': 'application/cloudevents-batch+json' });
    const p = await expectProblem(res, 422, 'CW_SCHEMA_VIOLATION');
    const paths = p.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['[1]/data/amount', '[2]/data/currency']));
    expect(paths.some((x: string) => x.startsWith('[0]'))).toBe(false);
    expect(await json(await fetch(`${srv.url}/admin/topics`))).toEqual(before);
  });

  it('batch with an invalid CloudEvent member: 400 naming every bad member, nothing stored', async () => {
    const before = await json(await fetch(`${srv.url}/admin/topics`));
    const evs = [bidEvent(), bidEvent({ id: '' }), bidEvent({ time: 'lunchtime' })];
    const res = await post('/events', JSON.stringify(evs), { 'content-type': 'application/cloudevents-batch+json' });
    expect(res.status).toBe(400);
    const p = await json(res);
    const paths = p.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['[1]/id', '[2]/time']));
    expect(await json(await fetch(`${srv.url}/admin/topics`))).toEqual(before);
  });

  it('an empty batch is valid and stores nothing (JSON-M9)', async () => {
    const res = await post('/events', '[]', { 'content-type': 'application/cloudevents-batch+json' });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual([]);
  });
});

describe('POST /events/{type} — plain JSON, Causeway is the producer', () => {
  it('mints id (UUIDv7), source, time, recordedtime and datacontenttype', async () => {
    const res = await post(`/events/${BID_TYPE}`, JSON.stringify(bidData()), { 'content-type': 'application/json' });
    const ack = await json(res);
    expect(res.status).toBe(202);
    expect(ack.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(ack.source).toBe('/causeway/http');
    const fact = await factAt(ack.topic, ack.partition, ack.offset);
    expect(fact.event.time).toBe(fact.event.recordedtime);
    expect(fact.event.datacontenttype).toBe('application/json');
  });

  it('uses Idempotency-Key as id; a repeat inside the window answers the original position, stored once', async () => {
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'order-991' };
    const first = await json(await post(`/events/${BID_TYPE}`, JSON.stringify(bidData()), headers));
    const again = await post(`/events/${BID_TYPE}`, JSON.stringify(bidData()), headers);
    const second = await json(again);
    expect(again.status).toBe(202);
    expect(first).toMatchObject({ id: 'order-991', duplicate: false });
    expect(second).toEqual({ ...first, duplicate: true });
    const next = await fetch(`${srv.url}/admin/topics/${first.topic}/events?partition=${first.partition}&from=${first.offset}&limit=1000`);
    const ids = (await json(next)).events.map((e: { headers: Record<string, string> }) => e.headers.ce_id);
    expect(ids.filter((i: string) => i === 'order-991')).toHaveLength(1);
  });

  it('rejects a malformed JSON body with 400 CW_MALFORMED_JSON', async () => {
    await expectProblem(await post(`/events/${BID_TYPE}`, '{"itemId":', { 'content-type': 'application/json' }), 400, 'CW_MALFORMED_JSON');
  });
});

describe('rejections (application/problem+json)', () => {
  it('413 CW_BODY_TOO_LARGE above the body limit', async () => {
    const big = JSON.stringify(bidData({ bidder: 'x'.repeat(140_000) }));
    await expectProblem(await post(`/events/${BID_TYPE}`, big, { 'content-type': 'application/json' }), 413, 'CW_BODY_TOO_LARGE');
  });

  it('accepts a 64 KiB event (CORE-M26) when the schema allows it', async () => {
    const ev = bidEvent({ bigext: 'y'.repeat(65_000) });
    const res = await post('/events', JSON.stringify(ev), { 'content-type': 'application/cloudevents+json' });
    expect(res.status).toBe(202);
  });

  it('415 CW_UNSUPPORTED_MEDIA_TYPE for an event format we do not handle (HTTP-N1)', async () => {
    await expectProblem(await post('/events', 'xx', { 'content-type': 'application/cloudevents+avro' }), 415, 'CW_UNSUPPORTED_MEDIA_TYPE');
  });

  it('422 CW_SCHEMA_VIOLATION lists {path, message} under /data', async () => {
    const p = await expectProblem(
      await post('/events', JSON.stringify(bidEvent({}, bidData({ amount: 'lots' }))), { 'content-type': 'application/cloudevents+json' }),
      422,
      'CW_SCHEMA_VIOLATION',
    );
    expect(p.errors[0].path).toBe('/data/amount');
    expect(p.errors[0].message).toMatch(/number/);
  });

  it('422 CW_UNKNOWN_TYPE for a type without schemas', async () => {
    await expectProblem(
      await post('/events', JSON.stringify(bidEvent({ type: 'com.example.nope' })), { 'content-type': 'application/cloudevents+json' }),
      422,
      'CW_UNKNOWN_TYPE',
    );
  });

  it('422 CW_UNKNOWN_DATASCHEMA for a dataschema no schema has', async () => {
    const ev = bidEvent({ dataschema: 'https://schemas.example.com/nope.json' });
    await expectProblem(
      await post('/events', JSON.stringify(ev), { 'content-type': 'application/cloudevents+json' }),
      422,
      'CW_UNKNOWN_DATASCHEMA',
    );
  });

  it('404 problem for an unknown path', async () => {
    await expectProblem(await fetch(`${srv.url}/nope`), 404, 'CW_NOT_FOUND');
  });
});

describe('operational endpoints', () => {
  it('healthz and readyz', async () => {
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    const r = await fetch(`${srv.url}/readyz`);
    expect(r.status).toBe(200);
    expect(await json(r)).toMatchObject({ status: 'ready', eventlog: { kind: 'embedded', ok: true } });
  });

  it('metrics count accepted by type, rejected by code, the append latency histogram and the dedupe window', async () => {
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    // Earlier tests of this file stored events: the window holds their ids, none evicted.
    expect(Number(/^causeway_dedupe_ids (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^causeway_dedupe_evicted_total 0$/m);
    expect(text).toMatch(
      new RegExp(`causeway_events_accepted_total\\{type="${BID_TYPE.replaceAll('.', '\\.')}",ingress="http",duplicate="false"\\} \\d+`),
    );
    expect(text).toMatch(/causeway_events_rejected_total\{[^}]*code="CW_SCHEMA_VIOLATION"[^}]*\} \d+/);
    expect(text).toMatch(/causeway_eventlog_append_seconds_bucket\{le="0.005",log="embedded"\}/);
  });

  it('admin lists topics with partition offsets, and validates its query', async () => {
    const t = await json(await fetch(`${srv.url}/admin/topics`));
    const bids = t.topics.find((x: { name: string }) => x.name === 'auction.bids');
    expect(bids.partitions).toHaveLength(3);
    await expectProblem(await fetch(`${srv.url}/admin/topics/auction.bids/events?partition=99`), 400, 'CW_INVALID_REQUEST');
    await expectProblem(await fetch(`${srv.url}/admin/topics/auction.bids/events?limit=abc`), 400, 'CW_INVALID_REQUEST');
    await expectProblem(await fetch(`${srv.url}/admin/topics/nope/events`), 404, 'CW_NOT_FOUND');
  });
});
