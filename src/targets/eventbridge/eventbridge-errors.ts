/**
 * How a PutEvents answer becomes item outcomes (issue #5; docs/targets.md has the table).
 *
 * - Per entry (HTTP 200 with FailedEntryCount > 0): AWS documents ThrottlingException and
 *   InternalFailure as the retryable entry errors (PutEventsResultEntry); every other ErrorCode
 *   (AccessDeniedException, InvalidArgument, MalformedDetail, NotAuthorizedFor…, …) is final and
 *   goes to the dead letter topic with the code in the message.
 * - Whole request: throttling → CW_TARGET_THROTTLED; 5xx, network errors, credentials that could
 *   not be loaded → CW_TARGET_UNAVAILABLE; aborted → CW_TARGET_TIMEOUT; any other 4xx
 *   (ResourceNotFoundException, ValidationException, AccessDeniedException, …) → CW_TARGET_REJECTED.
 */
import type { ItemOutcome } from '../../core/index.js';
import { DELIVERED, printable, reject, retry } from '../outcomes.js';

/** A PutEventsResultEntry as the SDK returns it. */
export interface ResultEntry {
  readonly EventId?: string | undefined;
  readonly ErrorCode?: string | undefined;
  readonly ErrorMessage?: string | undefined;
}

const RETRYABLE_INTERNAL = new Set([
  'InternalFailure',
  'InternalException',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

export function entryOutcome(r: ResultEntry | undefined, throttleRetryAfterMs: number): ItemOutcome {
  if (r === undefined) return retry('CW_TARGET_UNAVAILABLE', 'EventBridge answered without a result for this entry');
  const code = r.ErrorCode;
  // AWS: successful result entries have an EventId, failed ones an ErrorCode.
  if (code === undefined || code === '') return DELIVERED;
  const message = printable(r.ErrorMessage === undefined ? code : `${code}: ${r.ErrorMessage}`);
  if (code === 'ThrottlingException') return retry('CW_TARGET_THROTTLED', `EventBridge entry ${message}`, throttleRetryAfterMs);
  if (RETRYABLE_INTERNAL.has(code)) return retry('CW_TARGET_UNAVAILABLE', `EventBridge entry ${message}`);
  return reject('CW_TARGET_REJECTED', `EventBridge refused the entry: ${message}`);
}

/** The smithy error fields the classification reads. */
interface SdkError {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
  readonly $response?: { readonly headers?: Record<string, string | undefined> };
}

const THROTTLING = new Set([
  'ThrottlingException',
  'ThrottledException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
]);
/** 4xx answers that another attempt can get past: expired credentials are refreshed by the provider chain. */
const TRANSIENT_4XX = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'RequestTimeoutException',
  'IDPCommunicationError',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'TimeoutError', 'RequestTimeout']);

/** `Retry-After` in seconds when the answer has one (EventBridge itself sends none). */
function retryAfterMs(e: SdkError): number | undefined {
  const raw = e.$response?.headers?.['retry-after'];
  return raw !== undefined && /^\d+$/.test(raw.trim()) ? Math.min(Number(raw.trim()), 3600) * 1000 : undefined;
}

export type RequestFailure = { readonly outcome: ItemOutcome; readonly validation: boolean };

/** A PutEvents call that failed as a whole; `validation` says the request's content was refused (an entry may be to blame). */
export function requestFailure(e: unknown, aborted: boolean, throttleRetryAfterMs: number): RequestFailure {
  const err = (e ?? {}) as SdkError;
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const code = typeof err.code === 'string' ? err.code : undefined;
  const status = err.$metadata?.httpStatusCode;
  const message = printable(`${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${String(err.message ?? e)}`);
  const fail = (outcome: ItemOutcome, validation = false): RequestFailure => ({ outcome, validation });
  if (aborted || name === 'AbortError') {
    return fail(retry('CW_TARGET_TIMEOUT', `PutEvents aborted before EventBridge answered (timeout or shutdown): ${message}`));
  }
  if (THROTTLING.has(name) || status === 429 || err.$retryable?.throttling === true) {
    return fail(retry('CW_TARGET_THROTTLED', `EventBridge throttled PutEvents: ${message}`, retryAfterMs(err) ?? throttleRetryAfterMs));
  }
  // The SDK names socket errors TimeoutError too (a reset is TimeoutError + ECONNRESET): the code decides.
  if (code !== undefined ? TIMEOUT_CODES.has(code) : TIMEOUT_CODES.has(name)) return fail(retry('CW_TARGET_TIMEOUT', message));
  if (status === undefined || status >= 500 || TRANSIENT_4XX.has(name)) {
    return fail(
      retry('CW_TARGET_UNAVAILABLE', code !== undefined && !message.includes(code) ? `${code}: ${message}` : message, retryAfterMs(err)),
    );
  }
  if (status === 413) return fail(reject('CW_TARGET_PAYLOAD_TOO_LARGE', message), true);
  return fail(
    reject('CW_TARGET_REJECTED', `EventBridge refused PutEvents: ${message}`),
    name === 'ValidationException' || name === 'SerializationException',
  );
}
