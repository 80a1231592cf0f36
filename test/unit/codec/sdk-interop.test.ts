/**
 * Interop with the official JavaScript SDK (`cloudevents` v10, a dev dependency only): what it
 * emits decodes unchanged, and what we emit parses back in the SDK to the same attributes and data.
 * The SDK sends header values as they are (no percent-encoding, HTTP-N3), so values here stay ASCII.
 */
import { CloudEvent as SdkEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { decodeHttp, encodeHttpBatch, encodeHttpBinary, encodeHttpStructured, type HttpMessage } from '../../../src/codec/index.js';
import { distinct, event, text, utf8 } from './support.js';

const base = {
  id: 'sdk-1',
  source: 'https://example.com/sdk',
  type: 'com.example.sdk',
  time: '2018-04-05T17:31:00.000Z',
  subject: 'subj',
  extstring: 'hello',
  extint: 5,
  extbool: false,
};

/** What an SDK message looks like once it has crossed HTTP: string headers, body bytes. */
function overTheWire(msg: { headers: Record<string, unknown>; body: unknown }): { headers: Record<string, string[]>; body: Uint8Array } {
  const body =
    msg.body === undefined ? new Uint8Array(0) : typeof msg.body === 'string' ? utf8(msg.body) : Uint8Array.from(msg.body as Uint8Array);
  return { headers: distinct(msg.headers as Record<string, string>), body };
}

const decodeSdk = (msg: { headers: Record<string, unknown>; body: unknown }): ReturnType<typeof decodeHttp> => {
  const { headers, body } = overTheWire(msg);
  return decodeHttp(headers, body);
};

/** Our message as the SDK's receiver sees it: string body. */
const toSdk = (msg: HttpMessage): SdkEvent<unknown> =>
  HTTP.toEvent({ headers: msg.headers, body: text(msg.body) ?? '' }) as SdkEvent<unknown>;

describe('SDK → Causeway', () => {
  it('binary mode with JSON data: every header is an attribute, the body is the data', () => {
    const ce = new SdkEvent({ ...base, datacontenttype: 'application/json', data: { msg: 'hi', n: 1 } });
    const msg = HTTP.binary(ce);
    const { headers, body } = overTheWire(msg);
    const { mode, events } = decodeHttp(headers, body);
    expect(mode).toBe('binary');
    const ev = events[0];
    expect(ev?.attributes).toEqual({
      specversion: '1.0',
      id: 'sdk-1',
      source: 'https://example.com/sdk',
      type: 'com.example.sdk',
      time: '2018-04-05T17:31:00.000Z',
      subject: 'subj',
      datacontenttype: 'application/json',
      extstring: 'hello',
      extint: '5',
      extbool: 'false',
    });
    expect(text(ev?.data)).toBe(msg.body);
    expect(JSON.parse(text(ev?.data) ?? '')).toEqual(ce.data);
  });

  it('binary mode with text and with bytes', () => {
    const textEv = decodeSdk(HTTP.binary(new SdkEvent({ ...base, datacontenttype: 'text/plain', data: 'Hello' }))).events[0];
    expect([textEv?.attributes['datacontenttype'], text(textEv?.data)]).toEqual(['text/plain', 'Hello']);
    const bytes = Uint8Array.from([0, 1, 254, 255]);
    const binEv = decodeSdk(HTTP.binary(new SdkEvent({ ...base, data: bytes }))).events[0];
    expect(binEv?.data).toEqual(bytes);
    // The SDK always sends a JSON Content-Type, even for bytes (spec digest §9); we keep it verbatim.
    expect(binEv?.attributes['datacontenttype']).toBe('application/json; charset=utf-8');
  });

  it('structured mode: the body is the event, typed extensions included', () => {
    const ce = new SdkEvent({ ...base, datacontenttype: 'application/json', data: { msg: 'hi' } });
    const { headers, body } = overTheWire(HTTP.structured(ce));
    const { mode, events } = decodeHttp(headers, body);
    expect(mode).toBe('structured');
    const { data: _data, ...attrs } = JSON.parse(text(body) ?? '');
    expect(events[0]?.attributes).toEqual(attrs);
    expect(events[0]?.attributes).toMatchObject({ extint: 5, extbool: false });
    expect(JSON.parse(text(events[0]?.data) ?? '')).toEqual({ msg: 'hi' });
  });

  it('structured mode with binary data arrives as data_base64', () => {
    const bytes = Uint8Array.from([0, 1, 254, 255]);
    const { headers, body } = overTheWire(HTTP.structured(new SdkEvent({ ...base, data: bytes })));
    expect(text(body)).toContain('"data_base64":"AAH+/w=="');
    expect(decodeHttp(headers, body).events[0]?.data).toEqual(bytes);
  });

  it('a batch of SDK events', () => {
    const evs = [new SdkEvent({ ...base, id: 'b1', data: { a: 1 } }), new SdkEvent({ ...base, id: 'b2', data: { a: 2 } })];
    const { mode, events } = decodeHttp({ 'content-type': ['application/cloudevents-batch+json'] }, utf8(JSON.stringify(evs)));
    expect(mode).toBe('batch');
    expect(events.map((e) => [e.attributes['id'], JSON.parse(text(e.data) ?? '')])).toEqual([
      ['b1', { a: 1 }],
      ['b2', { a: 2 }],
    ]);
  });
});

describe('Causeway → SDK', () => {
  const attrs = {
    specversion: '1.0',
    id: 'cw-1',
    source: 'https://example.com/cw',
    type: 'com.example.cw',
    time: '2018-04-05T17:31:00.000Z',
    subject: 'subj',
    extstring: 'hello',
    extint: 5,
    extbool: false,
  };

  it('binary mode with JSON data', () => {
    const ce = toSdk(encodeHttpBinary(event({ ...attrs, datacontenttype: 'application/json' }, '{"msg":"hi","n":1}')));
    expect(ce.validate()).toBe(true);
    expect(ce).toMatchObject({ ...attrs, datacontenttype: 'application/json', extint: '5', extbool: 'false' });
    expect(ce.data).toEqual({ msg: 'hi', n: 1 });
  });

  it('binary mode with text data', () => {
    const ce = toSdk(encodeHttpBinary(event({ ...attrs, datacontenttype: 'text/plain' }, 'Hello')));
    expect(ce.validate()).toBe(true);
    expect([ce.datacontenttype, ce.data]).toEqual(['text/plain', 'Hello']);
  });

  it('structured mode keeps typed extensions and JSON data', () => {
    const ce = toSdk(encodeHttpStructured(event({ ...attrs, datacontenttype: 'application/json' }, '{"msg":"hi"}')));
    expect(ce.validate()).toBe(true);
    expect(ce).toMatchObject({ ...attrs, datacontenttype: 'application/json' });
    expect(ce.data).toEqual({ msg: 'hi' });
  });

  it('structured mode with binary data goes as data_base64', () => {
    const ce = toSdk(
      encodeHttpStructured(event({ ...attrs, datacontenttype: 'application/octet-stream' }, Uint8Array.from([0, 1, 254, 255]))),
    );
    expect(ce.validate()).toBe(true);
    expect(ce.data_base64).toBe('AAH+/w==');
  });

  it('batch mode', () => {
    const msg = encodeHttpBatch([
      event({ ...attrs, id: 'b1' }, '{"a":1}'),
      event({ ...attrs, id: 'b2', datacontenttype: 'text/plain' }, 'x'),
    ]);
    const evs = HTTP.toEvent({ headers: msg.headers, body: text(msg.body) ?? '' }) as Array<SdkEvent<unknown>>;
    expect(evs.map((e) => [e.id, e.data])).toEqual([
      ['b1', { a: 1 }],
      ['b2', 'x'],
    ]);
  });
});
