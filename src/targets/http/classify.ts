/**
 * How a webhook answer or failure becomes an item outcome (DESIGN §6, HOOK-M2, HOOK-M6, HOOK-S1,
 * Standard Webhooks "Delivery success and failure"). docs/targets.md has the table.
 */
import type { ItemOutcome } from '../../core/index.js';
import { DELIVERED, printable, reject, retry } from '../outcomes.js';
import { parseRetryAfter } from './retry-after.js';

export interface HttpAnswer {
  readonly status: number;
  readonly retryAfter: string | readonly string[] | undefined;
  /** The start of the response body, for the message of a rejection. */
  readonly bodyStart: string;
}

export interface Classified {
  readonly outcome: ItemOutcome;
  /** 410 Gone (HOOK-S1): the engine disables the route. */
  readonly gone?: boolean;
}

const describe = (a: HttpAnswer): string => {
  const body = printable(a.bodyStart, 200);
  return body === '' ? `HTTP ${a.status}` : `HTTP ${a.status}: ${body}`;
};

export function classifyStatus(a: HttpAnswer, now: number = Date.now()): Classified {
  const s = a.status;
  if (s >= 200 && s <= 299) return { outcome: DELIVERED };
  const wait = parseRetryAfter(a.retryAfter, now);
  // HOOK-M2: a redirect is never followed and counts as a failure; retrying would meet it again.
  if (s >= 300 && s <= 399) return { outcome: reject('CW_TARGET_REJECTED', `${describe(a)} (redirects are not followed, HOOK-M2)`) };
  // HOOK-M6: obey Retry-After.
  if (s === 429) return { outcome: retry('CW_TARGET_THROTTLED', describe(a), wait) };
  if (s === 408) return { outcome: retry('CW_TARGET_TIMEOUT', describe(a), wait) };
  if (s >= 500) return { outcome: retry('CW_TARGET_UNAVAILABLE', describe(a), wait) };
  if (s === 410) return { outcome: reject('CW_TARGET_GONE', `${describe(a)} (target retired, route disabled, HOOK-S1)`), gone: true };
  if (s === 413) return { outcome: reject('CW_TARGET_PAYLOAD_TOO_LARGE', describe(a)) };
  // Other 4xx (and 1xx, which undici never hands over as final): the receiver will not change its mind.
  return { outcome: reject('CW_TARGET_REJECTED', describe(a)) };
}

/** undici error codes that mean the time ran out, not that the receiver is down. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * A failed request (no usable answer). Aborted by the engine's signal or any timeout: retry
 * CW_TARGET_TIMEOUT. Everything else (refused, reset, DNS, TLS, pool closed): retry
 * CW_TARGET_UNAVAILABLE, since another attempt may well succeed.
 */
export function classifyError(e: unknown, aborted: boolean): ItemOutcome {
  const err = e as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const code = typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : undefined;
  const message = printable(String(err?.message ?? e));
  if (aborted || err?.name === 'AbortError' || code === 'UND_ERR_ABORTED') {
    return retry('CW_TARGET_TIMEOUT', `request aborted before the target answered (timeout or shutdown): ${message}`);
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) return retry('CW_TARGET_TIMEOUT', `${code}: ${message}`);
  return retry('CW_TARGET_UNAVAILABLE', code === undefined ? message : `${code}: ${message}`);
}
