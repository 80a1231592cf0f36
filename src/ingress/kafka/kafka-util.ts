/**
 * Small KafkaJS helpers of the ingress: record conversion both ways, bounded calls, topic checks.
 * (The event log has its own: stages never import each other, DESIGN §9.)
 */
import type { Admin, IHeaders, KafkaMessage, Message } from 'kafkajs';
import { CausewayError, type KafkaRecord } from '../../core/index.js';
import type { OutboundRecord } from './dead-letter.js';

export const unavailable = (detail: string, cause?: unknown): CausewayError =>
  new CausewayError('CW_INGRESS_UNAVAILABLE', `kafka ingress: ${detail}`, cause === undefined ? {} : { cause });

export const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Settles with `work`, or rejects with CW_INGRESS_UNAVAILABLE after `ms` (KafkaJS retries for long). */
export function bounded<T>(what: string, ms: number, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(unavailable(`${what} did not finish within ${ms} ms`)), ms);
    work().then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof CausewayError ? e : unavailable(`${what}: ${describe(e)}`, e));
      },
    );
  });
}

const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const toBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** KafkaJS groups repeated header names into arrays; they come back out as repeats, in order. */
export function toKafkaRecord(topic: string, partition: number, m: KafkaMessage): KafkaRecord {
  const headers: Array<readonly [string, Uint8Array | null]> = [];
  for (const [name, raw] of Object.entries(m.headers ?? {})) {
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      headers.push([name, v === undefined || v === null ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : view(v)]);
    }
  }
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key === null || m.key === undefined ? null : view(m.key),
    value: m.value === null ? null : view(m.value),
    headers,
  };
}

/** The reverse: a null header value is written as a null header (KafkaJS encodes undefined as -1). */
export function toMessage(r: OutboundRecord): Message {
  const headers: IHeaders = Object.create(null) as IHeaders;
  for (const [name, v] of r.headers) {
    const value = v === null ? undefined : typeof v === 'string' ? v : toBuffer(v);
    const prev = headers[name];
    if (!(name in headers)) headers[name] = value;
    else headers[name] = [...(Array.isArray(prev) ? prev : [prev]), value] as Array<Buffer | string>;
  }
  return { key: r.key === null ? null : toBuffer(r.key), value: r.value === null ? null : toBuffer(r.value), headers };
}

/**
 * Makes sure every topic exists: missing ones are created (`create`), else the start fails naming
 * them. Raw topics get the given partition count; the dead-letter topic also room for the largest
 * records (a dead letter is the original plus headers and must never be too large to write).
 */
export async function ensureTopics(
  admin: Admin,
  topics: ReadonlyArray<{ readonly topic: string; readonly partitions: number; readonly maxMessageBytes?: number }>,
  opts: { readonly create: boolean; readonly replicationFactor: number; readonly timeoutMs: number },
): Promise<string[]> {
  const md = await bounded('topic metadata', opts.timeoutMs, () => admin.fetchTopicMetadata());
  const known = new Set(md.topics.map((t) => t.name));
  const missing = topics.filter((t) => !known.has(t.topic));
  if (missing.length === 0) return [];
  if (!opts.create) {
    throw new CausewayError(
      'CW_CONFIG_INVALID',
      `kafka ingress: topic(s) ${missing.map((t) => t.topic).join(', ')} do not exist and kafka.createTopics is false`,
    );
  }
  await bounded(`creating ${missing.map((t) => t.topic).join(', ')}`, opts.timeoutMs, () =>
    admin.createTopics({
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: opts.replicationFactor,
        ...(t.maxMessageBytes === undefined ? {} : { configEntries: [{ name: 'max.message.bytes', value: String(t.maxMessageBytes) }] }),
      })),
      waitForLeaders: true,
      timeout: opts.timeoutMs,
    }),
  );
  return missing.map((t) => t.topic);
}
