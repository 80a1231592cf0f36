/** Context-attribute rules CORE-M1..M22 (shared/spec/cloudevents.md §1) and JSON detection (JSON-M5, §9). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../../src/core/index.js';
import {
  isAbsoluteUri,
  isJsonContentType,
  isMediaType,
  isRfc3339,
  isTraceparent,
  isUriReference,
  validateAttributes,
} from '../../../src/codec/index.js';
import { MINIMAL } from './support.js';

const codes = (attrs: Record<string, AttributeValue>, prefix?: string): string[] =>
  validateAttributes(attrs, prefix).map((e) => `${e.path}:${e.code}`);
const withAttr = (name: string, value: AttributeValue): Record<string, AttributeValue> => ({ ...MINIMAL, [name]: value });

describe('validateAttributes', () => {
  it('accepts the minimal event', () => {
    expect(validateAttributes(MINIMAL)).toEqual([]);
  });

  it.each(['id', 'source', 'specversion', 'type'])('CORE-M1: rejects an event without %s', (name) => {
    const attrs: Record<string, AttributeValue> = { ...MINIMAL };
    delete attrs[name];
    expect(codes(attrs)).toEqual([`${name}:CW_MISSING_ATTRIBUTE`]);
  });

  it('property: the memo of passed values never changes an answer (same verdicts fresh, repeated, past its cap)', () => {
    const sources = ['/ok', 'https://x.example/a', 'not a uri', '', '%zz', '/ok'];
    const cts = ['application/json', 'text/plain; charset=utf-8', 'xyz', 'text/'];
    fc.assert(
      fc.property(fc.constantFrom(...sources), fc.constantFrom(...cts), fc.string(), (source, ct, noise) => {
        const attrs = { ...MINIMAL, source, datacontenttype: ct, type: noise === '' ? 't' : noise };
        const first = codes(attrs);
        // Flood the memo past its bound with distinct valid sources, then ask again.
        for (let i = 0; i < 1100; i++) validateAttributes({ ...MINIMAL, source: `/flood/${i}/${noise.length}` });
        expect(codes(attrs)).toEqual(first);
        expect(codes(attrs)).toEqual(first);
      }),
      { numRuns: 30 },
    );
    expect(codes({ ...MINIMAL, source: 'not a uri' })).toEqual(['source:CW_INVALID_ATTRIBUTE']);
    // Passes are remembered per attribute: a good `source` is no good `datacontenttype`.
    expect(codes({ ...MINIMAL, source: 'text/x' })).toEqual([]);
    expect(codes({ ...MINIMAL, datacontenttype: '/ok' })).toEqual(['datacontenttype:CW_INVALID_ATTRIBUTE']);
    expect(codes({ ...MINIMAL, type: '\u0001' })).toEqual(['type:CW_INVALID_ATTRIBUTE']);
  });

  it('prefixes paths (batch members)', () => {
    expect(codes({ ...MINIMAL, id: '' }, '[3]/')).toEqual(['[3]/id:CW_INVALID_ATTRIBUTE']);
  });

  it.each([
    ['id', 'CORE-M3'],
    ['type', 'CORE-M6'],
    ['subject', 'CORE-M11'],
    ['partitionkey', 'EXT-PART-M1'],
    ['traceparent', 'EXT-TRACE-M1'],
  ])('rejects an empty %s (%s)', (name, rule) => {
    const errs = validateAttributes(withAttr(name, ''));
    expect(errs.map((e) => e.code)).toEqual(['CW_INVALID_ATTRIBUTE']);
    expect(errs[0]?.message).toContain(rule);
  });

  it('CORE-M3/M6: id and type must be Strings, not numbers or booleans', () => {
    expect(codes(withAttr('id', 25))).toEqual(['id:CW_INVALID_ATTRIBUTE']);
    expect(codes(withAttr('type', true))).toEqual(['type:CW_INVALID_ATTRIBUTE']);
  });

  it('CORE-M4: source is a non-empty URI-reference; relative references are fine', () => {
    for (const ok of [
      '#fragment',
      '/mycontext',
      '1-555-123-4567',
      '//authority/path',
      'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
      'mailto:a@example.com',
      'https://x.example/p?q=1#f',
    ]) {
      expect(codes(withAttr('source', ok)), ok).toEqual([]);
    }
    for (const bad of ['', 'a b', '%zz', 'http://[::1']) {
      expect(codes(withAttr('source', bad)), bad).toEqual(['source:CW_INVALID_ATTRIBUTE']);
    }
  });

  it('CORE-M5: specversion must be the String "1.0"', () => {
    expect(codes(withAttr('specversion', ''))).toEqual(['specversion:CW_INVALID_ATTRIBUTE']);
    for (const v of ['0.9', '9000.1', '0.3', '1.0 ', '11.8']) {
      expect(codes(withAttr('specversion', v)), v).toEqual(['specversion:CW_UNSUPPORTED_SPECVERSION']);
    }
    expect(codes(withAttr('specversion', 1))).toEqual(['specversion:CW_INVALID_ATTRIBUTE']);
  });

  it('CORE-M8: datacontenttype follows RFC 2046', () => {
    for (const ok of [
      'text/plain',
      'application/json; charset=utf-8',
      'TEXT/Plain; CharSet=utf-8',
      'application/cloudevents+json;charset=UTF-8',
      'a/b; x="q \\" s"',
    ]) {
      expect(codes(withAttr('datacontenttype', ok)), ok).toEqual([]);
    }
    for (const bad of ['xyz', '', 'text/', '/plain', 'a b/c', 'text/plain; =x', 'text/plain; a="unterminated']) {
      expect(codes(withAttr('datacontenttype', bad)), bad).toEqual(['datacontenttype:CW_INVALID_ATTRIBUTE']);
    }
  });

  it('CORE-M10: dataschema is a non-empty absolute URI', () => {
    expect(codes(withAttr('dataschema', 'https://example.com/schema.json'))).toEqual([]);
    expect(codes(withAttr('dataschema', 'urn:example:schema'))).toEqual([]);
    for (const bad of ['', '/schemas/x', 'schemas/x', '#frag']) {
      expect(codes(withAttr('dataschema', bad)), bad).toEqual(['dataschema:CW_INVALID_ATTRIBUTE']);
    }
  });

  it('CORE-M12: time is RFC 3339', () => {
    for (const ok of [
      '2018-04-05T17:31:00Z',
      '2018-04-05T17:31:00.000000000Z',
      '2018-04-05T18:31:00+01:00',
      '2018-04-05T16:31:00-01:00',
      '2018-04-26T14:48:09.1234Z',
      '2020-02-29T00:00:00z',
    ]) {
      expect(codes(withAttr('time', ok)), ok).toEqual([]);
    }
    for (const bad of [
      'lunchtime',
      '2018-04-05T18:31Z',
      '2018-04-05T18:31:00X',
      '2018-04-05T18:31:00+25:00',
      '2018-04-05T18:31:00+xx:00',
      '2018-04-05T18:31:00+05',
      '2018-04-05',
      '2018-04-05 17:31:00Z',
      '2019-02-29T00:00:00Z',
      '2018-13-01T00:00:00Z',
      '2018-04-31T00:00:00Z',
      '2018-04-05T24:00:00Z',
      '2018-04-05T17:60:00Z',
      '2018-04-05T17:31:00.Z',
    ]) {
      expect(codes(withAttr('time', bad)), bad).toEqual(['time:CW_INVALID_ATTRIBUTE']);
    }
  });

  it('CORE-M13: names are [a-z0-9]+', () => {
    for (const bad of ['MyExtension', 'my.extension', 'a_invalid_name', 'bad-extension', '']) {
      expect(codes(withAttr(bad, 'x')), bad).toEqual([`${bad}:CW_INVALID_ATTRIBUTE_NAME`]);
    }
    expect(codes(withAttr('opcuametadatamajorversion', 1))).toEqual([]); // CORE-S2: long names are fine
  });

  it('CORE-M14: no attribute may be called data', () => {
    expect(codes(withAttr('data', 'x'))).toEqual(['data:CW_INVALID_ATTRIBUTE_NAME']);
  });

  it('CORE-M16/M18: Integer is int32; floats are no type', () => {
    expect(codes(withAttr('ext', 2147483647))).toEqual([]);
    expect(codes(withAttr('ext', -2147483648))).toEqual([]);
    for (const bad of [2147483648, 4247483647, -2147483649, 1.5, 42.42, Number.NaN]) {
      expect(codes(withAttr('ext', bad)), String(bad)).toEqual(['ext:CW_INVALID_ATTRIBUTE']);
    }
    // Values from a JS caller outside the type system (CORE-M16).
    expect(codes(withAttr('ext', { a: 1 } as unknown as AttributeValue))).toEqual(['ext:CW_INVALID_ATTRIBUTE']);
  });

  it('CORE-M17: Boolean values are booleans; "TRUE" is only a String', () => {
    expect(codes(withAttr('ext', false))).toEqual([]);
    expect(codes(withAttr('ext', 'TRUE'))).toEqual([]);
  });

  it('CORE-M19: String forbids control characters, noncharacters and unpaired surrogates', () => {
    for (const bad of ['a\nb', '\u0000', '\u007f', '\u009f', '\ufdd0', '\ufffe', '\uffff', '\uDEAD', 'x\uD800', '\uD83F\uDFFF']) {
      expect(codes(withAttr('subject', bad)), JSON.stringify(bad)).toEqual(['subject:CW_INVALID_ATTRIBUTE']);
    }
    for (const ok of ['\uD800\uDEAD', 'Euro € 😀', '\u00a0', '\ufdcf', '\ufdf0']) {
      expect(codes(withAttr('subject', ok)), JSON.stringify(ok)).toEqual([]);
    }
  });

  it('EXT-TRACE-M1: traceparent has the W3C format', () => {
    expect(codes(withAttr('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01'))).toEqual([]);
    for (const bad of [
      '00-0AF7651916CD43DD8448EB211C80319C-b9c7c989f97918e1-01',
      'ff-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01',
      '00-00000000000000000000000000000000-b9c7c989f97918e1-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      '00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01-extra',
      'garbage',
    ]) {
      expect(isTraceparent(bad), bad).toBe(false);
    }
    expect(isTraceparent('01-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01-future')).toBe(true);
    expect(codes(withAttr('traceparent', 5))).toEqual(['traceparent:CW_INVALID_ATTRIBUTE']);
  });

  it('reports every problem, not just the first', () => {
    const errs = codes({ id: '', source: 'a b', type: 't', Bad: 'x', ext: 1.5 });
    expect(errs).toEqual([
      'specversion:CW_MISSING_ATTRIBUTE',
      'id:CW_INVALID_ATTRIBUTE',
      'source:CW_INVALID_ATTRIBUTE',
      'Bad:CW_INVALID_ATTRIBUTE_NAME',
      'ext:CW_INVALID_ATTRIBUTE',
    ]);
  });
});

describe('RFC 3986 grammar', () => {
  it('URI-reference edge cases', () => {
    for (const ok of [
      '',
      'a',
      'a:',
      'http://[::1]:8080/x',
      'http://[v1.fe80::a+en1]/',
      'http://[::ffff:192.0.2.1]/',
      'http://u:p@h:1/',
      '//h',
      '?q',
      'a/b:c',
      '%41',
    ]) {
      expect(isUriReference(ok), ok).toBe(true);
    }
    for (const bad of [
      '1a:b',
      'http://[::1',
      'http://[1:2:3:4:5:6:7:8:9]/',
      'http://[g::]/',
      'http://h:port/',
      'a#b#c',
      'http://h/\u00e9',
      'a\\b',
      'http://a@b@c/',
      '%4',
      '<x>',
    ]) {
      expect(isUriReference(bad), bad).toBe(false);
    }
  });

  it('absolute URIs need a scheme', () => {
    expect(isAbsoluteUri('https://example.com/s.json#/defs/x')).toBe(true);
    expect(isAbsoluteUri('//example.com/s')).toBe(false);
  });

  it('property: every URL the WHATWG parser serializes is an RFC 3986 URI', () => {
    fc.assert(
      fc.property(fc.webUrl({ withFragments: true, withQueryParameters: true }), (u) => {
        expect(isAbsoluteUri(new URL(u).href)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('isJsonContentType (JSON-M5, CORE-M9; sdk-java dataIsJsonContentType list)', () => {
  it.each([
    'application/json',
    'application/json;charset=utf-8',
    'application/json;\tcharset = "utf-8"',
    'application/cloudevents+json;charset=UTF-8',
    'text/json',
    'text/json;',
    'text/json; \t',
    'text/cloudevents+json;charset=UTF-8',
    "text/json; char-set = $!#$%&'*+.^_`|",
    'APPLICATION/JSON',
    'Application/Ld+Json; CharSet=utf-8',
  ])('yes: %j', (ct) => {
    expect(isJsonContentType(ct)).toBe(true);
  });

  it('yes when absent (JSON-S1)', () => {
    expect(isJsonContentType(undefined)).toBe(true);
  });

  it.each([
    'applications/json',
    'application/jsom',
    'application/jsonwrong',
    'text/json ',
    'text/json ;',
    'test/json',
    'text/plain',
    'application/xml',
  ])('no: %j', (ct) => {
    expect(isJsonContentType(ct)).toBe(false);
  });

  it('media-type checks stay linear on adversarial input (no ReDoS)', () => {
    const t0 = performance.now();
    expect(isMediaType('a/b' + '; '.repeat(20_000) + ' x')).toBe(false);
    expect(isMediaType('a/b;' + ' '.repeat(50_000) + 'x')).toBe(false);
    expect(isMediaType('a/b; x=' + 'y'.repeat(50_000) + '@')).toBe(false);
    expect(isMediaType('a/b' + '; '.repeat(20_000))).toBe(true);
    expect(isJsonContentType('application/' + '+'.repeat(50_000) + 'x')).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('CORE-M9: case does not change the answer', () => {
    expect(isJsonContentType('TEXT/Plain; CharSet=utf-8')).toBe(isJsonContentType('text/plain; charset=utf-8'));
    expect(isMediaType('TEXT/Plain; CharSet=utf-8')).toBe(true);
  });
});

describe('isRfc3339', () => {
  it('accepts leap days and the leap second, rejects impossible dates', () => {
    expect(isRfc3339('2000-02-29T00:00:00Z')).toBe(true);
    expect(isRfc3339('1900-02-29T00:00:00Z')).toBe(false);
    expect(isRfc3339('2016-12-31T23:59:60Z')).toBe(true);
    expect(isRfc3339('2016-12-31T23:59:61Z')).toBe(false);
    expect(isRfc3339('2018-04-05T17:31:00+23:59')).toBe(true);
    expect(isRfc3339('2018-04-05T17:31:00+23:60')).toBe(false);
  });

  it('property: every Date#toISOString() is valid', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) =>
        isRfc3339(d.toISOString()),
      ),
    );
  });
});
