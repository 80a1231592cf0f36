/**
 * What an Invoke answer means for the events of an invocation. Pure. docs/targets.md has the table.
 *
 * - 200 with `X-Amz-Function-Error` (FunctionError): the function failed the whole invocation.
 * - 200 with a body `{"batchItemFailures":[{"itemIdentifier":…}]}`: only those events failed,
 *   with the success and failure conditions AWS documents for SQS/Kinesis partial batch responses:
 *   a null or empty list (or no such member, or a response that is not such an object) is a full
 *   success; an entry with a null, empty or wrongly typed identifier, a bad key name, or an
 *   identifier of no event in the invocation fails the whole invocation.
 * - API errors: throttling (TooManyRequestsException, 429) retries after its hint; 5xx, network
 *   failures and the "try again" client errors retry; a request too large is split or rejected;
 *   other 4xx are rejected (retrying cannot change them).
 */
import type { ItemOutcome } from '../../core/index.js';
import { printable, reject, retry } from '../outcomes.js';

/** How the function may name an event in `batchItemFailures`. */
export interface ItemIdentity {
  /** The CloudEvents `id` (both payload shapes). */
  readonly id: string;
  /** aws:kafka only: Lambda's Kafka identifier `{"partition":"<topic>-<partition>","offset":<offset>}`. */
  readonly kafka?: { readonly partition: string; readonly offset: number };
}

export type InvokeVerdict =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'function-error'; readonly message: string }
  /** Indexes (into the invocation's items) the function reported as failed. */
  | { readonly kind: 'partial'; readonly failed: ReadonlySet<number> }
  | { readonly kind: 'invalid-partial'; readonly message: string };

const text = (payload: Uint8Array | undefined): string =>
  payload === undefined ? '' : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');

function parseJson(s: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(s) as unknown };
  } catch {
    return { ok: false };
  }
}

/** `Error: boom` from the function's error document `{"errorType","errorMessage","trace"}`. */
function functionErrorMessage(kind: string, payload: Uint8Array | undefined): string {
  const body = text(payload);
  const doc = parseJson(body);
  if (doc.ok && doc.value !== null && typeof doc.value === 'object') {
    const { errorType, errorMessage } = doc.value as { errorType?: unknown; errorMessage?: unknown };
    if (typeof errorType === 'string' || typeof errorMessage === 'string')
      return printable(`function error (${kind}) ${String(errorType ?? 'Error')}: ${String(errorMessage ?? '')}`);
  }
  return printable(`function error (${kind})${body === '' ? '' : `: ${body}`}`);
}

/** The indexes an identifier names, or undefined when it is malformed. */
function matches(entry: unknown, items: readonly ItemIdentity[]): number[] | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  if (!('itemIdentifier' in entry)) return undefined; // a bad key name fails the batch
  const id = (entry as { itemIdentifier: unknown }).itemIdentifier;
  if (typeof id === 'string') return id === '' ? undefined : items.flatMap((it, i) => (it.id === id ? [i] : []));
  if (id !== null && typeof id === 'object' && !Array.isArray(id)) {
    const { partition, offset } = id as { partition?: unknown; offset?: unknown };
    const off = typeof offset === 'string' && /^\d+$/.test(offset) ? Number(offset) : offset;
    if (typeof partition !== 'string' || typeof off !== 'number') return undefined;
    return items.flatMap((it, i) => (it.kafka?.partition === partition && it.kafka.offset === off ? [i] : []));
  }
  return undefined;
}

/** A RequestResponse answer (status 200) for the invocation of `items`. */
export function judgeSyncAnswer(answer: { functionError?: string; payload?: Uint8Array }, items: readonly ItemIdentity[]): InvokeVerdict {
  if (answer.functionError !== undefined && answer.functionError !== '')
    return { kind: 'function-error', message: functionErrorMessage(answer.functionError, answer.payload) };
  const doc = parseJson(text(answer.payload));
  if (!doc.ok || doc.value === null || typeof doc.value !== 'object' || !('batchItemFailures' in doc.value)) return { kind: 'delivered' };
  const list = (doc.value as { batchItemFailures: unknown }).batchItemFailures;
  if (list === null || (Array.isArray(list) && list.length === 0)) return { kind: 'delivered' };
  const bad = (why: string): InvokeVerdict => ({
    kind: 'invalid-partial',
    message: printable(`malformed batchItemFailures (${why}): the whole invocation is retried, as Lambda does`),
  });
  if (!Array.isArray(list)) return bad('not a list');
  const failed = new Set<number>();
  for (const entry of list) {
    const hit = matches(entry, items);
    if (hit === undefined) return bad(`entry ${printable(JSON.stringify(entry) ?? String(entry), 120)}`);
    if (hit.length === 0) return bad(`${printable(JSON.stringify(entry), 120)} names no event of the invocation`);
    for (const i of hit) failed.add(i);
  }
  return { kind: 'partial', failed };
}

/** The outcome of each item of an invocation from its verdict. */
export function verdictOutcomes(v: InvokeVerdict, count: number, delivered: ItemOutcome): ItemOutcome[] {
  switch (v.kind) {
    case 'delivered':
      return Array.from({ length: count }, () => delivered);
    case 'function-error':
    case 'invalid-partial':
      return Array.from({ length: count }, () => retry('CW_TARGET_FUNCTION_ERROR', v.message));
    case 'partial':
      return Array.from({ length: count }, (_, i) =>
        v.failed.has(i) ? retry('CW_TARGET_FUNCTION_ERROR', 'the function reported this event in batchItemFailures') : delivered,
      );
  }
}

export interface ClassifiedError {
  readonly outcome: ItemOutcome;
  /** 413: the payload was too large for Lambda (split it, or reject a single event). */
  readonly tooLarge?: boolean;
}

/** What Lambda sends is RequestEntityTooLargeException; the API reference models it as RequestTooLargeException. */
const TOO_LARGE = new Set(['RequestEntityTooLargeException', 'RequestTooLargeException', 'SerializedRequestEntityTooLargeException']);
/** Client errors that another attempt can get past: the function is being updated, credentials expired. */
const RETRY_LATER = new Set(['ResourceConflictException', 'ResourceNotReadyException', 'ExpiredTokenException', 'RequestExpired']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

interface SdkError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retryAfterSeconds?: unknown;
  Reason?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

/** The wait a throttling error asks for: `retryAfterSeconds` (the Retry-After header), else the default. */
export function retryHintMs(e: SdkError, fallbackMs: number): number {
  const raw = e.retryAfterSeconds ?? e.$response?.headers?.['retry-after'];
  const s = typeof raw === 'string' ? Number(raw.trim()) : typeof raw === 'number' ? raw : Number.NaN;
  return Number.isFinite(s) && s >= 0 ? Math.min(s, 2 ** 31 / 1000) * 1000 : fallbackMs;
}

/** A failed Invoke call (the SDK threw). */
export function classifyInvokeError(err: unknown, aborted: boolean, throttleDefaultMs: number): ClassifiedError {
  const e = (err ?? {}) as SdkError;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : name;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const what = printable(`${name || 'Error'}${status === undefined ? '' : ` (HTTP ${status})`}: ${String(e.message ?? err)}`);
  if (aborted || name === 'AbortError')
    return { outcome: retry('CW_TARGET_TIMEOUT', `invoke aborted before Lambda answered (timeout or shutdown): ${what}`) };
  if (name === 'TooManyRequestsException' || status === 429) {
    const reason = typeof e.Reason === 'string' ? ` [${e.Reason}]` : '';
    return { outcome: retry('CW_TARGET_THROTTLED', `${what}${reason}`, retryHintMs(e, throttleDefaultMs)) };
  }
  if (TOO_LARGE.has(name) || status === 413) return { outcome: reject('CW_TARGET_PAYLOAD_TOO_LARGE', what), tooLarge: true };
  if (status === 408 || TIMEOUT_CODES.has(code)) return { outcome: retry('CW_TARGET_TIMEOUT', what) };
  if (RETRY_LATER.has(name) || status === undefined || status >= 500) return { outcome: retry('CW_TARGET_UNAVAILABLE', what) };
  return { outcome: reject('CW_TARGET_REJECTED', what) };
}
