import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKafkaBinary, encodeKafkaStructured } from '../../../src/codec/index.js';
import { CausewayError, type KafkaRecord } from '../../../src/core/index.js';
import { kafkaRecordId, normalizeKafkaRecord, type KafkaRecordRule } from '../../../src/normalize/index.js';
import { canonical, eventArb, utf8 } from '../codec/support.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const TS = Date.parse('2026-02-28T10:00:00.000Z');
const CE: KafkaRecordRule = { mode: 'cloudevents' };
const JSON_RULE: KafkaRecordRule = { mode: 'json' };

function rec(over: Partial<KafkaRecord> & { json?: unknown; h?: Record<string, string> } = {}): KafkaRecord {
  const { json, h, ...rest } = over;
  return {
    topic: 'orders',
    partition: 2,
    offset: 41,
    timestamp: TS,
    key: null,
    value: json === undefined ? null : utf8(JSON.stringify(json)),
    headers: Object.entries(h ?? {}).map(([k, v]) => [k, utf8(v)] as const),
    ...rest,
  };
}

function fails(fn: () => unknown): CausewayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CausewayError) return e;
    throw e;
  }
  throw new Error('expected a CausewayError');
}

describe('normalizeKafkaRecord: cloudevents mode (the Kafka binding, KAFKA-M1)', () => {
  it('binary mode: any valid event survives encodeKafkaBinary → record → normalize, data byte for byte', () => {
    fc.assert(
      fc.property(eventArb, fc.nat({ max: 1_000_000 }), ({ event: ev }, offset) => {
        const m = encodeKafkaBinary(ev, null);
        const r = rec({ offset, value: m.value, headers: Object.entries(m.headers).map(([k, v]) => [k, utf8(v)] as const) });
        const got = normalizeKafkaRecord(r, CE, NOW);
        expect(got.attributes).toStrictEqual(canonical(ev.attributes));
        expect(got.data).toEqual(ev.data);
      }),
    );
  });

  it('structured mode is picked by content-type application/cloudevents+json (any case)', () => {
    const m = encodeKafkaStructured(
      { attributes: { specversion: '1.0', id: 's-1', source: '/s', type: 't.s' }, data: utf8('{"a":1}') },
      null,
    );
    const r = rec({ value: m.value, headers: [['content-type', utf8('Application/CloudEvents+JSON; charset=UTF-8')]] });
    const got = normalizeKafkaRecord(r, CE, NOW);
    expect(got.attributes).toMatchObject({ id: 's-1', source: '/s', type: 't.s' });
    expect(new TextDecoder().decode(got.data)).toBe('{"a":1}');
  });

  it('rejects duplicate ce_id headers (CORE-M2) and a missing type with the codec codes', () => {
    const base = { ce_specversion: '1.0', ce_source: '/s', ce_type: 't' };
    const dup = rec({ headers: [...rec({ h: base }).headers, ['ce_id', utf8('a')], ['ce_id', utf8('b')]] });
    expect(fails(() => normalizeKafkaRecord(dup, CE, NOW)).code).toBe('CW_DUPLICATE_ATTRIBUTE');
    const noType = rec({ h: { ce_specversion: '1.0', ce_id: '1', ce_source: '/s' } });
    const e = fails(() => normalizeKafkaRecord(noType, CE, NOW));
    expect(e.code).toBe('CW_MISSING_ATTRIBUTE');
    expect(e.errors.map((x) => x.path)).toContain('type');
  });

  it('a null header value reads as empty, which the attribute rules reject', () => {
    const r = rec({
      headers: [
        ['ce_specversion', utf8('1.0')],
        ['ce_id', null],
        ['ce_source', utf8('/s')],
        ['ce_type', utf8('t')],
      ],
    });
    expect(fails(() => normalizeKafkaRecord(r, CE, NOW)).errors.map((x) => x.path)).toContain('id');
  });
});

describe('normalizeKafkaRecord: json mode (Causeway is the producer)', () => {
  it('built-in defaults: type from /type, id kafka://t/p/o, source kafka://t, time = record timestamp', () => {
    const r = rec({ json: { type: 'com.example.order.created', n: 1 } });
    const got = normalizeKafkaRecord(r, JSON_RULE, NOW);
    expect(got.attributes).toStrictEqual({
      specversion: '1.0',
      id: 'kafka://orders/2/41',
      source: 'kafka://orders',
      type: 'com.example.order.created',
      time: '2026-02-28T10:00:00.000Z',
      datacontenttype: 'application/json',
      recordedtime: NOW.toISOString(), // EXT-REC-N1
    });
    expect(got.data).toBe(r.value); // JSON-N4: the bytes as received
  });

  it('field, header, constant and key places, and defaults when the place is empty', () => {
    const rule: KafkaRecordRule = {
      mode: 'json',
      mapping: {
        type: { value: 'com.example.order.created' },
        source: { header: 'origin', default: '/orders/unknown' },
        id: { field: '/meta/id' },
        subject: { key: true },
        time: { field: '/at' },
      },
    };
    const r = rec({ key: utf8('order-9'), json: { meta: { id: 'o-9' }, at: '2026-01-01T00:00:00Z' }, h: { origin: '/shop/eu' } });
    expect(normalizeKafkaRecord(r, rule, NOW).attributes).toMatchObject({
      type: 'com.example.order.created',
      source: '/shop/eu',
      id: 'o-9',
      subject: 'order-9',
      time: '2026-01-01T00:00:00Z',
    });
    const bare = rec({ json: { meta: {} } });
    const got = normalizeKafkaRecord(bare, rule, NOW).attributes;
    expect(got).toMatchObject({ source: '/orders/unknown', id: 'kafka://orders/2/41', time: '2026-02-28T10:00:00.000Z' });
    expect(got).not.toHaveProperty('subject'); // null key, no default: left out
  });

  it('numbers: ids become their JSON text, times are epoch milliseconds (number or digits)', () => {
    const rule: KafkaRecordRule = { mode: 'json', mapping: { type: { value: 't' }, id: { field: '/id' }, time: { field: '/ts' } } };
    expect(normalizeKafkaRecord(rec({ json: { id: 12345, ts: 0 } }), rule, NOW).attributes).toMatchObject({
      id: '12345',
      time: '1970-01-01T00:00:00.000Z',
    });
    const hdr: KafkaRecordRule = { mode: 'json', mapping: { type: { value: 't' }, time: { header: 'ts' } } };
    expect(normalizeKafkaRecord(rec({ json: {}, h: { ts: String(TS) } }), hdr, NOW).attributes.time).toBe('2026-02-28T10:00:00.000Z');
  });

  it('no type anywhere: CW_INGRESS_INVALID_RECORD naming the place', () => {
    const e = fails(() => normalizeKafkaRecord(rec({ json: { kind: 'x' } }), JSON_RULE, NOW));
    expect(e.code).toBe('CW_INGRESS_INVALID_RECORD');
    expect(e.errors).toEqual([expect.objectContaining({ path: 'type', code: 'CW_MISSING_ATTRIBUTE' })]);
    expect(e.message).toContain('field /type');
  });

  it('malformed JSON, invalid UTF-8 and a null value are rejected', () => {
    expect(fails(() => normalizeKafkaRecord(rec({ value: utf8('{"type":') }), JSON_RULE, NOW)).code).toBe('CW_MALFORMED_JSON');
    expect(fails(() => normalizeKafkaRecord(rec({ value: Uint8Array.of(0x22, 0xff, 0x22) }), JSON_RULE, NOW)).code).toBe(
      'CW_MALFORMED_JSON',
    );
    expect(fails(() => normalizeKafkaRecord(rec({ value: null }), JSON_RULE, NOW)).code).toBe('CW_INGRESS_INVALID_RECORD');
  });

  it('wrong-typed fields, repeated headers and bad attribute values are errors, not silent defaults', () => {
    const rule: KafkaRecordRule = {
      mode: 'json',
      mapping: { type: { field: '/t', default: 'd' }, subject: { header: 's' }, time: { field: '/time' } },
    };
    const e = fails(() =>
      normalizeKafkaRecord(
        rec({
          json: { t: { nested: true }, time: 'yesterday' },
          headers: [
            ['s', utf8('a')],
            ['s', utf8('b')],
          ],
        }),
        rule,
        NOW,
      ),
    );
    expect(e.code).toBe('CW_INGRESS_INVALID_RECORD');
    const byPath = Object.fromEntries(e.errors.map((x) => [x.path, x.code]));
    expect(byPath).toMatchObject({ type: 'CW_INVALID_ATTRIBUTE', subject: 'CW_DUPLICATE_ATTRIBUTE', time: 'CW_INVALID_ATTRIBUTE' });
  });

  it('JSON pointers follow RFC 6901: escapes, array indexes, own members only', () => {
    const rule = (field: string): KafkaRecordRule => ({ mode: 'json', mapping: { type: { value: 't' }, subject: { field } } });
    const doc = { 'a/b': { '~c': 'esc' }, list: ['zero', 'one'], constructor: undefined };
    expect(normalizeKafkaRecord(rec({ json: doc }), rule('/a~1b/~0c'), NOW).attributes.subject).toBe('esc');
    expect(normalizeKafkaRecord(rec({ json: doc }), rule('/list/1'), NOW).attributes.subject).toBe('one');
    expect(normalizeKafkaRecord(rec({ json: doc }), rule('/list/01'), NOW).attributes).not.toHaveProperty('subject');
    expect(normalizeKafkaRecord(rec({ json: {} }), rule('/toString'), NOW).attributes).not.toHaveProperty('subject');
  });

  it('property: the built-in id is deterministic per position and unique across positions', () => {
    const pos = fc.record({ topic: fc.stringMatching(/^[a-zA-Z0-9._-]{1,20}$/), partition: fc.nat(100), offset: fc.nat() });
    fc.assert(
      fc.property(pos, pos, fc.jsonValue({ maxDepth: 2 }), (a, b, body) => {
        const json = { type: 't', body };
        const ra = rec({ ...a, json });
        const id1 = normalizeKafkaRecord(ra, JSON_RULE, NOW).attributes.id;
        const id2 = normalizeKafkaRecord({ ...ra }, JSON_RULE, new Date(NOW.getTime() + 1000)).attributes.id;
        expect(id1).toBe(id2); // a redelivery gets the same id: the dedupe window absorbs it
        expect(id1).toBe(kafkaRecordId(a));
        const same = a.topic === b.topic && a.partition === b.partition && a.offset === b.offset;
        expect(normalizeKafkaRecord(rec({ ...b, json }), JSON_RULE, NOW).attributes.id === id1).toBe(same);
      }),
    );
  });

  it('property: any JSON value is kept byte for byte as the data', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('', '  ', '\n'), (v, pad) => {
        const value = utf8(`${pad}${JSON.stringify(v)}${pad}`);
        const got = normalizeKafkaRecord(rec({ value }), { mode: 'json', mapping: { type: { value: 't' } } }, NOW);
        expect(got.data).toBe(value);
        expect(got.attributes.datacontenttype).toBe('application/json');
      }),
    );
  });
});
