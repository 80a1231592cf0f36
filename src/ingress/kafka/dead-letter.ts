/**
 * The ingress dead letter (issue 3, DESIGN §10.10 "nothing is silently dropped"): the original
 * record — same key, same value bytes, same headers, repeats and null values included — plus
 * error context headers, so that it can be inspected, fixed and replayed onto the raw topic.
 */
import type { CausewayError, KafkaRecord } from '../../core/index.js';
import { LINEAGE } from '../../lineage/index.js';

/** Context header names: the same `causewayerror*` family the delivery DLQ uses (DESIGN §6). */
export const DEAD_LETTER_HEADERS = {
  code: 'causewayerrorcode',
  message: 'causewayerrormessage',
  topic: 'causewayerrortopic',
  partition: 'causewayerrorpartition',
  offset: 'causewayerroroffset',
  ingress: LINEAGE.ingress,
} as const;

const CONTEXT = new Set<string>(Object.values(DEAD_LETTER_HEADERS));
/** Headers travel with every fetch of the record: keep the message readable but bounded. */
const MAX_MESSAGE_CHARS = 2_000;

/** A record to produce: headers in order, repeats kept. */
export interface OutboundRecord {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: ReadonlyArray<readonly [string, Uint8Array | string | null]>;
}

/** The error's message plus the per-item problems it does not already spell out. */
export function describeError(error: CausewayError): string {
  const extra = error.errors
    .filter((e) => !error.message.includes(e.message))
    .map((e) => `${e.path === '' ? '(root)' : e.path}: ${e.message}`);
  const text = extra.length === 0 ? error.message : `${error.message}; ${extra.join('; ')}`;
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

/**
 * The dead letter for `record`. Context headers already on the record (a dead letter replayed
 * and rejected again) are replaced, so each appears exactly once and tells the latest story.
 */
export function toDeadLetter(record: KafkaRecord, error: CausewayError, ingress: string): OutboundRecord {
  const headers: Array<readonly [string, Uint8Array | string | null]> = record.headers.filter(([name]) => !CONTEXT.has(name));
  headers.push(
    [DEAD_LETTER_HEADERS.code, error.code],
    [DEAD_LETTER_HEADERS.message, describeError(error)],
    [DEAD_LETTER_HEADERS.topic, record.topic],
    [DEAD_LETTER_HEADERS.partition, String(record.partition)],
    [DEAD_LETTER_HEADERS.offset, String(record.offset)],
    [DEAD_LETTER_HEADERS.ingress, ingress],
  );
  return { key: record.key, value: record.value, headers };
}
