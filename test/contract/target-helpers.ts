/** Deliveries and comparisons for the Target contract (test/contract/target.contract.ts). */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { canonicalString, encodeKafkaBinary } from '../../src/codec/index.js';
import { idempotencyKeyOf, type AttributeValue, type CloudEvent, type Delivery } from '../../src/core/index.js';
import { formatTraceparent, newTrace } from '../../src/lineage/index.js';

/** What the far end of a target got, decoded back into a CloudEvent plus the hop's transport headers. */
export interface ReceivedEvent {
  readonly event: CloudEvent;
  /** `traceparent` and `causeway-*` values as the far end saw them (decoded). */
  readonly lineage: Readonly<Record<string, string>>;
  readonly idempotencyKey: string | undefined;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export interface DeliveryOptions {
  readonly route?: string;
  readonly attempt?: number;
  /** Record key of the fact (default: a key per delivery). */
  readonly key?: (i: number) => string | null;
  readonly data?: (i: number) => { contentType?: string; bytes: Uint8Array } | undefined;
  readonly attributes?: (i: number) => Record<string, AttributeValue>;
}

/** A Delivery as the engine builds one: the fact in the Kafka binding's binary form plus the decoded event. */
export function delivery(event: CloudEvent, i: number, opts: DeliveryOptions = {}): Delivery {
  const k = opts.key === undefined ? `key-${i}` : opts.key(i);
  const key = k === null ? null : utf8(k);
  const m = encodeKafkaBinary(event, key);
  const offset = 1000 + i;
  const fact = { topic: 'contract.source', partition: 0, offset, timestamp: Date.now(), key, value: m.value, headers: m.headers };
  let bytes = event.data?.byteLength ?? 0;
  for (const [n, v] of Object.entries(event.attributes)) bytes += n.length + canonicalString(v).length;
  return {
    fact,
    event,
    lineage: {
      traceparent: formatTraceparent(newTrace()),
      'causeway-fact': `contract.source/0/${offset}`,
      'causeway-route': opts.route ?? 'contract-route',
      'causeway-attempt': String(opts.attempt ?? 1),
      'causeway-hops': '1',
    },
    idempotencyKey: idempotencyKeyOf(String(event.attributes['source']), String(event.attributes['id'])),
    bytes,
  };
}

/**
 * A varied batch: JSON, text with non-ASCII, raw bytes, no data; Integer/Boolean extensions,
 * values that need percent-encoding on HTTP (HTTP-M7), the CloudEvents `traceparent` attribute
 * next to the hop's own traceparent header, a partitionkey.
 */
export function variedBatch(n = 6, opts: DeliveryOptions = {}): Delivery[] {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: n }, (_, i) => {
    const attrs: Record<string, AttributeValue> = {
      specversion: '1.0',
      id: `${run}-${i}`,
      source: `/contract/${run}`,
      type: 'com.example.contract.tested',
      time: '2026-01-02T03:04:05.678Z',
      subject: ['Euro € 😀', 'percent%encoded', 'quote"encoded', 'space encoded', 'simple', 'café'][i % 6] as string,
      seq: i,
      flag: i % 2 === 0,
      traceparent: formatTraceparent(newTrace()),
      partitionkey: `pk-${i % 3}`,
      ...(opts.attributes?.(i) ?? {}),
    };
    const kinds = [
      { contentType: 'application/json', bytes: utf8(JSON.stringify({ n: i, text: 'héllo', nested: { ok: true } })) },
      { contentType: 'text/plain; charset=utf-8', bytes: utf8(`line 1 ☃\nline 2 #${i}`) },
      { contentType: 'application/octet-stream', bytes: new Uint8Array(randomBytes(64)) },
      undefined,
    ];
    const data = opts.data === undefined ? kinds[i % kinds.length] : opts.data(i);
    if (data?.contentType !== undefined) attrs['datacontenttype'] = data.contentType;
    return delivery({ attributes: attrs, data: data?.bytes }, i, opts);
  });
}

const canonical = (attrs: Readonly<Record<string, AttributeValue>>): Record<string, string> =>
  Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, canonicalString(v)]));

/** The far end got exactly this delivery: attributes (as canonical strings, CORE-N3), data bytes, lineage, key. */
export function expectReceived(got: ReceivedEvent, d: Delivery, lineageKeys: readonly string[] = Object.keys(d.lineage)): void {
  expect(canonical(got.event.attributes)).toEqual(canonical(d.event.attributes));
  expect(got.event.data === undefined ? undefined : Buffer.from(got.event.data).toString('hex')).toEqual(
    d.event.data === undefined ? undefined : Buffer.from(d.event.data).toString('hex'),
  );
  for (const k of lineageKeys) expect(got.lineage[k], `lineage ${k}`).toBe(d.lineage[k]);
  expect(got.idempotencyKey).toBe(d.idempotencyKey);
}

export const idOf = (r: ReceivedEvent): string => String(r.event.attributes['id']);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
