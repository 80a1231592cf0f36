/**
 * The lambda target through the real SDK → fault proxy → Lambda emulator → a real Node handler
 * process (test/support/lambda/): the Target contract for each payload shape and invocation
 * type, then the payload shapes, the client context, function errors and partial batch
 * responses (limits, API errors and ordering: lambda-target-limits.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchOutcome, Delivery, Target } from '../../src/core/index.js';
import { lambdaTarget, type LambdaTargetConfig } from '../../src/targets/index.js';
import { targetContract, type TargetHarness } from '../contract/target.contract.js';
import { expectReceived, variedBatch } from '../contract/target-helpers.js';
import { HANDLERS } from '../support/lambda/emulator.js';
import { LAMBDA_FAULTS, lambdaTargets, startLambdaFarEnd } from '../support/lambda/far-end.js';
import type { KafkaEventJson } from '../support/lambda/records.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const deps = { env: {}, kafkaBrokers: [] };

function harness(config: Partial<LambdaTargetConfig>) {
  return {
    async create(): Promise<TargetHarness> {
      const far = await startLambdaFarEnd({ functionName: 'contract-fn' });
      const target: Target = lambdaTarget.create(
        { function: 'contract-fn', region: 'us-east-1', endpoint: far.proxy.url, ...config },
        deps,
      );
      const shape = config.payload ?? 'cloudevents';
      return {
        target,
        received: async () => far.received(shape),
        fault: (kind) => far.proxy.set(LAMBDA_FAULTS[kind]),
        openConnections: async () => far.proxy.openConnections(),
        close: async () => {
          await target.close();
          await far.close();
        },
      };
    },
  };
}

targetContract('lambda (sync, cloudevents)', harness({ invocation: 'sync', payload: 'cloudevents' }));
targetContract('lambda (sync, aws:kafka)', harness({ invocation: 'sync', payload: 'aws:kafka' }));
targetContract('lambda (async, cloudevents)', harness({ invocation: 'async', payload: 'cloudevents' }));

describe('lambda target', () => {
  const { setup, cleanup } = lambdaTargets();
  afterEach(cleanup);

  const send = (t: Target, batch: readonly Delivery[], ms = 20_000) => t.send(batch, AbortSignal.timeout(ms));
  const statuses = (o: BatchOutcome) => o.items.map((i) => i.status);

  describe('cloudevents payload', () => {
    it('a JSON array of structured events, data bytes spliced in verbatim, lineage and idempotency key as extension attributes', async () => {
      const { end, target } = await setup();
      const raw = '{"amount": 150.50,   "note":"Euro € 😀", "tags":[1, 2]}';
      const kinds = [
        { contentType: 'application/json', bytes: utf8(raw) },
        { contentType: 'text/plain; charset=utf-8', bytes: utf8('héllo\nworld') },
        { contentType: 'image/png', bytes: new Uint8Array([0, 255, 1, 128]) },
        undefined,
      ];
      const batch = variedBatch(4, { data: (i) => kinds[i] });
      expect(statuses(await send(target, batch))).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
      const [inv] = end.recorded();
      const text = inv!.payload.toString('utf8');
      expect(text).toContain(`"data":${raw}`); // JSON-N4: never re-serialized
      const doc = JSON.parse(text) as Array<Record<string, unknown>>;
      expect(doc).toHaveLength(4);
      batch.forEach((d, i) => {
        const { data: _d, ...attrs } = d.event.attributes as Record<string, unknown> & { data?: unknown };
        const expected: Record<string, unknown> = {
          ...attrs,
          causewaytraceparent: d.lineage['traceparent'],
          causewayfact: d.lineage['causeway-fact'],
          causewayroute: d.lineage['causeway-route'],
          causewayattempt: d.lineage['causeway-attempt'],
          causewayhops: d.lineage['causeway-hops'],
          causewayidempotency: d.idempotencyKey,
        };
        if (i === 0) expected['data'] = JSON.parse(raw);
        if (i === 1) expected['data'] = 'héllo\nworld';
        if (i === 2) expected['data_base64'] = 'AP8BgA==';
        expect(doc[i]).toEqual(expected);
        // The event's own traceparent (start of the trace) is kept; the hop's is beside it.
        expect(doc[i]!['traceparent']).toBe(d.event.attributes['traceparent']);
        expect(doc[i]!['traceparent']).not.toBe(d.lineage['traceparent']);
      });
      // Integer and Boolean extensions stay JSON numbers and booleans (JSON-M3).
      expect(typeof doc[1]!['seq']).toBe('number');
      expect(typeof doc[1]!['flag']).toBe('boolean');
    });

    it('the client context carries the first event’s lineage and the event count; the function sees it', async () => {
      const { end, target } = await setup();
      const batch = variedBatch(3, { route: 'bids-to-analytics', attempt: 2 });
      await send(target, batch);
      const [inv] = end.recorded();
      expect(inv!.clientContext).toEqual({
        custom: { ...batch[0]!.lineage, 'causeway-events': '3' },
      });
      expect(inv!.clientContext!.custom!['causeway-attempt']).toBe('2');
    });

    it('async (Event): delivered on 202, no client context (Lambda passes it to sync invocations only)', async () => {
      const { end, target } = await setup({ invocation: 'async' });
      const batch = variedBatch(2);
      expect(statuses(await send(target, batch))).toEqual(['delivered', 'delivered']);
      await end.emulator.idle();
      const [inv] = end.recorded();
      expect(inv!.clientContext).toBeNull();
      expect(end.emulator.invocations.map((i) => [i.type, i.status])).toEqual([['Event', 202]]);
      expect(end.emulator.invocations[0]!.clientContext).toBeUndefined();
    });
  });

  describe('aws:kafka payload', () => {
    /** Deliveries of facts in two topics and three partitions, one without a key, one a tombstone. */
    function facts(): Delivery[] {
      const base = variedBatch(5, { key: (i) => (i === 1 ? null : `item-${i}`) });
      const where = [
        ['auction.bids', 0, 41],
        ['auction.bids', 0, 42],
        ['auction.bids', 2, 7],
        ['auction.asks', 0, 5],
        ['auction.bids', 2, 8],
      ] as const;
      return base.map((d, i) => {
        const [topic, partition, offset] = where[i]!;
        const headers = {
          ...d.fact.headers,
          'causeway-ingress': 'http',
          'causeway-received': '2026-01-02T03:04:05.678Z',
          traceparent: '00-11111111111111111111111111111111-2222222222222222-01',
          'x-tenant': 'Zürich',
        };
        return { ...d, fact: { ...d.fact, topic, partition, offset, timestamp: 1_700_000_000_000 + i, headers } };
      });
    }

    it('the envelope of an MSK trigger: every record field is the fact; lineage replaces same-named headers; idempotency-key added', async () => {
      const arn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/auction/abcd1234-abcd-cafe-abab-9876543210ab-4';
      const { end, target } = await setup({
        payload: 'aws:kafka',
        kafka: { eventSourceArn: arn, bootstrapServers: ['b-1.auction:9092', 'b-2.auction:9092'] },
      });
      const batch = facts();
      expect(statuses(await send(target, batch))).toEqual(batch.map(() => 'delivered'));
      const [inv] = end.recorded();
      const doc = JSON.parse(inv!.payload.toString('utf8')) as KafkaEventJson;
      expect(Object.keys(doc)).toEqual(['eventSource', 'eventSourceArn', 'bootstrapServers', 'records']);
      expect(doc.eventSource).toBe('aws:kafka');
      expect(doc.eventSourceArn).toBe(arn);
      expect(doc.bootstrapServers).toBe('b-1.auction:9092,b-2.auction:9092');
      expect(Object.keys(doc.records)).toEqual(['auction.bids-0', 'auction.bids-2', 'auction.asks-0']);
      expect(doc.records['auction.bids-0']!.map((r) => r.offset)).toEqual([41, 42]);
      expect(doc.records['auction.bids-2']!.map((r) => r.offset)).toEqual([7, 8]);
      const all = Object.values(doc.records).flat();
      for (const d of batch) {
        const f = d.fact;
        const r = all.find((x) => x.topic === f.topic && x.partition === f.partition && x.offset === f.offset)!;
        const expected: Record<string, unknown> = {
          topic: f.topic,
          partition: f.partition,
          offset: f.offset,
          timestamp: f.timestamp,
          timestampType: 'CREATE_TIME',
        };
        if (f.key !== null) expected['key'] = Buffer.from(f.key).toString('base64');
        if (f.value !== null) expected['value'] = Buffer.from(f.value).toString('base64');
        const { headers, ...fields } = r;
        expect(fields).toEqual(expected);
        // Headers: the fact's in stored order (its ingress traceparent replaced), then this hop's lineage, then the key.
        const factHeaders = Object.entries(f.headers).filter(([n]) => n !== 'traceparent');
        const want = [...factHeaders, ...Object.entries(d.lineage), ['idempotency-key', d.idempotencyKey]];
        expect(headers).toEqual(want.map(([n, v]) => ({ [n as string]: [...Buffer.from(v as string, 'utf8')] })));
      }
      expect(all.find((r) => r.offset === 42)!.key).toBeUndefined(); // null key: no key field
      expect(all.find((r) => r.topic === 'auction.asks')!.value).toBeUndefined(); // no data: a tombstone
      // What an MSK function decodes is the event, with lineage.
      const got = end.received('aws:kafka');
      for (const d of batch)
        expectReceived(
          got.find((g) => g.event.attributes['id'] === d.event.attributes['id'])!,
          d,
        );
    });

    it('self-managed Kafka: eventSource SelfManagedKafka, no eventSourceArn, bootstrapServers from the deployment', async () => {
      const { end, target } = await setup({ payload: 'aws:kafka', kafka: { eventSource: 'SelfManagedKafka' } }, {}, ['k1:9092', 'k2:9093']);
      await send(target, facts().slice(0, 1));
      const doc = JSON.parse(end.recorded()[0]!.payload.toString('utf8')) as KafkaEventJson;
      expect(doc.eventSource).toBe('SelfManagedKafka');
      expect('eventSourceArn' in doc).toBe(false);
      expect(doc.bootstrapServers).toBe('k1:9092,k2:9093');
    });
  });

  describe('function errors and partial batch responses', () => {
    it('FunctionError: the whole invocation is retried with CW_TARGET_FUNCTION_ERROR and the function’s error in the message', async () => {
      const { end, target } = await setup({}, { handler: HANDLERS.throw });
      const out = await send(target, variedBatch(3));
      for (const o of out.items) {
        expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_FUNCTION_ERROR' });
        if (o.status === 'retry') expect(o.message).toBe('function error (Unhandled) BidRejectedError: cannot process 3 events');
      }
      expect(end.recorded()).toHaveLength(1);
    });

    it('batchItemFailures by CloudEvents id: exactly those events are retried, the rest delivered', async () => {
      const batch = variedBatch(6);
      const failing = [batch[1]!, batch[4]!].map((d) => String(d.event.attributes['id']));
      const { target } = await setup({}, { handler: HANDLERS.partial, env: { PARTIAL_FAIL_IDS: failing.join(',') } });
      const out = await send(target, batch);
      expect(statuses(out)).toEqual(['delivered', 'retry', 'delivered', 'delivered', 'retry', 'delivered']);
      expect(out.items[1]).toMatchObject({ code: 'CW_TARGET_FUNCTION_ERROR', message: expect.stringContaining('batchItemFailures') });
    });

    it('aws:kafka: Lambda’s Kafka identifier {partition: "<topic>-<partition>", offset} works too', async () => {
      const batch = variedBatch(4);
      const { end, target } = await setup(
        { payload: 'aws:kafka' },
        { handler: HANDLERS.partial, env: { PARTIAL_FAIL_IDS: String(batch[2]!.event.attributes['id']), PARTIAL_ID_STYLE: 'kafka' } },
      );
      expect(statuses(await send(target, batch))).toEqual(['delivered', 'delivered', 'retry', 'delivered']);
      expect(end.recorded()).toHaveLength(1);
    });

    it.each([
      ['an empty identifier', '{"batchItemFailures":[{"itemIdentifier":""}]}', 'retry'],
      ['a null identifier', '{"batchItemFailures":[{"itemIdentifier":null}]}', 'retry'],
      ['a bad key name', '{"batchItemFailures":[{"itemIdentifer":"x"}]}', 'retry'],
      ['an unknown identifier', '{"batchItemFailures":[{"itemIdentifier":"no-such-event"}]}', 'retry'],
      ['a list that is not a list', '{"batchItemFailures":"all"}', 'retry'],
      ['an empty list', '{"batchItemFailures":[]}', 'delivered'],
      ['a null list', '{"batchItemFailures":null}', 'delivered'],
      ['an empty response', '{}', 'delivered'],
    ])('%s: %s → every event %s', async (_what, response, status) => {
      const { target } = await setup({}, { handler: HANDLERS.partial, env: { PARTIAL_RESPONSE: response } });
      const out = await send(target, variedBatch(3));
      expect(statuses(out)).toEqual([status, status, status]);
      if (status === 'retry')
        expect(out.items[0]).toMatchObject({
          code: 'CW_TARGET_FUNCTION_ERROR',
          message: expect.stringMatching(/malformed batchItemFailures/),
        });
    });
  });
});
