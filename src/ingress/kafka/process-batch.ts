/**
 * One fetched batch of one partition, pipelined: every record is decoded and handed to the accept
 * side at once (appends are issued in record order, so the log's group commit keeps the order),
 * then the outcomes are read in order. The batch is settled up to the first record that must be
 * retried; what lies before it is either a fact (new or a duplicate the dedupe window absorbed)
 * or a dead letter, and only once the dead letters are acknowledged too may the caller commit.
 */
import {
  CausewayError,
  isCausewayError,
  type Accepted,
  type CloudEvent,
  type ErrorCode,
  type KafkaRecord,
  type TransportMeta,
} from '../../core/index.js';
import { kafkaIngress } from '../../lineage/index.js';
import { toDeadLetter, type OutboundRecord } from './dead-letter.js';

export interface BatchDeps {
  /** Raw record → CloudEvent (normalize/ in the app); throws CausewayError when it cannot. */
  decode(record: KafkaRecord): CloudEvent;
  /** The accept side (AcceptService.acceptEvent): validate, stamp, append; resolves once durable. */
  accept(event: CloudEvent, meta: TransportMeta): Promise<Accepted>;
  /** Produces dead letters in order; resolves once all are acknowledged. */
  deadLetter(records: readonly OutboundRecord[]): Promise<void>;
  /** A record that could not be decoded (accept counts its own rejections). */
  onRejected?(code: ErrorCode): void;
  onDeadLetter?(topic: string, code: ErrorCode): void;
}

export interface BatchOutcome {
  /** How many records from the start of the batch are settled: the caller commits after the last. */
  readonly settled: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Set when record `settled` (and what follows) must be tried again later. */
  readonly retry?: { readonly offset: number; readonly error: CausewayError };
}

type Result =
  | { readonly kind: 'stored'; readonly duplicate: boolean }
  | { readonly kind: 'dead'; readonly error: CausewayError }
  | { readonly kind: 'retry'; readonly error: CausewayError };

/**
 * Only the log's "cannot confirm" answers are worth waiting for (CW_EVENTLOG_UNAVAILABLE,
 * CW_SHUTTING_DOWN): retrying them can succeed. Anything else, an unexpected exception
 * included, would fail again on every try and block the partition, so it is dead-lettered:
 * kept whole for a replay once the cause is fixed (DESIGN §10.10).
 */
export function classify(e: unknown): Exclude<Result, { kind: 'stored' }> {
  const error = isCausewayError(e)
    ? e
    : new CausewayError('CW_INTERNAL', `unexpected error: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  return error.retriable && error.code !== 'CW_INTERNAL' ? { kind: 'retry', error } : { kind: 'dead', error };
}

const utf8 = new TextDecoder();

/** Per-hop trace context from a single `traceparent` header; repeated ones are ambiguous and ignored. */
function traceparentOf(record: KafkaRecord): string | undefined {
  const found = record.headers.filter(([k]) => k === 'traceparent');
  const v = found.length === 1 ? found[0]![1] : null;
  return v === null ? undefined : utf8.decode(v);
}

/**
 * The producer on the raw topic is authenticated by the broker, if at all, and Causeway cannot
 * see who it was: `unknown` is EXT-AUTH-M1's value for exactly that (`unauthenticated` would
 * claim no credentials were used; `system` is for events the platform itself triggers).
 */
export const KAFKA_AUTHTYPE = 'unknown';

export async function processBatch(records: readonly KafkaRecord[], deps: BatchDeps): Promise<BatchOutcome> {
  const ingressOf = (r: KafkaRecord) => kafkaIngress(r.topic, r.partition, r.offset);
  const results = await Promise.all(
    records.map((r): Promise<Result> | Result => {
      let event: CloudEvent;
      try {
        event = deps.decode(r);
      } catch (e) {
        const result = classify(e);
        deps.onRejected?.(result.error.code);
        return result;
      }
      const meta: TransportMeta = { ingress: ingressOf(r), traceparent: traceparentOf(r), authtype: KAFKA_AUTHTYPE };
      return deps.accept(event, meta).then((a): Result => ({ kind: 'stored', duplicate: a.duplicate }), classify);
    }),
  );
  let settled = results.findIndex((r) => r.kind === 'retry');
  if (settled < 0) settled = results.length;
  const dead: number[] = [];
  for (let i = 0; i < settled; i++) if (results[i]!.kind === 'dead') dead.push(i);
  if (dead.length > 0) {
    try {
      await deps.deadLetter(
        dead.map((i) => toDeadLetter(records[i]!, (results[i] as { error: CausewayError }).error, ingressOf(records[i]!))),
      );
    } catch (e) {
      // None of them is known to be written: settle only what precedes the first, retry from it.
      const first = dead[0]!;
      const error =
        isCausewayError(e) && e.retriable
          ? e
          : new CausewayError('CW_INGRESS_UNAVAILABLE', `dead-letter produce failed: ${(e as Error).message}`, { cause: e });
      return { ...count(results, first), settled: first, deadLettered: 0, retry: { offset: records[first]!.offset, error } };
    }
    for (const i of dead) deps.onDeadLetter?.(records[i]!.topic, (results[i] as { error: CausewayError }).error.code);
  }
  const retry = results[settled];
  return {
    ...count(results, settled),
    settled,
    ...(retry?.kind === 'retry' ? { retry: { offset: records[settled]!.offset, error: retry.error } } : {}),
  };
}

function count(results: readonly Result[], upTo: number): { stored: number; duplicates: number; deadLettered: number } {
  let stored = 0;
  let duplicates = 0;
  let deadLettered = 0;
  for (const r of results.slice(0, upTo)) {
    if (r.kind === 'dead') deadLettered++;
    else if (r.kind === 'stored' && r.duplicate) duplicates++;
    else if (r.kind === 'stored') stored++;
  }
  return { stored, duplicates, deadLettered };
}
