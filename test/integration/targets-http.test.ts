/**
 * The http (webhook) target against a real local receiver (test/support/webhook-sink.ts): the
 * Target contract in binary and structured mode, then what is specific to webhooks.
 */
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isCausewayError, type Delivery, type Target } from '../../src/core/index.js';
import { httpTarget, type HttpTargetConfig } from '../../src/targets/index.js';
import { targetContract, type TargetFault, type TargetHarness } from '../contract/target.contract.js';
import { expectReceived, sleep, variedBatch } from '../contract/target-helpers.js';
import { closedPort } from '../support/listen-local.js';
import { WebhookSink, header, receivedEvents, type SinkAnswer } from '../support/webhook-sink.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const deps = (env: Record<string, string> = {}) => ({ env, kafkaBrokers: [] });

const FAULTS: Record<TargetFault, SinkAnswer> = {
  none: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
  unavailable: { status: 503, body: 'maintenance' },
  throttle: { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' },
  reject: { status: 400, headers: { 'content-type': 'application/problem+json' }, body: '{"title":"bad event"}' },
  slow: { status: 200, delayMs: 5_000 },
};

function harness(config: Omit<HttpTargetConfig, 'url'> = {}) {
  return {
    async create(): Promise<TargetHarness> {
      const sink = await WebhookSink.start();
      const target = httpTarget.create({ url: sink.url('/hook?tenant=t1'), ...config }, deps());
      return {
        target,
        received: async () => sink.events(),
        fault: (kind) => sink.respond(FAULTS[kind]),
        openConnections: async () => sink.openConnections,
        close: async () => {
          await target.close();
          await sink.close();
        },
      };
    },
  };
}

targetContract('http (binary)', harness());
targetContract('http (structured)', harness({ mode: 'structured' }));

describe('http target', () => {
  let sink: WebhookSink;
  const targets: Target[] = [];
  const make = (config: Omit<HttpTargetConfig, 'url'> = {}, env: Record<string, string> = {}, url?: string): Target => {
    const t = httpTarget.create({ url: url ?? sink.url('/hook'), ...config }, deps(env));
    targets.push(t);
    return t;
  };
  const send = (t: Target, batch: readonly Delivery[], ms = 10_000) => t.send(batch, AbortSignal.timeout(ms));

  beforeAll(async () => {
    sink = await WebhookSink.start();
  });
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((t) => t.close()));
    sink.requests.length = 0;
    sink.ok();
  });
  afterAll(async () => {
    await sink.close();
  });

  describe('binary mode (HTTP-M2..M7)', () => {
    it('POSTs to the URL with percent-encoded ce- headers, Content-Type = datacontenttype, never ce-datacontenttype', async () => {
      const [d] = variedBatch(1, { attributes: () => ({ subject: 'Euro € 😀', comment: 'line1\r\nline2 "q" 100%' }) });
      const t = make({}, {}, sink.url('/in/hook?a=1&b=two'));
      expect((await send(t, [d!])).items).toEqual([{ status: 'delivered' }]);
      const [r] = sink.requests;
      expect(r!.method).toBe('POST');
      expect(r!.url).toBe('/in/hook?a=1&b=two');
      expect(header(r!, 'ce-subject')).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80'); // HTTP-M9 vector
      expect(header(r!, 'ce-comment')).toBe('line1%0D%0Aline2%20%22q%22%20100%25');
      expect(header(r!, 'ce-seq')).toBe('0');
      expect(header(r!, 'ce-flag')).toBe('true');
      expect(header(r!, 'ce-datacontenttype')).toBeUndefined();
      expect(header(r!, 'content-type')).toBe('application/json');
      expect(r!.body.equals(Buffer.from(d!.event.data!))).toBe(true);
      // The CloudEvents traceparent attribute (start of the trace) and the hop's own header are distinct (DESIGN §7).
      expect(header(r!, 'ce-traceparent')).toBe(d!.event.attributes['traceparent']);
      expect(header(r!, 'traceparent')).toBe(d!.lineage['traceparent']);
      for (const k of ['causeway-fact', 'causeway-route', 'causeway-attempt', 'causeway-hops']) expect(header(r!, k)).toBe(d!.lineage[k]);
      expect(header(r!, 'idempotency-key')).toBe(d!.idempotencyKey);
      expect(header(r!, 'idempotency-key')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(header(r!, 'webhook-signature')).toBeUndefined();
    });

    it('an event without data goes structured: HOOK-M1 wants a body and a Content-Type', async () => {
      const d = variedBatch(4)[3]!;
      expect(d.event.data).toBeUndefined();
      expect((await send(make(), [d])).items).toEqual([{ status: 'delivered' }]);
      const [r] = sink.requests;
      expect(header(r!, 'content-type')).toBe('application/cloudevents+json; charset=utf-8');
      expect(r!.body.length).toBeGreaterThan(0);
      expectReceived(receivedEvents(r!)[0]!, d);
    });

    it('data of unknown type that is not JSON goes structured instead of inventing a Content-Type', async () => {
      const [d] = variedBatch(1, { data: () => ({ bytes: new Uint8Array([0xff, 0x00, 0x01]) }) });
      expect(d!.event.attributes['datacontenttype']).toBeUndefined();
      await send(make(), [d!]);
      const [r] = sink.requests;
      expect(header(r!, 'content-type')).toMatch(/^application\/cloudevents\+json/);
      expectReceived(receivedEvents(r!)[0]!, d!);
    });
  });

  it('structured mode: the JSON event is the body; no ce- headers', async () => {
    const batch = variedBatch(2);
    await send(make({ mode: 'structured' }), batch);
    expect(sink.requests).toHaveLength(2);
    for (const r of sink.requests) {
      expect(header(r, 'content-type')).toBe('application/cloudevents+json; charset=utf-8');
      expect(Object.keys(r.headers).filter((k) => k.startsWith('ce-'))).toEqual([]);
      expect(JSON.parse(r.body.toString('utf8'))).toHaveProperty('specversion', '1.0');
    }
  });

  describe('batch mode (HTTP-M13, HTTP-M14)', () => {
    it('sends the whole batch as one application/cloudevents-batch+json request with per-event lineage lists', async () => {
      const batch = variedBatch(5);
      const out = await send(make({ mode: 'batch' }), batch);
      expect(out.items).toEqual(batch.map(() => ({ status: 'delivered' })));
      expect(sink.requests).toHaveLength(1);
      const [r] = sink.requests;
      expect(header(r!, 'content-type')).toBe('application/cloudevents-batch+json; charset=utf-8');
      const got = receivedEvents(r!);
      expect(got).toHaveLength(5);
      // One traceparent per request (W3C): the first event's hop; every other lineage value per event.
      batch.forEach((d, i) => expectReceived(got[i]!, d, ['causeway-fact', 'causeway-route', 'causeway-attempt', 'causeway-hops']));
      expect(header(r!, 'traceparent')).toBe(batch[0]!.lineage['traceparent']);
      expect(header(r!, 'causeway-route')).toBe('contract-route'); // the same for all: sent once
      expect(header(r!, 'causeway-fact')!.split(',')).toHaveLength(5);
    });

    it('the answer applies to every event of the batch', async () => {
      sink.respond({ status: 500, body: 'boom' });
      const out = await send(make({ mode: 'batch' }), variedBatch(4));
      expect(out.items).toHaveLength(4);
      for (const o of out.items) expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_UNAVAILABLE' });
      expect(sink.requests).toHaveLength(1);
    });

    it('binary mode never batches (HTTP-M14): one request per event', async () => {
      await send(make(), variedBatch(5));
      expect(sink.requests).toHaveLength(5);
      for (const r of sink.requests) expect(header(r, 'content-type')).not.toMatch(/batch/);
    });

    it('limits: maxBatchEvents from the route config (HTTP-S2), batch bytes default to 1 MiB', () => {
      const t = make({ mode: 'batch', maxBatchEvents: 25 });
      expect(t.limits).toEqual({ maxBatchEvents: 25, maxBatchBytes: 1024 * 1024, maxEventBytes: 1024 * 1024 });
    });
  });

  it('static headers are sent; headers the target owns cannot be configured', async () => {
    await send(make({ headers: { Authorization: 'Bearer s3cret', 'X-Tenant': 'acme' } }), variedBatch(1));
    const [r] = sink.requests;
    expect(header(r!, 'authorization')).toBe('Bearer s3cret');
    expect(header(r!, 'x-tenant')).toBe('acme');
    for (const bad of ['Content-Type', 'ce-id', 'Webhook-Id', 'traceparent', 'causeway-route', 'Idempotency-Key', 'Host']) {
      expect(() => make({ headers: { [bad]: 'x' } })).toThrow(/set by the target/);
    }
  });

  describe('Standard Webhooks signing', () => {
    /** The receiver's side, written from the spec, not from src/: HMAC-SHA256 over "{id}.{timestamp}.{body}". */
    const verify = (secret: string, id: string, ts: string, body: Buffer, signatures: string): boolean => {
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      const expected = createHmac('sha256', key)
        .update(Buffer.concat([Buffer.from(`${id}.${ts}.`), body]))
        .digest('base64');
      return signatures.split(' ').some((s) => s === `v1,${expected}`);
    };

    it('signs every request: webhook-id = idempotency key, timestamp now, v1 HMAC-SHA256 over id.timestamp.body', async () => {
      const batch = variedBatch(3); // JSON, text and raw bytes: the body is signed as bytes
      await send(make({ signing: { secretEnv: 'HOOK_SECRET' } }, { HOOK_SECRET: SECRET }), batch);
      expect(sink.requests).toHaveLength(3);
      for (const r of sink.requests) {
        const id = header(r, 'webhook-id')!;
        const ts = header(r, 'webhook-timestamp')!;
        expect(id).toBe(header(r, 'idempotency-key'));
        expect(id).not.toContain('.');
        expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(5);
        expect(verify(SECRET, id, ts, r.body, header(r, 'webhook-signature')!)).toBe(true);
        expect(verify(OLD_SECRET, id, ts, r.body, header(r, 'webhook-signature')!)).toBe(false);
      }
      const ids = sink.requests.map((r) => header(r, 'webhook-id'));
      expect(ids.sort()).toEqual(batch.map((d) => d.idempotencyKey).sort());
    });

    it('the same event keeps its webhook-id on a retry', async () => {
      const [d] = variedBatch(1);
      const t = make({ signing: { secretEnv: 'S' } }, { S: SECRET });
      await send(t, [d!]);
      await send(t, [{ ...d!, lineage: { ...d!.lineage, 'causeway-attempt': '2' } }]);
      expect(sink.requests.map((r) => header(r, 'webhook-id'))).toEqual([d!.idempotencyKey, d!.idempotencyKey]);
      expect(sink.requests.map((r) => header(r, 'causeway-attempt'))).toEqual(['1', '2']);
    });

    it('several secrets (rotation): one signature each, both verify', async () => {
      await send(make({ signing: { secretEnv: 'S' } }, { S: `${SECRET} ${OLD_SECRET}` }), variedBatch(1));
      const [r] = sink.requests;
      const sigs = header(r!, 'webhook-signature')!;
      expect(sigs.split(' ')).toHaveLength(2);
      const verifies = (secret: string) => verify(secret, header(r!, 'webhook-id')!, header(r!, 'webhook-timestamp')!, r!.body, sigs);
      expect([verifies(SECRET), verifies(OLD_SECRET)]).toEqual([true, true]);
      expect(verifies(`whsec_${Buffer.alloc(32, 9).toString('base64')}`)).toBe(false);
    });

    it('batch mode signs the batch body under a batch id', async () => {
      await send(make({ mode: 'batch', signing: { secretEnv: 'S' } }, { S: SECRET }), variedBatch(3));
      const [r] = sink.requests;
      expect(header(r!, 'webhook-id')).toMatch(/^batch_[A-Za-z0-9_-]{43}$/);
      expect(verify(SECRET, header(r!, 'webhook-id')!, header(r!, 'webhook-timestamp')!, r!.body, header(r!, 'webhook-signature')!)).toBe(
        true,
      );
    });

    it('a missing or malformed secret fails create() with CW_ROUTE_INVALID, never echoing the secret', () => {
      const attempt = (env: Record<string, string>): string => {
        try {
          make({ signing: { secretEnv: 'S' } }, env);
        } catch (e) {
          expect(isCausewayError(e) && e.code).toBe('CW_ROUTE_INVALID');
          return (e as Error).message;
        }
        return expect.unreachable();
      };
      expect(attempt({})).toMatch(/S is not set/);
      expect(attempt({ S: 'whsec_dG9vLXNob3J0' })).not.toContain('dG9vLXNob3J0'); // 9 bytes: too short
      expect(attempt({ S: 'not-a-whsec-secret-at-all-but-long-enough' })).toMatch(/whsec_/);
    });
  });

  describe('answers', () => {
    const answer = async (a: SinkAnswer, t: Target = make()) => {
      sink.respond(a);
      return (await send(t, variedBatch(1))).items[0]!;
    };

    it.each([200, 201, 202, 204])('%i is delivered', async (status) => {
      expect(await answer({ status })).toEqual({ status: 'delivered' });
    });

    it.each([
      [400, 'CW_TARGET_REJECTED'],
      [401, 'CW_TARGET_REJECTED'],
      [403, 'CW_TARGET_REJECTED'],
      [404, 'CW_TARGET_REJECTED'],
      [415, 'CW_TARGET_REJECTED'],
      [422, 'CW_TARGET_REJECTED'],
      [413, 'CW_TARGET_PAYLOAD_TOO_LARGE'],
    ])('%i is rejected with %s, the status and the start of the body in the message', async (status, code) => {
      const o = await answer({ status, body: `{"detail":"nope ${status}"}` });
      expect(o).toMatchObject({ status: 'reject', code });
      if (o.status === 'reject') expect(o.message).toContain(`HTTP ${status}: {"detail":"nope ${status}"}`);
    });

    it.each([
      [408, 'CW_TARGET_TIMEOUT'],
      [429, 'CW_TARGET_THROTTLED'],
      [500, 'CW_TARGET_UNAVAILABLE'],
      [502, 'CW_TARGET_UNAVAILABLE'],
      [503, 'CW_TARGET_UNAVAILABLE'],
      [504, 'CW_TARGET_UNAVAILABLE'],
    ])('%i is retried with %s', async (status, code) => {
      expect(await answer({ status })).toMatchObject({ status: 'retry', code });
    });

    it('a redirect is not followed (HOOK-M2): rejected, and nothing reaches the Location', async () => {
      for (const status of [301, 302, 307, 308]) {
        sink.requests.length = 0;
        const o = await answer({ status, headers: { location: sink.url('/elsewhere') } });
        expect(o).toMatchObject({ status: 'reject', code: 'CW_TARGET_REJECTED' });
        expect(sink.requests.map((r) => r.url)).toEqual(['/hook']);
      }
    });

    it('410 Gone (HOOK-S1): rejected with CW_TARGET_GONE, the route is disabled, and later events are not sent', async () => {
      sink.respond((r) => (receivedEvents(r)[0]!.event.attributes['seq'] === '0' ? { status: 410, body: 'gone' } : { status: 200 }));
      const batch = variedBatch(4, { key: () => 'one-key' }); // one ordering chain: sent one by one
      const out = await send(make(), batch);
      expect(out.items[0]).toMatchObject({ status: 'reject', code: 'CW_TARGET_GONE' });
      for (const o of out.items.slice(1)) expect(o).toMatchObject({ status: 'retry' });
      expect(out.disableRoute?.reason).toMatch(/410/);
      expect(sink.requests).toHaveLength(1);
    });

    it('Retry-After in seconds and as an HTTP-date becomes retryAfterMs', async () => {
      const t1 = make();
      expect(await answer({ status: 429, headers: { 'retry-after': '3' } }, t1)).toMatchObject({
        code: 'CW_TARGET_THROTTLED',
        retryAfterMs: 3000,
      });
      const at = new Date(Date.now() + 8_000).toUTCString();
      const o = await answer({ status: 503, headers: { 'retry-after': at } }, make());
      expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_UNAVAILABLE' });
      if (o.status === 'retry') {
        expect(o.retryAfterMs).toBeGreaterThan(6_000);
        expect(o.retryAfterMs).toBeLessThanOrEqual(8_000);
      }
    });

    it('after 429 + Retry-After nothing more is sent to the target until then (HOOK-M6)', async () => {
      const t = make();
      await answer({ status: 429, headers: { 'retry-after': '1' } }, t);
      sink.ok();
      sink.requests.length = 0;
      const held = await send(t, variedBatch(2));
      for (const o of held.items) {
        expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_THROTTLED' });
        if (o.status === 'retry') expect(o.retryAfterMs).toBeLessThanOrEqual(1_000);
      }
      expect(sink.requests).toHaveLength(0);
      await sleep(1_050);
      expect((await send(t, variedBatch(2))).items.map((o) => o.status)).toEqual(['delivered', 'delivered']);
    });

    it('a long error body is cut short in the message', async () => {
      const o = await answer({ status: 400, body: 'x'.repeat(200_000) });
      expect(o.status).toBe('reject');
      if (o.status === 'reject') expect(o.message.length).toBeLessThan(400);
      expect(await answer({ status: 200 })).toEqual({ status: 'delivered' }); // the pool still works
    });

    it('connection refused is retriable CW_TARGET_UNAVAILABLE', async () => {
      const port = await closedPort();
      const o = (await send(make({}, {}, `http://127.0.0.1:${port}/hook`), variedBatch(1))).items[0];
      expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_UNAVAILABLE' });
    });
  });

  describe('per-item outcomes and ordering', () => {
    it('a partial failure fails only those events, outcomes in batch order', async () => {
      const failing = new Set(['1', '4']);
      sink.respond((r) => (failing.has(String(receivedEvents(r)[0]!.event.attributes['seq'])) ? { status: 500 } : { status: 204 }));
      const out = await send(make(), variedBatch(6));
      expect(out.items.map((o) => o.status)).toEqual(['delivered', 'retry', 'delivered', 'delivered', 'retry', 'delivered']);
    });

    it('events with the same key go one after another; after a retriable failure the rest of that key waits', async () => {
      let inFlight = 0;
      let most = 0;
      sink.respond((r) => {
        const seq = String(receivedEvents(r)[0]!.event.attributes['seq']);
        inFlight++;
        most = Math.max(most, inFlight);
        setTimeout(() => inFlight--, 30);
        return seq === '2' ? { status: 503, delayMs: 30 } : { status: 200, delayMs: 30 };
      });
      // Keys: a a a b b b (seq 0..5); seq 2 (key a) fails, so nothing after it of key a is sent.
      const batch = variedBatch(7, { key: (i) => (i < 3 || i === 6 ? 'a' : 'b') });
      const out = await send(make(), batch);
      expect(out.items.map((o) => o.status)).toEqual(['delivered', 'delivered', 'retry', 'delivered', 'delivered', 'delivered', 'retry']);
      expect(out.items[6]).toMatchObject({
        code: 'CW_TARGET_UNAVAILABLE',
        message: expect.stringMatching(/earlier event with the same ordering key/),
      });
      const order = (key: string) =>
        sink.requests
          .map((r) => String(receivedEvents(r)[0]!.event.attributes['seq']))
          .filter((s) => (key === 'a' ? ['0', '1', '2', '6'] : ['3', '4', '5']).includes(String(s)));
      expect(order('a')).toEqual(['0', '1', '2']);
      expect(order('b')).toEqual(['3', '4', '5']);
      expect(most).toBe(2); // two chains in parallel, never two of one chain
    });

    it('reports each item as soon as it is answered: a slow event holds up only its own key', async () => {
      sink.respond((r) => ({ status: 200, delayMs: receivedEvents(r)[0]!.event.attributes['seq'] === '0' ? 600 : 0 }));
      const started = Date.now();
      const when: number[] = [];
      const out = await make().send(variedBatch(3), AbortSignal.timeout(10_000), (i, o) => {
        expect(o).toEqual({ status: 'delivered' });
        when[i] = Date.now() - started;
      });
      expect(out.items.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
      expect(when[1]).toBeLessThan(300);
      expect(when[2]).toBeLessThan(300);
      expect(when[0]).toBeGreaterThanOrEqual(550);
    });

    it('events without a key are sent in parallel, up to `connections` at once', async () => {
      let inFlight = 0;
      let most = 0;
      sink.respond(() => {
        most = Math.max(most, ++inFlight);
        setTimeout(() => inFlight--, 50);
        return { status: 200, delayMs: 50 };
      });
      const out = await send(make({ connections: 4 }), variedBatch(12, { key: () => null }));
      expect(out.items.every((o) => o.status === 'delivered')).toBe(true);
      expect(most).toBe(4);
    });
  });

  it('keeps connections alive: 300 events over few sockets', async () => {
    const t = make({ connections: 8 });
    for (let i = 0; i < 6; i++) {
      const out = await send(t, variedBatch(50, { key: () => null }));
      expect(out.items.every((o) => o.status === 'delivered')).toBe(true);
    }
    expect(sink.requests).toHaveLength(300);
    expect(new Set(sink.requests.map((r) => r.socket)).size).toBeLessThanOrEqual(8);
  });
});
