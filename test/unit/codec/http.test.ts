/** HTTP protocol binding: HTTP-M1..M13, CORE-M1/M2/M13/M14 through headers, and the upstream feature file. */
import { describe, expect, it } from 'vitest';
import { CausewayError } from '../../../src/core/index.js';
import {
  decodeHttp,
  detectHttpMode,
  encodeHttpBatch,
  encodeHttpBinary,
  encodeHttpStructured,
  hasCloudEventHeaders,
  isSupportedHttpContentType,
} from '../../../src/codec/index.js';
import { keyValueTable, readFeature, step } from './feature.js';
import { distinct, event, MINIMAL, readAcceptance, text, utf8 } from './support.js';

const ceHeaders = { 'ce-specversion': '1.0', 'ce-id': 'x1', 'ce-source': 'https://example.com/src', 'ce-type': 'com.example.test' };
function error(f: () => unknown): CausewayError {
  try {
    f();
  } catch (e) {
    if (e instanceof CausewayError) return e;
    throw e;
  }
  throw new Error('expected a CausewayError');
}
const binary = (extra: Record<string, string | undefined>, body = ''): ReturnType<typeof decodeHttp> =>
  decodeHttp(distinct({ ...ceHeaders, ...extra }), utf8(body));

describe('detectHttpMode (HTTP-M1)', () => {
  it.each([
    ['APPLICATION/CLOUDEVENTS+JSON', 'structured'],
    ['application/cloudevents+json; charset=utf-8', 'structured'],
    ['application/cloudevents-batch+json; charset=utf-8', 'batch'],
    ['Application/CloudEvents-Batch+JSON', 'batch'],
    ['application/json', 'binary'],
    ['text/plain', 'binary'],
    [undefined, 'binary'],
  ])('%s → %s', (ct, mode) => {
    expect(detectHttpMode(ct)).toBe(mode);
  });

  it('HTTP-N1: a CloudEvents format we do not handle is 415', () => {
    expect(isSupportedHttpContentType('application/cloudevents+avro')).toBe(false);
    expect(isSupportedHttpContentType('application/cloudevents-batch+avro')).toBe(false);
    expect(isSupportedHttpContentType('application/cloudevents+json; charset=UTF-8')).toBe(true);
    expect(isSupportedHttpContentType('application/octet-stream')).toBe(true);
    const err = error(() => decodeHttp(distinct({ 'content-type': 'application/cloudevents+avro' }), utf8('x')));
    expect([err.code, err.status]).toEqual(['CW_UNSUPPORTED_MEDIA_TYPE', 415]);
  });
});

describe('decodeHttp binary mode', () => {
  it('HTTP-M2/M3/M4: ce- headers are attributes, Content-Type is datacontenttype, the body is the data', () => {
    const { mode, events } = binary({ 'content-type': 'application/json; charset=utf-8', 'ce-ext': '5' }, '{"a": 1}\n');
    expect(mode).toBe('binary');
    expect(events[0]?.attributes).toEqual({ ...MINIMAL, ext: '5', datacontenttype: 'application/json; charset=utf-8' });
    expect(text(events[0]?.data)).toBe('{"a": 1}\n');
  });

  it('HTTP-M3: an empty body means no data; binary data is kept byte for byte', () => {
    expect(binary({}).events[0]?.data).toBeUndefined();
    const bytes = Uint8Array.from([0, 0xff, 0xc3, 0x28]);
    expect(decodeHttp(distinct({ ...ceHeaders, 'content-type': 'application/octet-stream' }), bytes).events[0]?.data).toEqual(bytes);
  });

  it('§9: no Content-Type and a body that is not JSON: raw data, datacontenttype unset', () => {
    const ev = binary({}, '{Something[Not:valid}JSON').events[0];
    expect(text(ev?.data)).toBe('{Something[Not:valid}JSON');
    expect(ev?.attributes['datacontenttype']).toBeUndefined();
  });

  it('HTTP-M4: header names are case-insensitive and lower-cased', () => {
    const ev = decodeHttp({ 'CE-ID': ['x1'], 'Ce-Source': ['/s'], 'ce-Type': ['t'], 'ce-specversion': ['1.0'], 'CE-EXT': ['v'] }, utf8(''))
      .events[0];
    expect(ev?.attributes).toEqual({ id: 'x1', source: '/s', type: 't', specversion: '1.0', ext: 'v' });
  });

  it('CORE-M2: ce-id: a and CE-ID: b are rejected, not merged', () => {
    const err = error(() => decodeHttp({ ...distinct(ceHeaders), 'ce-id': ['a', 'b'] }, utf8('')));
    expect(err.code).toBe('CW_DUPLICATE_ATTRIBUTE');
    expect(err.errors.map((e) => e.path)).toEqual(['id']);
    expect(error(() => decodeHttp({ ...distinct(ceHeaders), 'CE-ID': ['b'] }, utf8(''))).code).toBe('CW_DUPLICATE_ATTRIBUTE');
  });

  it('a repeated Content-Type is rejected', () => {
    expect(error(() => decodeHttp({ ...distinct(ceHeaders), 'content-type': ['text/plain', 'application/json'] }, utf8('x'))).code).toBe(
      'CW_INVALID_REQUEST',
    );
  });

  it('HTTP-M2: ce-datacontenttype is rejected (strict choice)', () => {
    const err = error(() => binary({ 'ce-datacontenttype': 'text/plain', 'content-type': 'text/plain' }, 'x'));
    expect(err.code).toBe('CW_INVALID_ATTRIBUTE');
    expect(err.errors.map((e) => e.path)).toEqual(['datacontenttype']);
  });

  it('HTTP-M8: values are percent-decoded; bad encodings are reported per attribute', () => {
    const ev = binary({ 'ce-subject': 'Euro%20%E2%82%AC%20%F0%9F%98%80', 'ce-ext': '"quoted"' }).events[0];
    expect(ev?.attributes).toMatchObject({ subject: 'Euro € 😀', ext: 'quoted' });
    const err = error(() => binary({ 'ce-subject': '100%' }));
    expect([err.code, err.errors[0]?.path]).toEqual(['CW_INVALID_HEADER_ENCODING', 'subject']);
  });

  it('HTTP-N4: raw UTF-8 header bytes as Node delivers them (latin1) decode to the text', () => {
    const ev = binary({ 'ce-subject': Buffer.from('café', 'utf8').toString('latin1') }).events[0];
    expect(ev?.attributes['subject']).toBe('café');
  });

  it.each(['id', 'source', 'specversion', 'type'])('CORE-M1: a missing ce-%s is rejected', (name) => {
    const headers: Record<string, string> = { ...ceHeaders };
    delete headers[`ce-${name}`];
    const err = error(() => decodeHttp(distinct(headers), utf8('')));
    expect([err.code, err.status, err.errors[0]?.path]).toEqual(['CW_MISSING_ATTRIBUTE', 400, name]);
  });

  it('CORE-M13/M14: ce-bad-extension, ce-data and an empty name are rejected', () => {
    for (const [h, name] of [
      ['ce-__proto__', '__proto__'],
      ['ce-bad-extension', 'bad-extension'],
      ['ce-data', 'data'],
      ['ce-', ''],
    ]) {
      const err = error(() => binary({ [h as string]: 'x' }));
      expect([err.code, err.errors[0]?.path], h).toEqual(['CW_INVALID_ATTRIBUTE_NAME', name]);
    }
  });

  it('§9: ce-specversion 11.8 is a CloudEvent, but invalid', () => {
    expect(error(() => binary({ 'ce-specversion': '11.8' })).code).toBe('CW_UNSUPPORTED_SPECVERSION');
  });

  it('CORE-N3: binary values are strings; validation still applies (CORE-M12)', () => {
    expect(binary({ 'ce-extbool': 'false', 'ce-extint': '7' }).events[0]?.attributes).toMatchObject({ extbool: 'false', extint: '7' });
    expect(error(() => binary({ 'ce-time': '2018-04-05T18:31Z' })).errors[0]?.path).toBe('time');
  });

  it('HTTP-N2: hasCloudEventHeaders spots binary-mode CloudEvents', () => {
    expect(hasCloudEventHeaders(distinct(ceHeaders))).toBe(true);
    expect(hasCloudEventHeaders(distinct({ 'content-type': 'application/json', 'x-ce': 'a' }))).toBe(false);
  });
});

describe('decodeHttp structured and batch modes', () => {
  const body = `{"specversion":"1.0","id":"s1","source":"/s","type":"t","datacontenttype":"application/json","data":{"a":1}}`;

  it('HTTP-M11: the body wins over ce- headers', () => {
    const { mode, events } = decodeHttp(
      distinct({ 'content-type': 'application/cloudevents+json', 'ce-id': 'header-id', 'ce-ext': 'h' }),
      utf8(body),
    );
    expect(mode).toBe('structured');
    expect(events[0]?.attributes).toEqual({ specversion: '1.0', id: 's1', source: '/s', type: 't', datacontenttype: 'application/json' });
    expect(text(events[0]?.data)).toBe('{"a":1}');
  });

  it('HTTP-M13: batch mode yields every member', () => {
    const { mode, events } = decodeHttp(distinct({ 'content-type': 'application/cloudevents-batch+json' }), utf8(`[${body},${body}]`));
    expect([mode, events.length]).toEqual(['batch', 2]);
    expect(decodeHttp(distinct({ 'content-type': 'application/cloudevents-batch+json' }), utf8('[]')).events).toEqual([]);
  });

  it('CORE-M1 in structured and batch members', () => {
    const noId = '{"specversion":"1.0","source":"/s","type":"t"}';
    expect(error(() => decodeHttp(distinct({ 'content-type': 'application/cloudevents+json' }), utf8(noId))).code).toBe(
      'CW_MISSING_ATTRIBUTE',
    );
    const err = error(() => decodeHttp(distinct({ 'content-type': 'application/cloudevents-batch+json' }), utf8(`[${body},${noId}]`)));
    expect([err.code, err.errors[0]?.path]).toEqual(['CW_INVALID_BATCH', '[1]/id']);
  });
});

describe('encodeHttpBinary / encodeHttpStructured', () => {
  it('HTTP-M2/M4/M6/M7: ce- headers with percent-encoded canonical strings, never ce-datacontenttype', () => {
    const ev = event({ ...MINIMAL, subject: 'a b"%é', n: 5, flag: false, datacontenttype: 'text/plain' }, 'hi');
    const { headers, body } = encodeHttpBinary(ev);
    expect(headers).toEqual({
      'ce-specversion': '1.0',
      'ce-id': 'x1',
      'ce-source': 'https://example.com/src',
      'ce-type': 'com.example.test',
      'ce-subject': 'a%20b%22%25%C3%A9',
      'ce-n': '5',
      'ce-flag': 'false', // §9: falsy values are still sent
      'content-type': 'text/plain',
    });
    expect(text(body)).toBe('hi');
  });

  it('CORE-S4/JSON-S2: no datacontenttype: application/json when the data is JSON, none otherwise', () => {
    expect(encodeHttpBinary(event(MINIMAL, '"I\'m just a string"')).headers['content-type']).toBe('application/json');
    expect(encodeHttpBinary(event(MINIMAL, Uint8Array.from([1, 2]))).headers).not.toHaveProperty('content-type');
    expect(encodeHttpBinary(event(MINIMAL)).headers).not.toHaveProperty('content-type');
    expect(encodeHttpBinary(event(MINIMAL)).body).toBeUndefined();
  });

  it('HTTP-M10: structured and batch content types', () => {
    expect(encodeHttpStructured(event(MINIMAL)).headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8' });
    expect(encodeHttpBatch([]).headers).toEqual({ 'content-type': 'application/cloudevents-batch+json; charset=utf-8' });
  });
});

/** Parses a raw HTTP/1.1 request as written in the feature file into headersDistinct + body. */
function rawRequest(raw: string): { headers: Record<string, string[]>; body: Uint8Array } {
  const [head, ...rest] = raw.split('\n\n');
  const headers: Record<string, string[]> = {};
  for (const line of (head ?? '').split('\n').slice(1)) {
    const colon = line.indexOf(':');
    (headers[line.slice(0, colon).trim().toLowerCase()] ??= []).push(line.slice(colon + 1).trim());
  }
  return { headers, body: utf8(rest.join('\n\n')) };
}

describe('conformance/features/http-protocol-binding.feature', () => {
  const scenarios = readFeature(readAcceptance('features/http-protocol-binding.feature'));

  it('has the four expanded scenarios', () => {
    expect(scenarios.map((s) => s.name)).toEqual([
      'Binary content mode (application/json)',
      'Binary content mode (application/json; charset=utf-8)',
      'Structured content mode (application/cloudevents+json)',
      'Structured content mode (application/cloudevents+json; charset=utf-8)',
    ]);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const { headers, body } = rawRequest(step(s, 'an HTTP request').docString ?? '');
    const { events } = decodeHttp(headers, body);
    expect(events).toHaveLength(1);
    expect(events[0]?.attributes).toEqual(keyValueTable(step(s, 'the attributes are').table));
    expect(JSON.parse(text(events[0]?.data) ?? '')).toEqual(JSON.parse(step(s, 'the data is equal to the following JSON').docString ?? ''));
  });
});
