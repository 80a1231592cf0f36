/**
 * The upstream CloudEvents conformance data (../shared/acceptance/conformance, Apache-2.0) run against the
 * running HTTP app, not just the codecs: every valid vector is accepted (202) and served back by the admin API
 * with the same attributes; every invalid one is refused with a problem+json CW_* answer and stores nothing.
 */
import { readFileSync } from 'node:fs';
import { CloudEvent, HTTP } from 'cloudevents';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentEncode } from '../../src/codec/index.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

const ACCEPTANCE = new URL('../../../shared/acceptance/conformance/', import.meta.url);
const read = (rel: string) => readFileSync(new URL(rel, ACCEPTANCE), 'utf8').replace(/^\uFEFF/, '');
const vectors = (file: string) => (JSON.parse(read(`format/json/${file}`)) as { tests: Array<Record<string, any>> }).tests;

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ CAUSEWAY_ALLOW_UNKNOWN_TYPES: 'true' });
});
afterAll(async () => srv?.close());

const post = (body: string | Uint8Array, headers: Record<string, string>) => fetch(`${srv.url}/events`, { method: 'POST', body, headers });

async function stored(ack: { topic: string; partition: number; offset: number }) {
  const page = await json(await fetch(`${srv.url}/admin/topics/${ack.topic}/events?partition=${ack.partition}&from=${ack.offset}&limit=1`));
  return page.events[0].event as Record<string, unknown>;
}

async function topicsSnapshot() {
  return json(await fetch(`${srv.url}/admin/topics`));
}

/** Attributes as canonical strings (CORE-N3), nulls dropped (JSON-M4), data members excluded. */
function attrs(ev: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ev)
      .filter(([k, v]) => v !== null && k !== 'data' && k !== 'data_base64')
      .map(([k, v]) => [k, String(v)]),
  );
}

/** What Causeway adds on the way in (DESIGN §7); compared separately. */
function withoutLineage(a: Record<string, string>): Record<string, string> {
  const { traceparent: _t, authtype: _a, ...rest } = a;
  return rest;
}

describe('JSON format vectors through POST /events (structured and batch)', () => {
  it.each(vectors('valid-events.json').map((t) => [t.id, t] as const))('valid event %s → 202, served back unchanged', async (_id, t) => {
    const res = await post(JSON.stringify({ ...t.event, id: `${t.event.id}-${t.id}` }), { 'content-type': 'application/cloudevents+json' });
    expect(res.status).toBe(202);
    const ack = await json(res);
    const back = await stored(ack);
    const sent = attrs({ ...t.event, id: `${t.event.id}-${t.id}` });
    const got = withoutLineage(attrs(back));
    const normalizeTime = (a: Record<string, string>) => (a.time ? { ...a, time: String(Date.parse(a.time)) } : a);
    // JSON-S2: a re-serialized event without datacontenttype carries application/json explicitly.
    const { datacontenttype: dct, ...rest } = got;
    expect(normalizeTime(rest)).toEqual(normalizeTime(Object.fromEntries(Object.entries(sent).filter(([k]) => k !== 'datacontenttype'))));
    if (sent.datacontenttype !== undefined) expect(dct).toBe(sent.datacontenttype);
    if ('data' in t.event && t.event.data !== null) expect(back.data ?? back.data_base64).toBeDefined();
  });

  it.each(vectors('invalid-events.json').map((t) => [t.id, t] as const))('invalid event %s → 400 problem, nothing stored', async (_id, t) => {
    const before = await topicsSnapshot();
    const res = await post(JSON.stringify(t.event), { 'content-type': 'application/cloudevents+json' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await json(res)).code).toMatch(/^CW_/);
    expect(await topicsSnapshot()).toEqual(before);
  });

  it.each(vectors('valid-batches.json').map((t) => [t.id, t] as const))('valid batch %s → 202 with one position per member', async (_id, t) => {
    const res = await post(JSON.stringify(t.batch), { 'content-type': 'application/cloudevents-batch+json' });
    expect(res.status).toBe(202);
    const acks = await json(res);
    expect(acks).toHaveLength(t.batch.length);
    acks.forEach((a: { id: string }, i: number) => expect(a.id).toBe(t.batch[i].id));
  });

  it.each(vectors('invalid-batches.json').map((t) => [t.id, t] as const))('invalid batch %s → 400, nothing stored', async (_id, t) => {
    const before = await topicsSnapshot();
    const res = await post(JSON.stringify(t.batch), { 'content-type': 'application/cloudevents-batch+json' });
    expect(res.status).toBe(400);
    expect((await json(res)).code).toMatch(/^CW_(INVALID_BATCH|MIXED_SPECVERSION|MISSING_ATTRIBUTE|INVALID_ATTRIBUTE|UNSUPPORTED_SPECVERSION)$/);
    expect(await topicsSnapshot()).toEqual(before);
  });
});

interface Doc {
  Mode?: string;
  ContextAttributes: Record<string, string> & { Extensions?: Record<string, string> };
  TransportExtensions?: Record<string, string>;
  Data: string;
}
const docs = ['yaml/v1.yaml', 'yaml/v1.0/v1_minimum.yaml'].flatMap((f) =>
  (yaml.loadAll(read(f), undefined, { schema: yaml.FAILSAFE_SCHEMA }) as Doc[]).map((d, i) => [`${f}#${i}`, d] as const),
);

describe('conformance YAML events over HTTP binary mode', () => {
  it.each(docs)('%s → 202, attributes and data bytes stored as sent', async (name, d) => {
    const { Extensions, ...core } = d.ContextAttributes;
    const attributes: Record<string, string> = { ...core, id: `${core.id}-${name}` };
    for (const [k, v] of Object.entries(Extensions ?? {})) attributes[k] = v.trim(); // like the upstream CLI
    const headers: Record<string, string> = { ...(d.TransportExtensions ?? {}) };
    for (const [k, v] of Object.entries(attributes)) {
      if (k === 'datacontenttype') headers['content-type'] = v;
      else headers[`ce-${k}`] = percentEncode(v);
    }
    const res = await post(d.Data, headers);
    expect(res.status).toBe(202);
    const ack = await json(res);
    const page = await json(await fetch(`${srv.url}/admin/topics/${ack.topic}/events?partition=${ack.partition}&from=${ack.offset}&limit=1`));
    const fact = page.events[0];
    for (const [k, v] of Object.entries(attributes)) {
      if (k === 'datacontenttype') expect(fact.headers['content-type']).toBe(v);
      else expect(fact.headers[`ce_${k}`]).toBe(v); // KAFKA-M6: raw UTF-8, not percent-encoded
    }
    for (const k of Object.keys(d.TransportExtensions ?? {})) expect(fact.headers[`ce_${k}`]).toBeUndefined(); // CORE-S7
  });
});

describe('interop with the official cloudevents SDK through the running app', () => {
  const sdkEvent = () =>
    new CloudEvent({
      id: `sdk-${Math.random().toString(36).slice(2)}`,
      source: '/sdk/test',
      type: 'com.example.sdk',
      subject: 'auctions/item-42', // ASCII: the JS SDK does not percent-encode (HTTP-N3), so non-ASCII values arrive as latin1 bytes (HTTP-N4)
      datacontenttype: 'application/json',
      data: { hello: 'world', n: 42 },
      extboolean: false,
      extnumber: 7,
    });

  it.each([
    ['binary', (e: CloudEvent<unknown>) => HTTP.binary(e)],
    ['structured', (e: CloudEvent<unknown>) => HTTP.structured(e)],
  ] as const)('an SDK %s-mode message is accepted unchanged, and what is served back parses in the SDK to the same event', async (_mode, encode) => {
    const ev = sdkEvent();
    const msg = encode(ev);
    const res = await post(msg.body as string, msg.headers as Record<string, string>);
    expect(res.status).toBe(202);
    const back = new CloudEvent(await stored(await json(res)) as any, false);
    for (const k of ['id', 'source', 'type', 'specversion', 'subject', 'datacontenttype', 'extnumber']) {
      expect(String((back as any)[k])).toBe(String((ev as any)[k]));
    }
    expect(String(back.extboolean)).toBe('false');
    expect(Date.parse(back.time!)).toBe(Date.parse(ev.time!));
    expect(back.data).toEqual({ hello: 'world', n: 42 });
  });
});
