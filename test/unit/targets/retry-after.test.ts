import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHttpDate, parseRetryAfter } from '../../../src/targets/http/index.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

describe('Retry-After (RFC 9110 §10.2.3)', () => {
  it('delay-seconds become milliseconds', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (s) => parseRetryAfter(String(s), NOW) === s * 1000));
    expect(parseRetryAfter(' 2 ', NOW)).toBe(2000);
  });

  it('an IMF-fixdate (what toUTCString writes) becomes the wait until then, 0 when past', () => {
    fc.assert(
      fc.property(fc.integer({ min: -86_400, max: 86_400 * 30 }), (s) => {
        const at = NOW + s * 1000;
        return parseRetryAfter(new Date(at).toUTCString(), NOW) === Math.max(0, at - NOW);
      }),
    );
  });

  it('accepts the three HTTP-date forms of RFC 9110 §5.6.7', () => {
    const t = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(t);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(t);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(t);
  });

  it('ignores what it cannot read', () => {
    for (const v of [
      '',
      'soon',
      '-1',
      '1.5',
      '0x10',
      'Sun, 06 Nov 1994 08:49:37 PST',
      'Sun, 06 Foo 1994 08:49:37 GMT',
      '2026-01-15T12:00:00Z',
    ]) {
      expect(parseRetryAfter(v, NOW), v).toBeUndefined();
    }
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter(['1', '2'], NOW)).toBeUndefined(); // conflicting copies
    expect(parseRetryAfter(['3', '3'], NOW)).toBe(3000);
  });
});
