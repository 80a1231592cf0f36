/**
 * The eventbridge target through the real AWS SDK → test/support/fault-proxy.ts → moto → SQS: the
 * Target contract (detail: cloudevent, so the far end can decode the whole event and its lineage
 * from the queue), then what is specific to EventBridge, field by field as the rule's SQS queue
 * received it. Every bus, rule and queue here is this file's own (unique names).
 *
 * Contract faults, mapped to EventBridge's real error shapes (AWS JSON 1.1 protocol):
 * throttle = 400 ThrottlingException "Rate exceeded" (EventBridge sends no Retry-After: the
 * target's throttleRetryAfterMs applies); unavailable = 500 InternalException (PutEvents' declared
 * server error); reject = a real moto error: the harness swaps in a target whose bus does not exist
 * (ResourceNotFoundException; real AWS accepts such entries silently, see docs/targets.md); slow =
 * the proxy never answers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeKafkaBinary, parseStructuredEvent } from '../../src/codec/index.js';
import type { Delivery, EventLog, LogRecord, Target } from '../../src/core/index.js';
import { createDispatcher, DLQ_HEADERS, type Dispatcher } from '../../src/deliver/index.js';
import { openEmbeddedLog } from '../../src/eventlog/index.js';
import { entryOutcome } from '../../src/targets/eventbridge/index.js';
import { eventbridgeTarget, type EventBridgeTargetConfig } from '../../src/targets/index.js';
import { targetContract, type TargetFault, type TargetHarness } from '../contract/target.contract.js';
import { readTopic } from '../contract/event-log-helpers.js';
import { variedBatch, type ReceivedEvent } from '../contract/target-helpers.js';
import { startFaultProxy, type FaultProxy, type FaultSpec, type ProxiedRequest } from '../support/fault-proxy.js';
import { MOTO_REGION, MotoBus, motoEndpoint, type BusEvent } from '../support/moto.js';
import { route } from '../unit/deliver/support.js';

const deps = { env: {}, kafkaBrokers: [] };
const AWS_JSON = { 'content-type': 'application/x-amz-json-1.1' };
const awsError = (status: number, type: string, message: string): FaultSpec => ({
  kind: 'respond',
  status,
  headers: { ...AWS_JSON, 'x-amzn-errortype': type },
  body: JSON.stringify({ __type: type, message }),
});
const isPutEvents = (req: { headers: Record<string, unknown> }): boolean => req.headers['x-amz-target'] === 'AWSEvents.PutEvents';
const putEventsCalls = (p: FaultProxy): ProxiedRequest[] => p.requests.filter(isPutEvents);
const entriesOf = (r: ProxiedRequest): Array<Record<string, unknown>> => JSON.parse(r.body!.toString('utf8')).Entries;

/** The hop lineage attribute names of `detail: cloudevent` → the header names of Delivery.lineage. */
/**
 * A PutEvents answer with 3 of 5 entries failed: entry 1 throttled, entry 2 refused with
 * `refusedCode`, entry 4 an internal failure (the retriable ones are 1 and 4).
 */
const partialPutEvents = (refusedCode: string, refusedMessage: string): FaultSpec => ({
  kind: 'respond',
  status: 200,
  headers: AWS_JSON,
  body: JSON.stringify({
    FailedEntryCount: 3,
    Entries: [
      { EventId: 'e-0' },
      { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
      { ErrorCode: refusedCode, ErrorMessage: refusedMessage },
      { EventId: 'e-3' },
      { ErrorCode: 'InternalFailure', ErrorMessage: 'internal' },
    ],
  }),
});

const LINEAGE_ATTRIBUTES: Record<string, string> = {
  causewaytraceparent: 'traceparent',
  causewayfact: 'causeway-fact',
  causewayroute: 'causeway-route',
  causewayattempt: 'causeway-attempt',
  causewayhops: 'causeway-hops',
};

/** A consumer's view of a `detail: cloudevent` event: the CloudEvent, its hop lineage, its idempotency key. */
function decodeCloudEvent(e: BusEvent): ReceivedEvent {
  const ev = parseStructuredEvent(Buffer.from(JSON.stringify(e.detail), 'utf8'));
  const attributes = { ...ev.attributes };
  const lineage: Record<string, string> = {};
  for (const [attr, header] of Object.entries(LINEAGE_ATTRIBUTES)) {
    if (attributes[attr] !== undefined) lineage[header] = String(attributes[attr]);
    delete attributes[attr];
  }
  const key = attributes['causewayidempotency'];
  delete attributes['causewayidempotency'];
  return { event: { attributes, data: ev.data }, lineage, idempotencyKey: key === undefined ? undefined : String(key) };
}

const CONTRACT_FAULTS: Record<Exclude<TargetFault, 'none' | 'reject'>, FaultSpec> = {
  throttle: awsError(400, 'ThrottlingException', 'Rate exceeded'),
  unavailable: awsError(500, 'InternalException', 'An internal error occurred'),
  slow: { kind: 'hang' },
};

targetContract('eventbridge (detail: cloudevent) via moto', {
  async create(): Promise<TargetHarness> {
    const bus = await MotoBus.create(motoEndpoint(), 'cw-contract', { source: [{ prefix: '/contract/' }] });
    const proxy = await startFaultProxy(motoEndpoint());
    const make = (name: string): Target =>
      eventbridgeTarget.create({ bus: name, region: MOTO_REGION, endpoint: proxy.url, detail: 'cloudevent' }, deps);
    const main = make(bus.name);
    let swapped: Target | undefined;
    return {
      get target() {
        return swapped ?? main;
      },
      received: async () => (await bus.events()).map(decodeCloudEvent),
      async fault(kind) {
        if (swapped !== undefined) await swapped.close();
        swapped = undefined;
        proxy.set(undefined);
        if (kind === 'reject') swapped = make(`missing-${randomBytes(4).toString('hex')}`);
        else if (kind !== 'none') proxy.set(CONTRACT_FAULTS[kind], { match: isPutEvents });
      },
      openConnections: async () => proxy.openConnections(),
      async close() {
        await swapped?.close();
        await main.close();
        await proxy.close();
        await bus.delete();
      },
    };
  },
});

const SOURCE = '/eb-it/orders';
const ARN = 'arn:aws:s3:::causeway-bucket/orders/42.json';

describe('eventbridge target', () => {
  let bus: MotoBus;
  let proxy: FaultProxy;
  const targets: Target[] = [];
  const make = (over: Partial<EventBridgeTargetConfig> = {}): Target => {
    const t = eventbridgeTarget.create({ bus: bus.name, region: MOTO_REGION, endpoint: proxy.url, ...over }, deps);
    targets.push(t);
    return t;
  };
  const send = (t: Target, batch: readonly Delivery[], ms = 10_000) => t.send(batch, AbortSignal.timeout(ms));
  const ids = (batch: readonly Delivery[]) => batch.map((d) => String(d.event.attributes['id']));
  /** Waits for these event ids (CloudEvents ids, so detail: cloudevent) at the queue. */
  const arrived = async (want: readonly string[]): Promise<Map<string, BusEvent>> => {
    let byId = new Map<string, BusEvent>();
    await vi.waitFor(
      async () => {
        byId = new Map((await bus.events()).map((e) => [String((e.detail as { id?: unknown }).id), e]));
        expect(want.filter((id) => !byId.has(id))).toEqual([]);
      },
      { timeout: 10_000, interval: 50 },
    );
    return byId;
  };
  const orders = (n: number, attrs: (i: number) => Record<string, string> = () => ({})) =>
    variedBatch(n, {
      data: () => ({ contentType: 'application/json', bytes: Buffer.from('{"order":42}') }),
      attributes: (i) => ({ source: SOURCE, ...attrs(i) }),
    });

  beforeAll(async () => {
    bus = await MotoBus.create(motoEndpoint(), 'cw-it', { source: [{ prefix: '/eb-it/' }] });
    proxy = await startFaultProxy(motoEndpoint(), { recordBodies: true });
  });
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((t) => t.close()));
    proxy.set(undefined);
    (proxy.requests as ProxiedRequest[]).length = 0;
  });
  afterAll(async () => {
    await proxy?.close();
    await bus?.delete();
  });

  describe('mapping (detail: data), field by field as the rule target received it', () => {
    it('Source, DetailType, Time, Resources from an ARN subject, Detail = the JSON data; EventBusName is the bus', async () => {
      const data = { orderId: 'o-1', total: 99.5, lines: [{ sku: 'é-1', qty: 2 }], note: 'Euro € 😀' };
      const [d] = variedBatch(1, {
        data: () => ({ contentType: 'application/json', bytes: Buffer.from(JSON.stringify(data)) }),
        attributes: () => ({ source: SOURCE, type: 'com.example.order.placed', subject: ARN, time: '2026-03-04T05:06:07.891Z' }),
      });
      expect((await send(make({ resources: 'subject' }), [d!])).items).toEqual([{ status: 'delivered' }]);
      const [e] = (await vi.waitFor(async () => {
        const got = (await bus.events()).filter((x) => x['detail-type'] === 'com.example.order.placed');
        expect(got).toHaveLength(1);
        return got;
      }))!;
      expect(e).toMatchObject({ source: SOURCE, 'detail-type': 'com.example.order.placed', resources: [ARN], region: MOTO_REGION });
      expect(e!.detail).toEqual(data);
      // EventBridge events carry whole seconds.
      expect(e!.time).toBe('2026-03-04T05:06:07Z');
      const [entry] = entriesOf(putEventsCalls(proxy)[0]!);
      expect(entry).toMatchObject({ EventBusName: bus.name, Source: SOURCE, DetailType: 'com.example.order.placed', Resources: [ARN] });
      expect(entry!['Detail']).toBe(JSON.stringify(data)); // the producer's bytes, verbatim
      expect(entry!['Time']).toBeCloseTo(Date.parse('2026-03-04T05:06:07.891Z') / 1000, 3);
    });

    it('Resources only for an ARN; an event without data gets an empty detail; a bus ARN works as the bus', async () => {
      const batch = variedBatch(2, {
        data: (i) => (i === 0 ? { contentType: 'application/json', bytes: Buffer.from('{"order":1}') } : undefined),
        attributes: (i) => ({ source: SOURCE, subject: i === 0 ? 'not-an-arn' : ARN }),
      });
      const out = await send(make({ resources: 'subject', bus: bus.arn }), batch);
      expect(out.items).toEqual([{ status: 'delivered' }, { status: 'delivered' }]);
      const entries = entriesOf(putEventsCalls(proxy)[0]!);
      expect(entries[0]!['Resources']).toBeUndefined();
      expect(entries.map((x) => x['EventBusName'])).toEqual([bus.arn, bus.arn]);
      expect(entries[1]).toMatchObject({ Resources: [ARN], Detail: '{}' });
      await vi.waitFor(async () =>
        expect((await bus.events()).some((e) => JSON.stringify(e.detail) === '{}' && e.resources[0] === ARN)).toBe(true),
      );
    });

    it('data that is not a JSON object is rejected before any call, with a reason that points to detail: cloudevent', async () => {
      const kinds = [
        { contentType: 'text/plain', bytes: Buffer.from('hello') },
        { contentType: 'application/octet-stream', bytes: Buffer.from([0xff, 0x00]) },
        { contentType: 'application/json', bytes: Buffer.from('[1,2,3]') },
        { contentType: 'application/json', bytes: Buffer.from('"just a string"') },
        { contentType: 'application/json', bytes: Buffer.from('{"truncated":') },
      ];
      const out = await send(make(), variedBatch(kinds.length, { data: (i) => kinds[i], attributes: () => ({ source: SOURCE }) }));
      for (const o of out.items) {
        expect(o).toMatchObject({ status: 'reject', code: 'CW_TARGET_REJECTED' });
        if (o.status === 'reject') expect(o.message).toContain('detail: cloudevent');
      }
      expect(putEventsCalls(proxy)).toEqual([]);
    });
  });

  it('detail: cloudevent — the whole event (data_base64 for bytes), the hop lineage as attributes, the event’s own traceparent untouched', async () => {
    const batch = variedBatch(3, { attributes: () => ({ source: SOURCE }) }); // JSON, text, bytes
    expect((await send(make({ detail: 'cloudevent' }), batch)).items.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const byId = await arrived(ids(batch));
    const bytes = byId.get(ids(batch)[2]!)!.detail as Record<string, unknown>;
    expect(bytes['data_base64']).toBe(Buffer.from(batch[2]!.event.data!).toString('base64'));
    for (const d of batch) {
      const e = byId.get(String(d.event.attributes['id']))!;
      expect(e).toMatchObject({ source: SOURCE, 'detail-type': d.event.attributes['type'] });
      const detail = e.detail as Record<string, unknown>;
      expect(detail['traceparent']).toBe(d.event.attributes['traceparent']);
      expect(detail['causewaytraceparent']).toBe(d.lineage['traceparent']);
      expect(detail['causewaytraceparent']).not.toBe(detail['traceparent']);
      expect(detail).toMatchObject({
        causewayfact: d.lineage['causeway-fact'],
        causewayroute: 'contract-route',
        causewayattempt: '1',
        causewayhops: '1',
      });
      expect(detail['causewayidempotency']).toBe(d.idempotencyKey);
    }
  });

  it('TraceHeader: the hop traceparent as an X-Ray trace header, on every entry', async () => {
    const batch = orders(3);
    batch[2] = { ...batch[2]!, lineage: { ...batch[2]!.lineage, traceparent: '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-00' } };
    await send(make(), batch);
    const entries = entriesOf(putEventsCalls(proxy)[0]!);
    batch.forEach((d, i) => {
      const [, trace, span, flags] = d.lineage['traceparent']!.split('-');
      expect(entries[i]!['TraceHeader']).toBe(
        `Root=1-${trace!.slice(0, 8)}-${trace!.slice(8)};Parent=${span};Sampled=${flags === '01' ? 1 : 0}`,
      );
    });
    expect(entries[2]!['TraceHeader']).toBe('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0');
  });

  it('the rule pattern filters: an event the rule does not match is accepted by PutEvents but never reaches the queue', async () => {
    const [kept, other] = variedBatch(2, { attributes: (i) => ({ source: i === 0 ? SOURCE : '/elsewhere/orders' }) });
    const out = await send(make({ detail: 'cloudevent' }), [kept!, other!]);
    expect(out.items).toEqual([{ status: 'delivered' }, { status: 'delivered' }]);
    await arrived([String(kept!.event.attributes['id'])]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await bus.events()).some((e) => (e.detail as { id?: string }).id === other!.event.attributes['id'])).toBe(false);
  });

  describe('chunking', () => {
    it('25 events in one batch → 3 PutEvents calls of 10, 10 and 5 entries, in batch order; all 25 arrive', async () => {
      const batch = orders(25);
      const t = make({ detail: 'cloudevent', maxBatchEvents: 100 });
      const out = await send(t, batch);
      expect(out.items.every((o) => o.status === 'delivered')).toBe(true);
      const calls = putEventsCalls(proxy);
      expect(calls.map((c) => entriesOf(c).length)).toEqual([10, 10, 5]);
      const sent = calls.flatMap((c) => entriesOf(c).map((e) => JSON.parse(String(e['Detail'])).id));
      expect(sent).toEqual(ids(batch));
      await arrived(ids(batch));
    });

    it('by request size: entries are grouped so no call exceeds maxRequestBytes', async () => {
      const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(3_000) }));
      const batch = variedBatch(6, {
        data: () => ({ contentType: 'application/json', bytes: big }),
        attributes: () => ({ source: SOURCE }),
      });
      const out = await send(make({ maxRequestBytes: 7_000, maxEntryBytes: 7_000 }), batch);
      expect(out.items.every((o) => o.status === 'delivered')).toBe(true);
      // Each entry is ~3,050 bytes as AWS counts it: two fit under 7,000, three do not.
      expect(putEventsCalls(proxy).map((c) => entriesOf(c).length)).toEqual([2, 2, 2]);
    });

    it('an entry over maxEntryBytes (as AWS counts it) is rejected CW_TARGET_PAYLOAD_TOO_LARGE and never sent; the rest go', async () => {
      // Base64 makes 3,000 bytes of data a ~4,000-byte Detail: the engine's estimate is under, the entry is over.
      const batch = orders(2);
      batch[1] = variedBatch(1, {
        data: () => ({ contentType: 'application/octet-stream', bytes: randomBytes(3_000) }),
        attributes: () => ({ source: SOURCE }),
      })[0]!;
      expect(batch[1]!.bytes).toBeLessThan(3_600);
      const out = await send(make({ detail: 'cloudevent', maxEntryBytes: 3_600 }), batch);
      expect(out.items[0]).toEqual({ status: 'delivered' });
      expect(out.items[1]).toMatchObject({ status: 'reject', code: 'CW_TARGET_PAYLOAD_TOO_LARGE' });
      expect(putEventsCalls(proxy).flatMap(entriesOf)).toHaveLength(1);
    });
  });

  describe('answers', () => {
    it('a partial failure is read entry by entry: only ThrottlingException / InternalFailure entries retry', async () => {
      const batch = orders(5);
      proxy.set(partialPutEvents('MalformedDetail', 'Detail is malformed.'), { match: isPutEvents, times: 1 });
      const out = await send(make({ throttleRetryAfterMs: 250 }), batch);
      expect(out.items[0]).toEqual({ status: 'delivered' });
      expect(out.items[1]).toMatchObject({ status: 'retry', code: 'CW_TARGET_THROTTLED', retryAfterMs: 250 });
      expect(out.items[2]).toMatchObject({
        status: 'reject',
        code: 'CW_TARGET_REJECTED',
        message: expect.stringContaining('MalformedDetail'),
      });
      expect(out.items[3]).toEqual({ status: 'delivered' });
      expect(out.items[4]).toMatchObject({
        status: 'retry',
        code: 'CW_TARGET_UNAVAILABLE',
        message: expect.stringContaining('InternalFailure'),
      });
    });

    it('moto reports per-entry errors as AWS does (HTTP 200, FailedEntryCount): classified entry by entry', async () => {
      // The target never sends such entries itself (it checks the data first), so they are sent here directly.
      const r = await bus.eb.send(
        new PutEventsCommand({
          Entries: [
            { Source: SOURCE, DetailType: 't', Detail: '{}', EventBusName: bus.name },
            { Source: SOURCE, DetailType: 't', Detail: 'not json', EventBusName: bus.name },
            { Source: SOURCE, DetailType: 't', EventBusName: bus.name },
          ],
        }),
      );
      expect(r.FailedEntryCount).toBe(2);
      expect(r.Entries!.map((e) => e.ErrorCode)).toEqual([undefined, 'MalformedDetail', 'InvalidArgument']);
      expect(r.Entries!.map((e) => entryOutcome(e, 1_000).status)).toEqual(['delivered', 'reject', 'reject']);
    });

    it.each([
      ['reset connection', { kind: 'reset' } as FaultSpec, 'retry', 'CW_TARGET_UNAVAILABLE'],
      ['503 ServiceUnavailable', awsError(503, 'ServiceUnavailableException', 'try later'), 'retry', 'CW_TARGET_UNAVAILABLE'],
      ['400 ThrottlingException', awsError(400, 'ThrottlingException', 'Rate exceeded'), 'retry', 'CW_TARGET_THROTTLED'],
      ['400 AccessDeniedException', awsError(400, 'AccessDeniedException', 'not allowed'), 'reject', 'CW_TARGET_REJECTED'],
    ])('whole request: %s → %s %s', async (_name, fault, status, code) => {
      proxy.set(fault, { match: isPutEvents });
      const out = await send(make(), orders(2));
      for (const o of out.items) expect(o).toMatchObject({ status, code });
    });

    it('a missing bus (real moto answer, 400 ResourceNotFoundException) rejects every entry with the error in the message', async () => {
      const out = await send(make({ bus: `missing-${randomBytes(3).toString('hex')}` }), orders(2));
      for (const o of out.items) {
        expect(o).toMatchObject({ status: 'reject', code: 'CW_TARGET_REJECTED' });
        if (o.status === 'reject') expect(o.message).toMatch(/ResourceNotFoundException.*does not exist/);
      }
    });

    it('a call refused as invalid as a whole is retried entry by entry, so only the guilty entry is dead-lettered', async () => {
      proxy.set(awsError(400, 'ValidationException', 'Total size of the entries in the request is over the limit.'), {
        match: isPutEvents,
        times: 1,
      });
      const batch = orders(3);
      const out = await send(make({ detail: 'cloudevent' }), batch);
      expect(out.items.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
      expect(putEventsCalls(proxy).map((c) => entriesOf(c).length)).toEqual([3, 1, 1, 1]);
      await arrived(ids(batch));
    });

    it('after a throttle nothing is sent until throttleRetryAfterMs has passed', async () => {
      const t = make({ throttleRetryAfterMs: 600 });
      proxy.set(awsError(400, 'ThrottlingException', 'Rate exceeded'), { match: isPutEvents, times: 1 });
      expect((await send(t, orders(1))).items[0]).toMatchObject({ code: 'CW_TARGET_THROTTLED', retryAfterMs: 600 });
      const held = await send(t, orders(2));
      for (const o of held.items) {
        expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_THROTTLED' });
        if (o.status === 'retry') expect(o.retryAfterMs).toBeLessThanOrEqual(600);
      }
      expect(putEventsCalls(proxy)).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 650));
      expect((await send(t, orders(2))).items.map((o) => o.status)).toEqual(['delivered', 'delivered']);
    });

    it('a retry in one call holds back later events of the same ordering key in later calls of the batch', async () => {
      // Calls of 2: [a0 b0] [a1 b1]; a0 fails with InternalFailure, so a1 is not sent, b1 is.
      const batch = orders(4, () => ({})).map((d, i) => ({ ...d, orderingKey: i % 2 === 0 ? 'a' : 'b' }));
      proxy.set(
        {
          kind: 'respond',
          status: 200,
          headers: AWS_JSON,
          body: JSON.stringify({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }, { EventId: 'x' }] }),
        },
        { match: isPutEvents, times: 1 },
      );
      const out = await send(make({ maxEntriesPerCall: 2, maxBatchEvents: 4 }), batch);
      expect(out.items.map((o) => o.status)).toEqual(['retry', 'delivered', 'retry', 'delivered']);
      expect(out.items[2]).toMatchObject({ message: expect.stringMatching(/same ordering key/) });
      const calls = putEventsCalls(proxy);
      expect(calls.map((c) => entriesOf(c).length)).toEqual([2, 1]);
    });
  });
});

/** The delivery engine (embedded log) driving the eventbridge target: what the engine does with the outcomes. */
describe('eventbridge target under the delivery engine', () => {
  let dir: string;
  let log: EventLog;
  let bus: MotoBus;
  let proxy: FaultProxy;
  const dispatchers: Dispatcher[] = [];
  const tag = randomBytes(4).toString('hex');
  const enc = new TextEncoder();

  const record = (id: string, data: string): LogRecord => {
    const ev = {
      attributes: { specversion: '1.0', id, source: SOURCE, type: 'com.example.order.placed', datacontenttype: 'application/json' },
      data: enc.encode(data),
    };
    const m = encodeKafkaBinary(ev, enc.encode(id));
    return {
      key: m.key,
      value: m.value,
      headers: { ...m.headers, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    };
  };

  async function run(name: string, config: Partial<EventBridgeTargetConfig>, records: LogRecord[]) {
    const topic = `eb.facts.${tag}.${name}`;
    const dlq = `eb.dlq.${tag}.${name}`;
    await log.ensureTopic(topic, 1);
    const target = eventbridgeTarget.create(
      { bus: bus.name, region: MOTO_REGION, endpoint: proxy.url, detail: 'cloudevent', ...config },
      deps,
    );
    const d = createDispatcher({ log, commitIntervalMs: 50, idleWaitMs: 200 });
    dispatchers.push(d);
    await d.start([
      route(target, {
        id: `eb-${name}`,
        from: [topic],
        targetKind: 'eventbridge',
        delivery: {
          deadLetterTopic: dlq,
          retry: 3,
          backoffDelayMs: 20,
          backoffMaxMs: 50,
          batch: { maxEvents: 10, maxBytes: 1e6, maxWaitMs: 20 },
        },
      }),
    ]);
    await log.append(topic, records);
    return { dlq, target, dispatcher: d };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-eb-engine-'));
    log = await openEmbeddedLog({ dir, defaultPartitions: 1 });
    bus = await MotoBus.create(motoEndpoint(), 'cw-engine', { source: [SOURCE] });
    proxy = await startFaultProxy(motoEndpoint(), { recordBodies: true });
  });
  afterAll(async () => {
    for (const d of dispatchers) await d.stop();
    await proxy?.close();
    await bus?.delete();
    await log?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('partial failure: the engine redelivers exactly the failed retriable entries; the refused one goes to the DLQ', async () => {
    const idsOf = ['p0', 'p1', 'p2', 'p3', 'p4'].map((x) => `${x}-${tag}`);
    proxy.set(partialPutEvents('AccessDeniedException', 'no'), { match: isPutEvents, times: 1 });
    const { dlq } = await run(
      'partial',
      { throttleRetryAfterMs: 100 },
      idsOf.map((id) => record(id, `{"id":"${id}"}`)),
    );
    // The injected answer means moto saw nothing of the first call: only the redelivered entries reach the queue.
    const got = await vi.waitFor(
      async () => {
        const ev = (await bus.events()).map((e) => (e.detail as { id: string }).id).filter((id) => idsOf.includes(id));
        expect(ev.sort()).toEqual([idsOf[1], idsOf[4]].sort());
        return ev;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(got).toHaveLength(2);
    const calls = putEventsCalls(proxy).map((c) => entriesOf(c).map((e) => JSON.parse(String(e['Detail'])) as Record<string, string>));
    expect(calls[0]!.map((e) => e['id'])).toEqual(idsOf);
    const again = calls.slice(1).flat();
    expect(again.map((e) => e['id']).sort()).toEqual([idsOf[1], idsOf[4]].sort());
    // Redeliveries (attempt 2, or 3 when attempt 2 fell in the throttle hold and was not sent).
    for (const e of again) expect(Number(e['causewayattempt'])).toBeGreaterThanOrEqual(2);
    const letters = await vi.waitFor(async () => {
      const l = await readTopic(log, dlq, 1);
      expect(l).toHaveLength(1);
      return l;
    });
    expect(letters[0]!.headers).toMatchObject({
      [DLQ_HEADERS.code]: 'CW_TARGET_REJECTED',
      [DLQ_HEADERS.target]: 'eventbridge',
      ce_id: idsOf[2],
    });
    expect(letters[0]!.headers[DLQ_HEADERS.message]).toContain('AccessDeniedException');
  });

  it('oversize: an event whose entry is over maxEntryBytes goes to the DLQ with CW_TARGET_PAYLOAD_TOO_LARGE; the others arrive', async () => {
    const small = `small-${tag}`;
    const huge = `huge-${tag}`;
    const { dlq } = await run('oversize', { maxEntryBytes: 4_096 }, [
      record(huge, JSON.stringify({ id: huge, pad: 'x'.repeat(5_000) })),
      record(small, JSON.stringify({ id: small })),
    ]);
    await vi.waitFor(async () => expect((await bus.events()).some((e) => (e.detail as { id: string }).id === small)).toBe(true), {
      timeout: 10_000,
    });
    const letters = await vi.waitFor(async () => {
      const l = await readTopic(log, dlq, 1);
      expect(l).toHaveLength(1);
      return l;
    });
    expect(letters[0]!.headers).toMatchObject({
      [DLQ_HEADERS.code]: 'CW_TARGET_PAYLOAD_TOO_LARGE',
      [DLQ_HEADERS.attempts]: expect.any(String),
      ce_id: huge,
    });
    expect((await bus.events()).some((e) => (e.detail as { id: string }).id === huge)).toBe(false);
  });
});
