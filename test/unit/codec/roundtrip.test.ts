/**
 * Property tests (DESIGN §10.5): decode(encode(event)) is the identity for every binding and mode,
 * up to what each binding can carry: binary modes carry attribute values as canonical strings
 * (CORE-N3, CORE-M22), and the JSON format drops whitespace around a JSON data value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttributeValue, CloudEvent } from '../../../src/core/index.js';
import {
  decodeHttp,
  decodeKafka,
  encodeBatch,
  encodeHttpBinary,
  encodeHttpStructured,
  encodeKafkaBinary,
  encodeKafkaStructured,
  encodeStructuredEvent,
  isJsonContentType,
  isJsonData,
  parseBatch,
  parseStructuredEvent,
} from '../../../src/codec/index.js';
import { canonical, distinct, eventArb, text, utf8 } from './support.js';

/** What the JSON format gives back: a JSON value's text without surrounding JSON whitespace. */
function expectedJsonFormatData(ev: CloudEvent): Uint8Array | undefined {
  const ct = ev.attributes['datacontenttype'];
  if (ev.data === undefined || !isJsonContentType(ct as string | undefined) || !isJsonData(ev.data)) return ev.data;
  return utf8((text(ev.data) as string).replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, ''));
}

function expectSameStructured(got: CloudEvent, want: CloudEvent): void {
  expect(got.attributes).toStrictEqual(want.attributes); // typed: Integer and Boolean survive
  expect(got.data).toEqual(expectedJsonFormatData(want));
}

describe('round trips', () => {
  it('HTTP binary: attributes as canonical strings, data byte for byte', () => {
    fc.assert(
      fc.property(eventArb, ({ event: ev }) => {
        const msg = encodeHttpBinary(ev);
        const { mode, events } = decodeHttp(distinct(msg.headers), msg.body ?? new Uint8Array(0));
        const want: Record<string, string> = canonical(ev.attributes);
        // CORE-S4/JSON-S2: JSON data without a content type is labelled application/json.
        if (want['datacontenttype'] === undefined && ev.data !== undefined && isJsonData(ev.data))
          want['datacontenttype'] = 'application/json';
        expect(mode).toBe('binary');
        expect(events[0]?.attributes).toStrictEqual(want);
        expect(events[0]?.data).toEqual(ev.data);
      }),
    );
  });

  it('HTTP structured: typed attributes and data', () => {
    fc.assert(
      fc.property(eventArb, ({ event: ev }) => {
        const msg = encodeHttpStructured(ev);
        const { mode, events } = decodeHttp(distinct(msg.headers), msg.body as Uint8Array);
        expect(mode).toBe('structured');
        expectSameStructured(events[0] as CloudEvent, ev);
      }),
    );
  });

  it('JSON format: parseStructuredEvent(encodeStructuredEvent(ev))', () => {
    fc.assert(fc.property(eventArb, ({ event: ev }) => expectSameStructured(parseStructuredEvent(encodeStructuredEvent(ev)), ev)));
  });

  it('HTTP batch: every member, in order', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 5 }), (cases) => {
        const evs = cases.map((c) => c.event);
        const back = parseBatch(encodeBatch(evs));
        expect(back).toHaveLength(evs.length);
        back.forEach((got, i) => expectSameStructured(got, evs[i] as CloudEvent));
      }),
    );
  });

  it('Kafka binary: attributes as canonical strings, data byte for byte, key untouched', () => {
    fc.assert(
      fc.property(eventArb, fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }), ({ event: ev }, key) => {
        const rec = encodeKafkaBinary(ev, key);
        expect(rec.key).toBe(key);
        // kafkajs hands header values over as Buffers of the UTF-8 bytes.
        const back = decodeKafka(
          Object.entries(rec.headers).map(([k, v]) => [k, utf8(v)] as const),
          rec.value,
          rec.key,
        );
        expect(back.attributes).toStrictEqual(canonical(ev.attributes));
        expect(back.data).toEqual(ev.data);
      }),
    );
  });

  it('Kafka structured: typed attributes and data', () => {
    fc.assert(
      fc.property(eventArb, ({ event: ev }) => {
        const rec = encodeKafkaStructured(ev, null);
        expectSameStructured(decodeKafka(Object.entries(rec.headers), rec.value, null), ev);
      }),
    );
  });

  it('canonical strings re-typed by the JSON format match the original values (CORE-M22)', () => {
    // A binary-mode hop turns 5 into "5"; the value is still the same canonical string.
    fc.assert(
      fc.property(eventArb, ({ event: ev }) => {
        const msg = encodeHttpBinary(ev);
        const viaBinary = decodeHttp(distinct(msg.headers), msg.body ?? new Uint8Array(0)).events[0] as CloudEvent;
        const again = parseStructuredEvent(encodeStructuredEvent(viaBinary));
        const strings = (a: Readonly<Record<string, AttributeValue>>): Record<string, string> => canonical(a);
        expect(strings(again.attributes)).toMatchObject(strings(ev.attributes));
      }),
    );
  });
});
