/**
 * The lambda target's payload shapes and how a batch is split into invocations
 * (src/targets/lambda/payload-plan.ts, cloudevents-payload.ts, kafka-payload.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cloudEventsShape } from '../../../src/targets/lambda/cloudevents-payload.js';
import { lineageAttribute, withHopAttributes } from '../../../src/targets/hop-attributes.js';
import { kafkaRecordJson, kafkaShape } from '../../../src/targets/lambda/kafka-payload.js';
import { planInvocations, type EncodedItem, type PayloadShape } from '../../../src/targets/lambda/payload-plan.js';
import { delivery, variedBatch } from '../../contract/target-helpers.js';

const shapes: Array<[string, PayloadShape]> = [
  ['cloudevents', cloudEventsShape],
  [
    'aws:kafka (MSK)',
    kafkaShape({
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/x',
      bootstrapServers: 'b-1:9092',
    }),
  ],
  ['aws:kafka (self-managed)', kafkaShape({ eventSource: 'SelfManagedKafka' })],
];

/** A JSON string value of exactly `n` bytes (n ≥ 2), with some multi-byte characters. */
const jsonOf = (n: number, seed: number): Buffer => {
  const body = n >= 4 && seed % 2 === 0 ? `é${'x'.repeat(n - 4)}` : 'y'.repeat(n - 2);
  const b = Buffer.from(JSON.stringify(body));
  expect(b.length).toBe(n);
  return b;
};

const itemsArb = fc.array(
  fc.record({ size: fc.integer({ min: 2, max: 400 }), group: fc.constantFrom('t-0', 't-1', 'other.topic-12', 'ü-3'), skip: fc.boolean() }),
  { maxLength: 40 },
);

describe('planInvocations', () => {
  for (const [name, shape] of shapes) {
    it(`${name}: every invocation is within the limit, its size exact, order kept, nothing lost, splits only when needed`, () => {
      fc.assert(
        fc.property(itemsArb, fc.integer({ min: 60, max: 2_000 }), (specs, limit) => {
          const items: Array<EncodedItem | undefined> = specs.map((s, i) =>
            s.skip && i % 3 === 0 ? undefined : { json: jsonOf(s.size, i), group: s.group },
          );
          const plan = planInvocations(items, shape, limit);
          const alone = (i: number): number => shape.assemble([items[i]!]).length;
          // Oversize: exactly the items that cannot fit even alone.
          const present = items.flatMap((it, i) => (it === undefined ? [] : [i]));
          expect(plan.oversize).toEqual(present.filter((i) => alone(i) > limit));
          // Chunks: every other item once, in order.
          expect(plan.chunks.flat()).toEqual(present.filter((i) => alone(i) <= limit));
          plan.chunks.forEach((chunk, k) => {
            const payload = shape.assemble(chunk.map((i) => items[i]!));
            const sizer = shape.sizer();
            for (const i of chunk) sizer.add(items[i]!);
            expect(payload.length).toBe(sizer.size);
            expect(payload.length).toBeLessThanOrEqual(limit);
            JSON.parse(payload.toString('utf8')); // well-formed
            // Greedy: the next chunk's first item did not fit in this one.
            const next = plan.chunks[k + 1];
            if (next !== undefined) expect(sizer.sizeWith(items[next[0]!]!)).toBeGreaterThan(limit);
          });
        }),
        { numRuns: 300 },
      );
    });
  }

  it('aws:kafka: records are grouped by topic-partition in order of first appearance, batch order within a group', () => {
    const shape = kafkaShape({ eventSource: 'aws:kafka' });
    const items = ['a-0', 'b-1', 'a-0', 'c-2', 'b-1'].map((group, i) => ({ json: Buffer.from(String(i)), group }));
    expect(shape.assemble(items).toString()).toBe('{"eventSource":"aws:kafka","records":{"a-0":[0,2],"b-1":[1,4],"c-2":[3]}}');
  });

  it('cloudevents: a JSON array of the members', () => {
    const items = ['{"a":1}', '{"b":2}'].map((j) => ({ json: Buffer.from(j), group: '' }));
    expect(cloudEventsShape.assemble(items).toString()).toBe('[{"a":1},{"b":2}]');
  });
});

describe('cloudevents payload', () => {
  it('lineage header → extension attribute names (CORE-M15: lower-case letters and digits)', () => {
    expect(['traceparent', 'causeway-fact', 'causeway-route', 'causeway-attempt', 'causeway-hops'].map(lineageAttribute)).toEqual([
      'causewaytraceparent',
      'causewayfact',
      'causewayroute',
      'causewayattempt',
      'causewayhops',
    ]);
  });

  it('adds the hop lineage and idempotency key, keeps the event’s own traceparent, and overrides same-named attributes', () => {
    const [d] = variedBatch(1, { attributes: () => ({ causewayroute: 'forged', causewayidempotency: 'forged' }) });
    const attrs = withHopAttributes(d!);
    expect(attrs['traceparent']).toBe(d!.event.attributes['traceparent']);
    expect(attrs['causewaytraceparent']).toBe(d!.lineage['traceparent']);
    expect(attrs['causewayroute']).toBe('contract-route');
    expect(attrs['causewayidempotency']).toBe(d!.idempotencyKey);
    expect(d!.event.attributes['causewayroute']).toBe('forged'); // the delivery itself is not changed
  });
});

describe('aws:kafka record', () => {
  it('is the fact with base64 key and value and headers as UTF-8 byte arrays, fields in AWS’s order', () => {
    const d = delivery(
      {
        attributes: { specversion: '1.0', id: 'e1', source: '/s', type: 't', datacontenttype: 'application/json' },
        data: new TextEncoder().encode('{"a":1}'),
      },
      0,
      { key: () => 'k€' },
    );
    const fact = {
      ...d.fact,
      topic: 'bids',
      partition: 3,
      offset: 77,
      timestamp: 1_700_000_000_123,
      headers: { ...d.fact.headers, traceparent: 'ingress', 'x-note': 'é' },
    };
    const json = kafkaRecordJson({ ...d, fact, lineage: { traceparent: 'hop', 'causeway-route': 'r' }, idempotencyKey: 'KEY' });
    const bytes = (s: string) => `[${[...Buffer.from(s)].join(',')}]`;
    expect(json).toBe(
      '{"topic":"bids","partition":3,"offset":77,"timestamp":1700000000123,"timestampType":"CREATE_TIME",' +
        `"key":"${Buffer.from('k€').toString('base64')}","value":"${Buffer.from('{"a":1}').toString('base64')}","headers":[` +
        [
          `{"ce_specversion":${bytes('1.0')}}`,
          `{"ce_id":${bytes('e1')}}`,
          `{"ce_source":${bytes('/s')}}`,
          `{"ce_type":${bytes('t')}}`,
          `{"content-type":${bytes('application/json')}}`,
          `{"x-note":${bytes('é')}}`,
          `{"traceparent":${bytes('hop')}}`,
          `{"causeway-route":${bytes('r')}}`,
          `{"idempotency-key":${bytes('KEY')}}`,
        ].join(',') +
        ']}',
    );
  });

  it('leaves out a null key and a null value (no key; a tombstone)', () => {
    const d = delivery({ attributes: { specversion: '1.0', id: 'e2', source: '/s', type: 't' }, data: undefined }, 0, { key: () => null });
    const r = JSON.parse(kafkaRecordJson(d)) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(['topic', 'partition', 'offset', 'timestamp', 'timestampType', 'headers']);
  });
});
