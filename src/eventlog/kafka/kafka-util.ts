/**
 * Small conversions between Causeway's log records and KafkaJS messages, and the one way every
 * Kafka failure becomes a CausewayError.
 */
import { Partitioners, type IHeaders, type KafkaMessage, type Message, type PartitionerArgs } from 'kafkajs';
import { CausewayError, type Fact, type Headers, type LogRecord } from '../../core/index.js';
import { partitionFor } from '../partitioner.js';

export const unavailable = (detail: string, cause?: unknown): CausewayError =>
  new CausewayError('CW_EVENTLOG_UNAVAILABLE', `kafka event log: ${detail}`, cause === undefined ? {} : { cause });

/** An aggregate (KafkaJS's per-topic createTopics errors) names its parts: "Topic creation errors" alone says nothing. */
const describe = (e: unknown): string => {
  const parts = (e as { errors?: unknown } | null)?.errors;
  const own = e instanceof Error ? e.message : String(e);
  return Array.isArray(parts) && parts.length > 0 ? `${own}: ${parts.map(describe).join('; ')}` : own;
};

/** Anything thrown by KafkaJS becomes CW_EVENTLOG_UNAVAILABLE (retriable); our own errors pass through. */
export const asCausewayError = (what: string, e: unknown): CausewayError =>
  e instanceof CausewayError ? e : unavailable(`${what}: ${describe(e)}`, e);

/**
 * Whether retrying cannot help: KafkaJS marks its errors `retriable`; createTopics throws an
 * aggregate of per-topic protocol errors; and after its own few retries KafkaJS wraps the last
 * (retriable) error as KafkaJSNumberOfRetriesExceeded, non-retriable itself: judge its cause.
 */
export function cannotRetry(e: unknown): boolean {
  const { name, cause, retriable, errors } = (e ?? {}) as { name?: unknown; cause?: unknown; retriable?: unknown; errors?: unknown };
  if (name === 'KafkaJSNumberOfRetriesExceeded' && cause !== undefined && cause !== e) return cannotRetry(cause);
  if (Array.isArray(errors)) return errors.some((x) => cannotRetry(x));
  return retriable === false;
}

/**
 * Settles with `work`, or rejects with `onTimeout()` after `ms`: KafkaJS retries internally and
 * may take far longer than a caller can wait, so every broker call is bounded here.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => CausewayError): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Runs one broker call bounded by `ms`, mapping every failure to CW_EVENTLOG_UNAVAILABLE. */
export async function call<T>(what: string, ms: number, work: () => Promise<T>): Promise<T> {
  try {
    return await withDeadline(work(), ms, () => unavailable(`${what} did not answer within ${ms} ms`));
  } catch (e) {
    throw asCausewayError(what, e);
  }
}

/**
 * Retries `attempt` with a 100 ms → 1 s backoff until it succeeds or `ms` have passed in all.
 * KafkaJS consumers crash on transient broker states (a group coordinator still loading after
 * a restart, a rebalance) and are then simply tried again with a new consumer.
 */
export async function retrying<T>(what: string, ms: number, attempt: () => Promise<T>, stop: () => boolean = () => false): Promise<T> {
  const deadline = Date.now() + ms;
  let delay = 100;
  for (;;) {
    try {
      return await withDeadline(attempt(), Math.max(1, deadline - Date.now()), () =>
        unavailable(`${what} did not succeed within ${ms} ms`),
      );
    } catch (e) {
      if (stop() || Date.now() + delay >= deadline) throw asCausewayError(what, e);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1_000);
    }
  }
}

/** A Buffer view over the same bytes (KafkaJS wants Buffers; no copy). */
const toBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A plain Uint8Array view over a Buffer's bytes, so facts look alike whichever log produced them. */
const toBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** A message on its way out, with the partition KafkaJS's partitioner chose for it (-1 before). */
export interface OutgoingMessage extends Message {
  chosen: number;
}

/**
 * The producer's partitioner (KafkaJS `createPartitioner`): KafkaJS's DefaultPartitioner — an
 * explicit partition, else Kafka's murmur2 of the key, else round robin over available
 * partitions — with keyed records hashed by our Math.imul murmur2 (partitioner.ts, equal to
 * KafkaJS's by test): KafkaJS's emulates 64-bit Longs, ~3 µs and a dozen objects per key, 8% of
 * the server's CPU under batched ingest. The choice is noted on our own message object (one
 * field write instead of a WeakMap entry per record), and a record keeps it when a retry asks again.
 */
export const notingPartitioner = (): ((args: PartitionerArgs) => number) => {
  const inner = Partitioners.DefaultPartitioner();
  return (args) => {
    const m = args.message as OutgoingMessage;
    const n = args.partitionMetadata.length;
    // Asked again for the same message (KafkaJS partitions a whole send again when it retries it),
    // a record keeps its first choice: an unkeyed one would otherwise get the next round-robin
    // partition. The retry reuses the first try's sequence numbers, so where the first try was
    // written (a partly failed request) the broker takes the retry for a duplicate and answers
    // the first try's offsets: with records moved between partitions, they would be reported at
    // positions holding other records.
    if (m.chosen >= 0 && m.chosen < n) return m.chosen;
    const p = m.partition == null && Buffer.isBuffer(m.key) && n > 0 ? partitionFor(m.key, n) : inner(args);
    m.chosen = p;
    return p;
  };
};

/** KAFKA-M4..M7: the value is the data bytes unchanged, null stays null (no data); headers are UTF-8 strings. */
export function toMessage(r: LogRecord): OutgoingMessage {
  // One object shape for every message (KafkaJS reads an undefined partition/timestamp as absent).
  return {
    key: r.key === null ? null : toBuffer(r.key),
    value: r.value === null ? null : toBuffer(r.value),
    // Not copied: neither KafkaJS nor the fast encoder writes to a message's headers.
    headers: r.headers as IHeaders,
    partition: r.partition,
    timestamp: r.timestamp === undefined ? undefined : String(r.timestamp),
    chosen: -1,
  } as OutgoingMessage;
}

/** KAFKA-M6: header values are UTF-8 strings. A repeated name keeps its last value; a null value reads as ''. */
export function decodeHeaders(h: IHeaders | undefined): Headers {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(h ?? {})) {
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    out[name] = v === undefined || v === null ? '' : typeof v === 'string' ? v : v.toString('utf8');
  }
  return out;
}

export function toFact(topic: string, partition: number, m: KafkaMessage): Fact {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key === null || m.key === undefined ? null : toBytes(m.key),
    value: m.value === null ? null : toBytes(m.value),
    headers: decodeHeaders(m.headers),
  };
}

/** Rough wire size of a record, to cap how much one coalesced produce request carries. */
export function recordSize(r: LogRecord): number {
  let n = 32 + (r.key?.byteLength ?? 0) + (r.value?.byteLength ?? 0);
  const h = r.headers;
  for (const k in h) n += 8 + k.length + h[k]!.length * 3;
  return n;
}
