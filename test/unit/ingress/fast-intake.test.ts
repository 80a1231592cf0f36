/**
 * fastIntakeServer answers POST /events on node:http, without Hono: every case here is sent to a
 * server with it and to one without it (the Hono route alone), and the answers must be the same.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CausewayError, type AcceptService, type HttpMessage, type TransportMeta } from '../../../src/core/index.js';
import { createHttpApp, fastIntakeServer, type HttpAppDeps } from '../../../src/ingress/http/index.js';

interface Seen {
  msg: HttpMessage;
  meta: TransportMeta;
}

function harness() {
  const seen: Seen[] = [];
  const rejected: string[] = [];
  const internal: string[] = [];
  const state = { accepting: true };
  const accept = {
    async acceptHttp(msg: HttpMessage, meta: TransportMeta) {
      seen.push({ msg, meta });
      const text = Buffer.from(msg.body).toString('utf8');
      if (text === 'invalid')
        throw new CausewayError('CW_SCHEMA_VIOLATION', 'data does not match', { errors: [{ path: '/data/x', message: 'bad' }] });
      if (text === 'down') throw new CausewayError('CW_EVENTLOG_UNAVAILABLE', 'log down');
      if (text === 'bug') throw new Error('boom');
      const mode = text.startsWith('[') ? ('batch' as const) : ('binary' as const);
      const one = { id: 'i', source: '/s', topic: 't', partition: 1, offset: 7, duplicate: false };
      return { mode, accepted: mode === 'batch' ? [one, { ...one, offset: 8, duplicate: true }] : [one] };
    },
    async acceptPlain() {
      return { id: 'p', source: '/s', topic: 't', partition: 0, offset: 1, duplicate: false };
    },
  } as unknown as AcceptService;
  const deps: HttpAppDeps = {
    accept,
    admin: {} as HttpAppDeps['admin'],
    bodyLimit: 64,
    retryAfterSeconds: 3,
    metricsText: async () => '',
    ready: async () => ({ ok: true, checks: {} }),
    onRejected: (code) => rejected.push(code),
    intake: true,
    onInternalError: (_e, where) => internal.push(where),
    accepting: () => state.accepting,
  };
  return { seen, rejected, internal, state, deps };
}

async function listen(deps: HttpAppDeps, fast: boolean): Promise<{ url: string; server: ServerType }> {
  const app = createHttpApp(deps);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', ...(fast ? { createServer: fastIntakeServer(deps) } : {}) }, () =>
      resolve(s),
    );
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function answer(url: string, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    retryAfter: res.headers.get('retry-after'),
    connection: res.headers.get('connection'),
    body: (await res.json()) as unknown,
  };
}

describe('fastIntakeServer', () => {
  const fast = harness();
  const hono = harness();
  let f: { url: string; server: ServerType };
  let h: { url: string; server: ServerType };
  beforeAll(async () => {
    f = await listen(fast.deps, true);
    h = await listen(hono.deps, false);
  });
  afterAll(async () => {
    for (const s of [f.server, h.server]) await new Promise((r) => s.close(r));
  });
  const both = async (path: string, body: string, headers?: Record<string, string>) => {
    const [a, b] = [await answer(f.url, path, body, headers), await answer(h.url, path, body, headers)];
    expect(a).toEqual(b);
    return a;
  };

  it('answers 202 with the positions, passing headers, body bytes and lineage inputs on', async () => {
    const a = await both('/events', '{"x":1}', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'ce-id': 'i' });
    expect(a).toMatchObject({ status: 202, type: 'application/json', body: { id: 'i', partition: 1, offset: 7, duplicate: false } });
    const s = fast.seen.at(-1)!;
    expect(Buffer.from(s.msg.body).toString()).toBe('{"x":1}');
    expect(s.msg.headers['ce-id']).toEqual(['i']);
    expect(s.meta).toMatchObject({
      ingress: 'http',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      authtype: 'unauthenticated',
    });
    const withoutHost = ({ msg, meta }: Seen) => ({ body: msg.body, meta, headers: { ...msg.headers, host: undefined } });
    expect(withoutHost(s)).toEqual(withoutHost(hono.seen.at(-1)!)); // the servers differ in port only
  });

  it('answers a batch with an array, also with a query string', async () => {
    const a = await both('/events?x=1', '[1]');
    expect(a.body).toEqual([
      { id: 'i', source: '/s', topic: 't', partition: 1, offset: 7, duplicate: false },
      { id: 'i', source: '/s', topic: 't', partition: 1, offset: 8, duplicate: true },
    ]);
  });

  it('answers errors as problem+json: 422 with items, 503 with Retry-After, 500 logged as internal', async () => {
    expect(await both('/events', 'invalid')).toMatchObject({
      status: 422,
      type: 'application/problem+json',
      body: { code: 'CW_SCHEMA_VIOLATION' },
    });
    expect(await both('/events', 'down')).toMatchObject({ status: 503, retryAfter: '3', body: { code: 'CW_EVENTLOG_UNAVAILABLE' } });
    expect(await both('/events', 'bug')).toMatchObject({ status: 500, body: { code: 'CW_INTERNAL' } });
    expect(fast.internal).toEqual(['POST /events']);
    expect(hono.internal).toEqual(fast.internal);
  });

  it('refuses a body over the limit with 413 and counts it', async () => {
    expect(await both('/events', 'x'.repeat(65))).toMatchObject({ status: 413, body: { code: 'CW_BODY_TOO_LARGE' } });
    expect(fast.rejected).toEqual(['CW_BODY_TOO_LARGE']);
    expect(hono.rejected).toEqual(fast.rejected);
  });

  it('leaves every other request to Hono', async () => {
    expect(await both('/events/com.example.t', '{}')).toMatchObject({ status: 202, body: { id: 'p' } });
    expect(await both('/events/', '{}')).toMatchObject({ status: 404 });
    const health = await fetch(`${f.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('while draining: 503 CW_SHUTTING_DOWN and the connection closes', async () => {
    fast.state.accepting = false;
    hono.state.accepting = false;
    expect(await both('/events', '{}')).toMatchObject({ status: 503, connection: 'close', body: { code: 'CW_SHUTTING_DOWN' } });
  });
});
