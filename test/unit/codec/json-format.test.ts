/** The JSON event format: JSON-M1..M9, JSON-S1..S3, JSON-N1/N4, CORE-M2/M16/M18/M25 through the format. */
import { describe, expect, it } from 'vitest';
import { CausewayError } from '../../../src/core/index.js';
import { encodeBatch, encodeStructuredEvent, parseBatch, parseStructuredEvent } from '../../../src/codec/index.js';
import { event, MINIMAL, text, utf8 } from './support.js';

const head = '"specversion":"1.0","id":"x1","source":"https://example.com/src","type":"com.example.test"';
const parse = (members: string): ReturnType<typeof parseStructuredEvent> => parseStructuredEvent(utf8(`{${head}${members}}`));
function error(f: () => unknown): CausewayError {
  try {
    f();
  } catch (e) {
    if (e instanceof CausewayError) return e;
    throw e;
  }
  throw new Error('expected a CausewayError');
}
const encoded = (ev: Parameters<typeof encodeStructuredEvent>[0]): Record<string, unknown> =>
  JSON.parse(text(encodeStructuredEvent(ev)) as string);

describe('parseStructuredEvent', () => {
  it('JSON-N4: keeps the data digits exactly (no JS number round trip)', () => {
    const ev = parse(',"data": 1524831183200260097');
    expect(text(ev.data)).toBe('1524831183200260097');
  });

  it('JSON-N4: keeps the JSON value text verbatim, whitespace and key order included', () => {
    const ev = parse(',"datacontenttype":"application/json","data": {"b" : 1.50, "a":[1e3, "\\u00e9"]} ');
    expect(text(ev.data)).toBe('{"b" : 1.50, "a":[1e3, "\\u00e9"]}');
  });

  it('JSON-M8: a JSON string under a JSON content type stays a quoted JSON string', () => {
    const ev = parse(',"datacontenttype":"application/json","data":"{\\"a\\":1}"');
    expect(text(ev.data)).toBe('"{\\"a\\":1}"');
  });

  it('JSON-S1: without datacontenttype data is JSON; JSON-M5 no datacontenttype is added', () => {
    const ev = parse(',"data":"I\'m just a string"');
    expect(text(ev.data)).toBe('"I\'m just a string"');
    expect(ev.attributes['datacontenttype']).toBeUndefined();
  });

  it('JSON-S3: non-JSON content type: data is the string content', () => {
    const ev = parse(',"datacontenttype":"application/xml","data":"<much wow=\\"xml\\"/>"');
    expect(text(ev.data)).toBe('<much wow="xml"/>');
  });

  it('JSON-S3: non-JSON content type with non-string data is rejected', () => {
    const err = error(() => parse(',"datacontenttype":"text/plain","data":{"a":1}'));
    expect(err.code).toBe('CW_INVALID_DATA');
    expect(err.errors[0]?.path).toBe('data');
  });

  it('JSON-N1: "data": null is explicit null data, distinct from no data', () => {
    expect(text(parse(',"data":null').data)).toBe('null');
    expect(parse('').data).toBeUndefined();
    // Our choice: with a non-JSON content type null can only mean "no content".
    expect(parse(',"datacontenttype":"text/plain","data":null').data).toBeUndefined();
  });

  it('JSON-M7: data_base64 decodes to bytes; no datacontenttype is assumed', () => {
    const ev = parse(',"data_base64":"eyAieHl6IjogMTIzIH0="');
    expect(text(ev.data)).toBe('{ "xyz": 123 }');
    expect(ev.attributes['datacontenttype']).toBeUndefined();
    expect([...(parse(',"data_base64":"TWE"').data ?? [])]).toEqual([0x4d, 0x61]); // padding optional
  });

  it('JSON-M7: data_base64 that is not Base64 is rejected', () => {
    for (const bad of ['"a"', '"@@@@"', '"TWE=x"', '5', '{}']) {
      expect(error(() => parse(`,"data_base64":${bad}`)).code, bad).toBe('CW_INVALID_DATA');
    }
  });

  it('JSON-M6: data and data_base64 together are rejected, even with data null', () => {
    expect(error(() => parse(',"data":"t","data_base64":"TWE="')).code).toBe('CW_INVALID_DATA');
    expect(error(() => parse(',"data":null,"data_base64":"TWE="')).code).toBe('CW_INVALID_DATA');
    expect(parse(',"data":"t","data_base64":null').data).toEqual(utf8('"t"'));
  });

  it('JSON-M4: null attributes are unset; a null required attribute is missing', () => {
    const ev = parse(',"subject":null,"time":null,"datacontenttype":null,"dataschema":null,"ext":null');
    expect(ev.attributes).toEqual(MINIMAL);
    const err = error(() => parseStructuredEvent(utf8('{"specversion":"1.0","id":null,"source":"/s","type":"t"}')));
    expect(err.code).toBe('CW_MISSING_ATTRIBUTE');
    expect(err.errors.map((e) => e.path)).toEqual(['id']);
  });

  it('JSON-M2/M3: typed extensions map to Integer, Boolean and String', () => {
    const ev = parse(',"extint":-42,"extbool":false,"extstr":"42.42","zero":-0');
    expect(ev.attributes).toMatchObject({ extint: -42, extbool: false, extstr: '42.42', zero: 0 });
  });

  it.each(['1.5', '5.0', '1e3', '42.42', '2147483648', '4247483647', '-2147483649'])(
    'CORE-M16/M18: extension value %s is rejected',
    (raw) => {
      const err = error(() => parse(`,"myext":${raw}`));
      expect(err.code).toBe('CW_INVALID_ATTRIBUTE');
      expect(err.errors.map((e) => e.path)).toEqual(['myext']);
    },
  );

  it('CORE-M16: objects and arrays are no attribute type', () => {
    expect(error(() => parse(',"myext":{"a":1}')).code).toBe('CW_INVALID_ATTRIBUTE');
    expect(error(() => parse(',"myext":[1]')).code).toBe('CW_INVALID_ATTRIBUTE');
  });

  it('CORE-M5: the JSON number 1.0 is not the String "1.0"', () => {
    const err = error(() => parseStructuredEvent(utf8('{"specversion":1.0,"id":"a","source":"/s","type":"t"}')));
    expect(err.errors.map((e) => e.path)).toEqual(['specversion']);
  });

  it('CORE-M13: a "__proto__" member is rejected as a name, not swallowed by the prototype', () => {
    const err = error(() => parse(',"__proto__":"x"'));
    expect([err.code, err.errors[0]?.path]).toEqual(['CW_INVALID_ATTRIBUTE_NAME', '__proto__']);
  });

  it('CORE-M2: a duplicated member is rejected, not last-wins', () => {
    const err = error(() => parse(',"id":"other"'));
    expect(err.code).toBe('CW_DUPLICATE_ATTRIBUTE');
    expect(err.errors[0]?.path).toBe('id');
    expect(error(() => parse(',"data":1,"data":2')).code).toBe('CW_DUPLICATE_ATTRIBUTE');
  });

  it('CORE-M19: a String attribute with a lone surrogate escape is rejected', () => {
    expect(error(() => parse(',"subject":"\\uDEAD"')).code).toBe('CW_INVALID_ATTRIBUTE');
    expect(parse(',"subject":"\\uD800\\uDEAD"').attributes['subject']).toBe('\uD800\uDEAD');
  });

  it('malformed JSON gives CW_MALFORMED_JSON with the position', () => {
    const err = error(() => parseStructuredEvent(utf8('{"id": "a",}')));
    expect(err.code).toBe('CW_MALFORMED_JSON');
    expect(err.message).toMatch(/position 11/);
    for (const bad of ['', '{', '{"a":1} x', "{'a':1}", '{"a":01}', '{"a":"\t"}', '{"a":tru}', '[1,]', 'NaN']) {
      expect(error(() => parseStructuredEvent(utf8(bad))).code, bad).toBe('CW_MALFORMED_JSON');
    }
  });

  it('rejects bytes that are not UTF-8, and takes a leading BOM', () => {
    expect(error(() => parseStructuredEvent(Uint8Array.from([0x7b, 0xff, 0x7d]))).code).toBe('CW_MALFORMED_JSON');
    expect(parseStructuredEvent(utf8(`\uFEFF{${head}}`)).attributes).toEqual(MINIMAL);
  });

  it('a JSON value that is not an object is not an event', () => {
    expect(error(() => parseStructuredEvent(utf8('[]'))).code).toBe('CW_INVALID_REQUEST');
  });
});

describe('parseBatch (JSON-M9, CORE-M25)', () => {
  const member = (id: string, extra = ''): string => `{"specversion":"1.0","id":"${id}","source":"/s","type":"t"${extra}}`;

  it('parses members in order; [] is an empty batch', () => {
    expect(parseBatch(utf8(`[${member('a')},${member('b', ',"data":{"x":1}')}]`)).map((e) => [e.attributes['id'], text(e.data)])).toEqual([
      ['a', undefined],
      ['b', '{"x":1}'],
    ]);
    expect(parseBatch(utf8(' [ ] '))).toEqual([]);
  });

  it('is all-or-nothing and lists every bad member with [i]/attr paths', () => {
    const err = error(() => parseBatch(utf8(`[${member('a')},${member('', ',"Bad":1')},"x",${member('d', ',"time":"noon"')}]`)));
    expect(err.code).toBe('CW_INVALID_BATCH');
    expect(err.errors.map((e) => `${e.path}:${e.code}`)).toEqual([
      '[1]/Bad:CW_INVALID_ATTRIBUTE_NAME',
      '[1]/id:CW_INVALID_ATTRIBUTE',
      '[2]:CW_INVALID_BATCH',
      '[3]/time:CW_INVALID_ATTRIBUTE',
    ]);
    expect(err.message).toMatch(/3 of 4/);
  });

  it('CORE-M25: mixed specversions give CW_MIXED_SPECVERSION', () => {
    const err = error(() => parseBatch(utf8(`[${member('a')},${member('b').replace('"1.0"', '"0.9"')}]`)));
    expect(err.code).toBe('CW_MIXED_SPECVERSION');
    expect(err.errors[0]?.path).toBe('[1]/specversion');
  });

  it('a batch must be an array', () => {
    expect(error(() => parseBatch(utf8(member('a')))).code).toBe('CW_INVALID_BATCH');
    expect(error(() => parseBatch(utf8('['))).code).toBe('CW_MALFORMED_JSON');
  });
});

describe('encodeStructuredEvent (JSON-M1..M5)', () => {
  it('JSON-M3: Integer → number, Boolean → boolean, others → strings', () => {
    const json = encoded(event({ ...MINIMAL, n: 5, b: false, s: '5' }));
    expect(json).toEqual({ ...MINIMAL, n: 5, b: false, s: '5' });
  });

  it('JSON-M5: JSON data is spliced in verbatim as a JSON value, never a string', () => {
    const raw = '{"big": 1524831183200260097, "f": 1.50}';
    const out = text(encodeStructuredEvent(event({ ...MINIMAL, datacontenttype: 'application/json' }, raw)));
    expect(out).toContain(`"data":${raw}`);
    expect(text(parseStructuredEvent(utf8(out as string)).data)).toBe(raw);
  });

  it('JSON-M5: non-JSON text goes in data as a string', () => {
    expect(encoded(event({ ...MINIMAL, datacontenttype: 'application/xml' }, '<much wow="xml"/>'))['data']).toBe('<much wow="xml"/>');
    expect(encoded(event({ ...MINIMAL, datacontenttype: 'text/plain; charset=utf-8' }, 'Hello, 🌎!'))['data']).toBe('Hello, 🌎!');
  });

  it('JSON-M5: binary data goes in data_base64 and no datacontenttype is added', () => {
    const json = encoded(event(MINIMAL, Uint8Array.from([0, 255, 1])));
    expect(json['data_base64']).toBe('AP8B');
    expect(json).not.toHaveProperty('datacontenttype');
    expect(json).not.toHaveProperty('data');
    const octets = encoded(event({ ...MINIMAL, datacontenttype: 'application/octet-stream' }, 'abc'));
    expect(octets['data_base64']).toBe('YWJj');
  });

  it('bytes that do not fit their content type are kept in data_base64 (JSON-N3)', () => {
    expect(encoded(event({ ...MINIMAL, datacontenttype: 'application/json' }, 'not json'))['data_base64']).toBe('bm90IGpzb24=');
    expect(encoded(event({ ...MINIMAL, datacontenttype: 'text/plain' }, Uint8Array.from([0xc3])))['data_base64']).toBe('ww==');
    expect(encoded(event({ ...MINIMAL, datacontenttype: 'text/plain; charset=iso-8859-1' }, 'abc'))['data_base64']).toBe('YWJj');
  });

  it('JSON-N1: data bytes "null" become "data": null; no data means no member', () => {
    expect(text(encodeStructuredEvent(event(MINIMAL, 'null')))).toMatch(/"data":null}$/);
    expect(encoded(event(MINIMAL))).toEqual(MINIMAL);
  });

  it('encodeBatch writes a JSON array that parseBatch reads back', () => {
    const evs = [event(MINIMAL, '{"a":1}'), event({ ...MINIMAL, id: 'x2', datacontenttype: 'text/plain' }, 'hi')];
    const back = parseBatch(encodeBatch(evs));
    expect(back.map((e) => [e.attributes, text(e.data)])).toEqual(evs.map((e) => [e.attributes, text(e.data)]));
    expect(text(encodeBatch([]))).toBe('[]');
  });
});
