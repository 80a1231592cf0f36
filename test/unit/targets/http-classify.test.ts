import { describe, expect, it } from 'vitest';
import { classifyError, classifyStatus } from '../../../src/targets/http/classify.js';

const answer = (status: number, retryAfter?: string, bodyStart = '') => classifyStatus({ status, retryAfter, bodyStart }, 0);

describe('webhook answer classification (HOOK-M2, HOOK-M6, HOOK-S1)', () => {
  it('every 2xx is delivered', () => {
    for (let s = 200; s <= 299; s++) expect(answer(s).outcome).toEqual({ status: 'delivered' });
  });

  it('every 3xx is a rejection: redirects are not followed', () => {
    for (let s = 300; s <= 399; s++) expect(answer(s).outcome).toMatchObject({ status: 'reject', code: 'CW_TARGET_REJECTED' });
  });

  it('408, 429 and 5xx are retried, with Retry-After when given', () => {
    expect(answer(408).outcome).toMatchObject({ status: 'retry', code: 'CW_TARGET_TIMEOUT' });
    expect(answer(429, '7').outcome).toEqual({ status: 'retry', code: 'CW_TARGET_THROTTLED', message: 'HTTP 429', retryAfterMs: 7000 });
    for (let s = 500; s <= 599; s++) expect(answer(s).outcome).toMatchObject({ status: 'retry', code: 'CW_TARGET_UNAVAILABLE' });
    expect(answer(503, 'Thu, 01 Jan 1970 00:00:05 GMT').outcome).toMatchObject({ retryAfterMs: 5000 });
    expect(answer(503).outcome).not.toHaveProperty('retryAfterMs');
  });

  it('410 rejects with CW_TARGET_GONE and asks to disable the route; 413 is too large; other 4xx rejected', () => {
    expect(answer(410)).toMatchObject({ gone: true, outcome: { status: 'reject', code: 'CW_TARGET_GONE' } });
    expect(answer(413).outcome).toMatchObject({ status: 'reject', code: 'CW_TARGET_PAYLOAD_TOO_LARGE' });
    for (const s of [400, 401, 402, 403, 404, 405, 409, 415, 418, 422, 451, 499]) {
      const c = answer(s, undefined, 'why\u0000 not\n');
      expect(c.outcome).toEqual({ status: 'reject', code: 'CW_TARGET_REJECTED', message: `HTTP ${s}: why not` });
      expect(c.gone).toBeUndefined();
    }
  });

  it('errors: aborted → CW_TARGET_TIMEOUT; undici timeouts → CW_TARGET_TIMEOUT; connection trouble → CW_TARGET_UNAVAILABLE', () => {
    expect(classifyError(new Error('This operation was aborted'), true)).toMatchObject({ status: 'retry', code: 'CW_TARGET_TIMEOUT' });
    expect(classifyError(Object.assign(new Error('x'), { name: 'AbortError' }), false)).toMatchObject({ code: 'CW_TARGET_TIMEOUT' });
    for (const code of ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])
      expect(classifyError(Object.assign(new Error('t'), { code }), false)).toMatchObject({ code: 'CW_TARGET_TIMEOUT' });
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])
      expect(classifyError(Object.assign(new Error('c'), { code }), false)).toMatchObject({
        status: 'retry',
        code: 'CW_TARGET_UNAVAILABLE',
      });
    expect(classifyError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), false)).toMatchObject({
      code: 'CW_TARGET_UNAVAILABLE',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
