/**
 * The batch step of the Kafka ingress with a scripted accept side: the faults it must survive
 * (the log cannot confirm, the dead-letter topic cannot be written) cannot be produced on demand
 * by the real parts, so they are forced here; the real consumer runs in test/integration/kafka-ingress.test.ts.
 */
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { CausewayError, type Accepted, type CloudEvent, type KafkaRecord, type TransportMeta } from '../../../src/core/index.js';
import {
  DEAD_LETTER_HEADERS,
  processBatch,
  toDeadLetter,
  toKafkaRecord,
  toMessage,
  type OutboundRecord,
} from '../../../src/ingress/kafka/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const record = (offset: number, over: Partial<KafkaRecord> = {}): KafkaRecord => ({
  topic: 'raw',
  partition: 1,
  offset,
  timestamp: 0,
  key: enc.encode(`k${offset}`),
  value: enc.encode(`v${offset}`),
  headers: [['h', enc.encode(`x${offset}`)]],
  ...over,
});

/** `script[offset]`: what accept does with that record; default stores it. */
function harness(script: Record<number, 'retry' | 'reject' | 'duplicate' | 'bad' | 'throw'> = {}) {
  const metas: TransportMeta[] = [];
  const dead: OutboundRecord[][] = [];
  const order: number[] = [];
  return {
    metas,
    dead,
    order,
    deps: {
      decode(r: KafkaRecord): CloudEvent {
        if (script[r.offset] === 'bad') throw new CausewayError('CW_MISSING_ATTRIBUTE', 'no type');
        return { attributes: { offset: r.offset }, data: undefined };
      },
      async accept(ev: CloudEvent, meta: TransportMeta): Promise<Accepted> {
        const offset = ev.attributes.offset as number;
        order.push(offset);
        metas.push(meta);
        await new Promise((r) => setTimeout(r, (7 * offset) % 5)); // settle out of order
        const what = script[offset];
        if (what === 'retry') throw new CausewayError('CW_EVENTLOG_UNAVAILABLE', 'disk gone');
        if (what === 'reject')
          throw new CausewayError('CW_SCHEMA_VIOLATION', 'amount must be > 0', {
            errors: [{ path: '/data/amount', message: 'must be > 0' }],
          });
        if (what === 'throw') throw new TypeError('boom');
        return { id: String(offset), source: '/s', topic: 'facts', partition: 0, offset, duplicate: what === 'duplicate' };
      },
      async deadLetter(records: readonly OutboundRecord[]) {
        dead.push([...records]);
      },
    },
  };
}

describe('processBatch', () => {
  it('accepts every record, issued in order, with kafka:// lineage and authtype unknown', async () => {
    const h = harness({ 3: 'duplicate' });
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01';
    const records = [0, 1, 2, 3].map((o) => record(o, o === 1 ? { headers: [['traceparent', enc.encode(tp)]] } : {}));
    const out = await processBatch(records, h.deps);
    expect(out).toEqual({ settled: 4, stored: 3, duplicates: 1, deadLettered: 0 });
    expect(h.order).toEqual([0, 1, 2, 3]);
    expect(h.metas.map((m) => m.ingress)).toEqual(['kafka://raw/1/0', 'kafka://raw/1/1', 'kafka://raw/1/2', 'kafka://raw/1/3']);
    expect(h.metas[1]).toMatchObject({ traceparent: tp, authtype: 'unknown' });
    expect(h.metas[0]!.traceparent).toBeUndefined();
  });

  it('dead-letters undecodable, rejected and crashing records in one ordered send, and settles past them', async () => {
    const h = harness({ 1: 'bad', 2: 'reject', 4: 'throw' });
    const out = await processBatch(
      [0, 1, 2, 3, 4, 5].map((o) => record(o)),
      h.deps,
    );
    expect(out).toEqual({ settled: 6, stored: 3, duplicates: 0, deadLettered: 3 });
    expect(h.dead).toHaveLength(1);
    const codes = h.dead[0]!.map(
      (d) => Object.fromEntries(d.headers.map(([k, v]) => [k, typeof v === 'string' ? v : dec.decode(v!)]))[DEAD_LETTER_HEADERS.code],
    );
    expect(codes).toEqual(['CW_MISSING_ATTRIBUTE', 'CW_SCHEMA_VIOLATION', 'CW_INTERNAL']);
    expect(dec.decode(h.dead[0]![1]!.value!)).toBe('v2');
  });

  it('stops at the first retriable failure: nothing from it on is settled or dead-lettered', async () => {
    const h = harness({ 1: 'reject', 2: 'retry', 3: 'reject' });
    const out = await processBatch(
      [0, 1, 2, 3, 4].map((o) => record(o)),
      h.deps,
    );
    expect(out).toMatchObject({ settled: 2, stored: 1, deadLettered: 1, retry: { offset: 2, error: { code: 'CW_EVENTLOG_UNAVAILABLE' } } });
    expect(h.dead.flat()).toHaveLength(1); // record 3's dead letter waits for the retry of record 2
  });

  it('a failed dead-letter send settles only what precedes the first dead letter', async () => {
    const h = harness({ 2: 'reject' });
    h.deps.deadLetter = async () => {
      throw new CausewayError('CW_INGRESS_UNAVAILABLE', 'broker down');
    };
    const out = await processBatch(
      [0, 1, 2, 3].map((o) => record(o)),
      h.deps,
    );
    expect(out).toMatchObject({ settled: 2, stored: 2, deadLettered: 0, retry: { offset: 2, error: { code: 'CW_INGRESS_UNAVAILABLE' } } });
  });
});

describe('dead letters', () => {
  it('keep key, value and every header (repeats and nulls), replace stale context, add the context headers', () => {
    const r = record(7, {
      headers: [
        ['ce_id', enc.encode('a')],
        ['ce_id', enc.encode('b')],
        ['empty', null],
        [DEAD_LETTER_HEADERS.code, enc.encode('CW_OLD')],
      ],
    });
    const d = toDeadLetter(r, new CausewayError('CW_DUPLICATE_ATTRIBUTE', 'Header ce_id given more than once'), 'kafka://raw/1/7');
    expect(d.key).toBe(r.key);
    expect(d.value).toBe(r.value);
    expect(d.headers.slice(0, 3)).toEqual(r.headers.slice(0, 3));
    expect(Object.fromEntries(d.headers.slice(3))).toEqual({
      causewayerrorcode: 'CW_DUPLICATE_ATTRIBUTE',
      causewayerrormessage: 'Header ce_id given more than once',
      causewayerrortopic: 'raw',
      causewayerrorpartition: '1',
      causewayerroroffset: '7',
      'causeway-ingress': 'kafka://raw/1/7',
    });
    // Through KafkaJS's header shape and back: repeats stay repeats, null stays null.
    const m = toMessage(d);
    const back = toKafkaRecord('dlq', 0, {
      offset: '0',
      timestamp: '0',
      attributes: 0,
      size: 0,
      key: m.key as Buffer,
      value: m.value as Buffer,
      headers: m.headers!,
      isControlRecord: false,
      batchContext: {},
    } as unknown as KafkaMessage);
    expect(back.headers.filter(([k]) => k === 'ce_id').map(([, v]) => dec.decode(v!))).toEqual(['a', 'b']);
    expect(back.headers.find(([k]) => k === 'empty')?.[1]).toBeNull();
  });
});
