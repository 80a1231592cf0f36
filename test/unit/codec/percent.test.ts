/** HTTP header value percent-encoding: HTTP-M7, HTTP-M8, the HTTP-M9 vectors and HTTP-N4. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CausewayError } from '../../../src/core/index.js';
import { percentDecode, percentEncode } from '../../../src/codec/index.js';
import { ceString } from './support.js';

/** What Node's HTTP parser hands over for a raw UTF-8 header value (HTTP-N4). */
const asLatin1Wire = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

describe('HTTP-M9 vectors', () => {
  it.each([
    ['simple', 'simple'],
    ['Euro € 😀', 'Euro%20%E2%82%AC%20%F0%9F%98%80'],
    ['space encoded', 'space%20encoded'],
    ['percent%encoded', 'percent%25encoded'],
    ['quote"encoded', 'quote%22encoded'],
    ['café', 'caf%C3%A9'],
    ['line1\r\nline2', 'line1%0D%0Aline2'],
  ])('%j ⇄ %s', (value, header) => {
    expect(percentEncode(value)).toBe(header);
    expect(percentDecode(header)).toBe(value);
  });

  it.each([
    ['lenient decoding %30%31', 'lenient decoding 01'],
    ['"  quoted  text  "unquoted', '  quoted  text  unquoted'],
    ['"escaped quote\\"end"', 'escaped quote"end'],
    ['"escaped backslash\\\\end"', 'escaped backslash\\end'],
    ['non-escaping backslash\\end', 'non-escaping backslash\\end'],
    ['Euro%20%e2%82%ac%20%f0%9F%98%80', 'Euro € 😀'],
  ])('decodes %j to %j', (header, value) => {
    expect(percentDecode(header)).toBe(value);
  });

  it.each([
    'unterminated percent %',
    '%0',
    'non hex percent %g0',
    '%0g',
    '%0$',
    'low surrogate %ED%B0%80',
    'high surrogate %ED%A0%80',
    '%ED%A0%80%ED%B0%80',
    'overlong UTF-8 %C0%A0',
    'incomplete end UTF-8 %E2',
    '%E2%',
    '%E2x',
    'invalid UTF-8 first byte %82',
    'invalid UTF-8 second byte %E2%E2',
    '"unterminated quote',
    '"unterminated escape \\',
  ])('fails for %j', (header) => {
    let err: unknown;
    try {
      percentDecode(header);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CausewayError);
    expect((err as CausewayError).code).toBe('CW_INVALID_HEADER_ENCODING');
    expect((err as CausewayError).status).toBe(400);
  });
});

describe('percentEncode (HTTP-M7)', () => {
  it('encodes space, quote, percent and everything outside U+0021–U+007E, upper-case hex', () => {
    expect(percentEncode(' "%\u007f\u0080\u00ff\t~!')).toBe('%20%22%25%7F%C2%80%C3%BF%09~!');
  });

  it('counts a surrogate pair as one character', () => {
    expect(percentEncode('😀')).toBe('%F0%9F%98%80');
  });

  it('cannot encode an unpaired surrogate', () => {
    expect(() => percentEncode('\uD800')).toThrow(CausewayError);
  });

  it('property: output is printable ASCII without space, quote or stray percent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(percentEncode(s)).toMatch(/^(?:[\x21\x23\x24\x26-\x7e]|%[0-9A-F]{2})*$/);
      }),
    );
  });
});

describe('percentDecode', () => {
  it('property: decode(encode(s)) === s for every valid string', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => percentDecode(percentEncode(s)) === s));
  });

  it('property: round trip of CE String values', () => {
    fc.assert(fc.property(ceString(), (s) => percentDecode(percentEncode(s)) === s));
  });

  it('does exactly one round of decoding (HTTP-M8)', () => {
    expect(percentDecode('%2541')).toBe('%41');
  });

  it('HTTP-N4: raw UTF-8 bytes delivered as latin1 by Node are decoded as UTF-8', () => {
    expect(percentDecode(asLatin1Wire('café'))).toBe('café');
    expect(percentDecode(asLatin1Wire('😀 ok'))).toBe('😀 ok');
  });

  it('HTTP-N4: raw bytes that are not UTF-8 are rejected (a latin1 sender)', () => {
    expect(() => percentDecode('caf\u00e9')).toThrow(/not valid UTF-8/);
  });

  it('takes text with characters above U+00FF as already decoded', () => {
    expect(percentDecode('€uro%20x')).toBe('€uro x');
  });

  it('property: raw UTF-8 on the wire decodes the same as its percent-encoding', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }).filter((s) => !/["%]/.test(s)),
        (s) => {
          expect(percentDecode(asLatin1Wire(s))).toBe(s);
        },
      ),
    );
  });
});
