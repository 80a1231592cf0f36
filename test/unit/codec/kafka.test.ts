/** Kafka protocol binding: KAFKA-M1..M11, KAFKA-N1/N4, CORE-M1/M2 on Kafka, and the upstream feature file. */
import { describe, expect, it } from 'vitest';
import { CausewayError } from '../../../src/core/index.js';
import { decodeKafka, detectKafkaMode, encodeKafkaBinary, encodeKafkaStructured } from '../../../src/codec/index.js';
import { keyValueTable, readFeature, step } from './feature.js';
import { event, MINIMAL, readAcceptance, text, utf8 } from './support.js';

type Headers = Array<[string, Uint8Array | string]>;
const ceHeaders = (): Headers => [
  ['ce_specversion', '1.0'],
  ['ce_id', 'x1'],
  ['ce_source', 'https://example.com/src'],
  ['ce_type', 'com.example.test'],
];
function error(f: () => unknown): CausewayError {
  try {
    f();
  } catch (e) {
    if (e instanceof CausewayError) return e;
    throw e;
  }
  throw new Error('expected a CausewayError');
}

describe('detectKafkaMode (KAFKA-M1)', () => {
  it.each([
    ['application/cloudevents+json; charset=utf-8', 'structured'],
    ['APPLICATION/CLOUDEVENTS', 'structured'],
    ['application/json', 'binary'],
    [undefined, 'binary'],
  ])('%s → %s', (ct, mode) => {
    expect(detectKafkaMode(ct)).toBe(mode);
  });
});

describe('encodeKafkaBinary', () => {
  it('KAFKA-M4..M6: ce_ headers with raw UTF-8 canonical strings, content-type, the data as value', () => {
    const ev = event({ ...MINIMAL, subject: 'a b é', n: 5, flag: false, datacontenttype: 'text/plain' }, 'hi');
    const rec = encodeKafkaBinary(ev, utf8('k'));
    expect(rec.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'x1',
      ce_source: 'https://example.com/src',
      ce_type: 'com.example.test',
      ce_subject: 'a b é', // no percent-encoding on Kafka
      ce_n: '5',
      ce_flag: 'false',
      'content-type': 'text/plain',
    });
    expect(text(rec.value ?? undefined)).toBe('hi');
    expect(text(rec.key ?? undefined)).toBe('k');
  });

  it('KAFKA-M7: no data → null value (a tombstone)', () => {
    expect(encodeKafkaBinary(event(MINIMAL), null).value).toBeNull();
  });

  it('KAFKA-M11: partitionkey stays a header; an outside key adds no attribute', () => {
    const rec = encodeKafkaBinary(event({ ...MINIMAL, partitionkey: 'p1' }), utf8('p1'));
    expect(rec.headers['ce_partitionkey']).toBe('p1');
    const keyed = encodeKafkaBinary(event(MINIMAL), utf8('configured'));
    expect(keyed.headers).not.toHaveProperty('ce_partitionkey');
    expect(text(keyed.key ?? undefined)).toBe('configured');
  });

  it('KAFKA-M6: HTTP ce-subject a%20b becomes ce_subject "a b"', () => {
    expect(encodeKafkaBinary(event({ ...MINIMAL, subject: 'a b' }), null).headers['ce_subject']).toBe('a b');
  });
});

describe('encodeKafkaStructured (KAFKA-M8, KAFKA-M9)', () => {
  it('always sets the content-type and has a value even without data', () => {
    const rec = encodeKafkaStructured(event(MINIMAL), null);
    expect(rec.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=UTF-8' });
    expect(JSON.parse(text(rec.value ?? undefined) ?? '')).toEqual(MINIMAL);
  });
});

describe('decodeKafka', () => {
  it('binary: headers (bytes or strings) are attributes, content-type is datacontenttype, value is data', () => {
    const ev = decodeKafka(
      [...ceHeaders(), ['ce_ext', utf8('é')], ['content-type', utf8('application/json')], ['traceparent', Uint8Array.from([0xff])]],
      utf8('{"a":1}'),
      null,
    );
    expect(ev.attributes).toEqual({ ...MINIMAL, ext: 'é', datacontenttype: 'application/json' });
    expect(text(ev.data)).toBe('{"a":1}');
  });

  it('KAFKA-M6: values are raw UTF-8, not percent-decoded', () => {
    expect(decodeKafka([...ceHeaders(), ['ce_subject', 'a%20b']], null, null).attributes['subject']).toBe('a%20b');
    const err = error(() => decodeKafka([...ceHeaders(), ['ce_subject', Uint8Array.from([0xc0, 0xa0])]], null, null));
    expect([err.code, err.errors[0]?.path]).toEqual(['CW_INVALID_HEADER_ENCODING', 'subject']);
  });

  it('KAFKA-M7: a null value is a valid data-less event; an empty value too', () => {
    expect(decodeKafka(ceHeaders(), null, null).data).toBeUndefined();
    expect(decodeKafka(ceHeaders(), new Uint8Array(0), null).data).toBeUndefined();
  });

  it('KAFKA-N4: the key never becomes partitionkey', () => {
    expect(decodeKafka(ceHeaders(), null, utf8('some-key')).attributes).not.toHaveProperty('partitionkey');
  });

  it('KAFKA-N1: only lower-case ce_ keys are attributes (strict)', () => {
    const err = error(() =>
      decodeKafka(
        [
          ['CE_SPECVERSION', '1.0'],
          ['CE_ID', 'x'],
          ['CE_SOURCE', '/s'],
          ['CE_TYPE', 't'],
        ],
        null,
        null,
      ),
    );
    expect(err.code).toBe('CW_MISSING_ATTRIBUTE');
    expect(decodeKafka([...ceHeaders(), ['CE_EXTRA', 'x'], ['Content-Type', 'text/plain']], null, null).attributes).toEqual(MINIMAL);
    expect(error(() => decodeKafka([...ceHeaders(), ['ce_Foo', 'x']], null, null)).code).toBe('CW_INVALID_ATTRIBUTE_NAME');
    expect(error(() => decodeKafka([...ceHeaders(), ['ce___proto__', 'x']], null, null)).errors[0]?.path).toBe('__proto__');
  });

  it('CORE-M2: two ce_id headers are rejected', () => {
    const err = error(() => decodeKafka([...ceHeaders(), ['ce_id', 'other']], null, null));
    expect([err.code, err.errors[0]?.path]).toEqual(['CW_DUPLICATE_ATTRIBUTE', 'id']);
    expect(error(() => decodeKafka([...ceHeaders(), ['content-type', 'a/b'], ['content-type', 'c/d']], utf8('x'), null)).code).toBe(
      'CW_DUPLICATE_ATTRIBUTE',
    );
  });

  it('KAFKA-M5: ce_datacontenttype is rejected (strict, as HTTP-M2)', () => {
    expect(error(() => decodeKafka([...ceHeaders(), ['ce_datacontenttype', 'text/plain']], utf8('x'), null)).code).toBe(
      'CW_INVALID_ATTRIBUTE',
    );
  });

  it.each(['id', 'source', 'specversion', 'type'])('CORE-M1: binary record without ce_%s is rejected', (name) => {
    const err = error(() =>
      decodeKafka(
        ceHeaders().filter(([k]) => k !== `ce_${name}`),
        null,
        null,
      ),
    );
    expect([err.code, err.errors[0]?.path]).toEqual(['CW_MISSING_ATTRIBUTE', name]);
  });

  it('structured: the value is the event; ce_ headers are informational', () => {
    const body = '{"specversion":"1.0","id":"s1","source":"/s","type":"t","data":{"a":1}}';
    const ev = decodeKafka(
      [
        ['content-type', 'APPLICATION/CLOUDEVENTS+JSON'],
        ['ce_id', 'other'],
      ],
      utf8(body),
      null,
    );
    expect(ev.attributes['id']).toBe('s1');
    expect(text(ev.data)).toBe('{"a":1}');
    expect(
      error(() =>
        decodeKafka([['content-type', 'application/cloudevents+json']], utf8('{"specversion":"1.0","source":"/s","type":"t"}'), null),
      ).code,
    ).toBe('CW_MISSING_ATTRIBUTE');
  });

  it('structured: other formats and the batch type are unsupported; a null value is invalid', () => {
    for (const ct of ['application/cloudevents+avro', 'application/cloudevents-batch+json', 'application/cloudevents']) {
      expect(error(() => decodeKafka([['content-type', ct]], utf8('[]'), null)).code, ct).toBe('CW_UNSUPPORTED_MEDIA_TYPE');
    }
    expect(error(() => decodeKafka([['content-type', 'application/cloudevents+json']], null, null)).code).toBe('CW_INVALID_REQUEST');
  });
});

describe('conformance/features/kafka-protocol-binding.feature', () => {
  const scenarios = readFeature(readAcceptance('features/kafka-protocol-binding.feature'));

  it('has the three expanded scenarios', () => {
    expect(scenarios.map((s) => s.name)).toEqual([
      'Binary content mode',
      'Structured content mode (application/cloudevents+json)',
      'Structured content mode (application/cloudevents+json; charset=utf-8)',
    ]);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const payload = step(s, 'a Kafka message with payload').docString ?? '';
    const headers = Object.entries(keyValueTable(step(s, 'Kafka headers').table)).map(([k, v]) => [k, utf8(v)] as [string, Uint8Array]);
    const ev = decodeKafka(headers, utf8(payload), null);
    expect(ev.attributes).toEqual(keyValueTable(step(s, 'the attributes are').table));
    expect(JSON.parse(text(ev.data) ?? '')).toEqual(JSON.parse(step(s, 'the data is equal to the following JSON').docString ?? ''));
  });
});
