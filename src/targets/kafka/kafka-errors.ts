/**
 * How a KafkaJS failure becomes an item outcome. Broker rejections of the records themselves are
 * final (no retry can change them); everything else (brokers down, leader elections, timeouts)
 * is retriable. KafkaJS wraps protocol errors (KafkaJSNonRetriableError, NumberOfRetriesExceeded,
 * AggregateError), so the protocol error `type` is searched for along `cause` and `errors`.
 */
import type { ItemOutcome } from '../../core/index.js';
import { printable, reject, retry } from '../outcomes.js';

/** A record (or record batch) over the topic's max.message.bytes. */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
/** The broker refused the record's content (e.g. a compacted topic and a null key). */
const INVALID = new Set(['INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP']);

export type KafkaFailure = 'too-large' | 'invalid' | 'retriable';

function protocolTypes(e: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (e === null || typeof e !== 'object' || depth > 6) return out;
  const err = e as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (typeof err.type === 'string') out.add(err.type);
  protocolTypes(err.cause, out, depth + 1);
  protocolTypes(err.originalError, out, depth + 1);
  if (Array.isArray(err.errors)) for (const x of err.errors) protocolTypes(x, out, depth + 1);
  return out;
}

export function kafkaFailure(e: unknown): KafkaFailure {
  const types = protocolTypes(e);
  if ([...types].some((t) => TOO_LARGE.has(t))) return 'too-large';
  if ([...types].some((t) => INVALID.has(t))) return 'invalid';
  return 'retriable';
}

const describe = (e: unknown): string => printable(e instanceof Error ? `${e.name}: ${e.message}` : String(e));

export function kafkaOutcome(e: unknown, topic: string): ItemOutcome {
  switch (kafkaFailure(e)) {
    case 'too-large':
      return reject('CW_TARGET_PAYLOAD_TOO_LARGE', `record too large for topic ${topic} (max.message.bytes): ${describe(e)}`);
    case 'invalid':
      return reject('CW_TARGET_REJECTED', `topic ${topic} refused the record: ${describe(e)}`);
    default: {
      const name = e instanceof Error ? e.name : '';
      return /Timeout/i.test(name) || /timed? ?out/i.test(String((e as Error)?.message))
        ? retry('CW_TARGET_TIMEOUT', `kafka did not answer in time: ${describe(e)}`)
        : retry('CW_TARGET_UNAVAILABLE', `kafka: ${describe(e)}`);
    }
  }
}
