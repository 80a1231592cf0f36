/**
 * An independent reader of what Causeway wrote to Kafka: a plain KafkaJS consumer (fresh group,
 * fromBeginning), sharing no code with src/eventlog, so the tests see the records as any other
 * Kafka client would: raw key, value and header bytes, partition and offset.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';

export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Every value of every header, in record order (a repeated header keeps all its values). */
  readonly headers: Readonly<Record<string, readonly Buffer[]>>;
}

const asBuffer = (v: Buffer | string): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

function rawHeaders(h: IHeaders | undefined): Record<string, Buffer[]> {
  const out: Record<string, Buffer[]> = {};
  for (const [name, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    out[name] = (Array.isArray(v) ? v : [v]).map(asBuffer);
  }
  return out;
}

/** The one value of a header as UTF-8 text; undefined when absent, an error when repeated. */
export function header(r: RawRecord, name: string): string | undefined {
  const values = r.headers[name];
  if (values === undefined) return undefined;
  if (values.length !== 1) throw new Error(`header ${name} appears ${values.length} times in ${r.topic}/${r.partition}@${r.offset}`);
  return values[0]!.toString('utf8');
}

export class TopicReader {
  readonly records: RawRecord[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly consumer: Consumer) {}

  /** Subscribes a new consumer group to `topics` from the beginning and collects every record. */
  static async start(brokers: readonly string[], topics: readonly string[]): Promise<TopicReader> {
    const kafka = new Kafka({ clientId: 'causeway-test-reader', brokers: [...brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `causeway-test-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const reader = new TopicReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        reader.records.push({
          topic,
          partition,
          offset: Number(message.offset),
          key: message.key ?? null,
          value: message.value,
          headers: rawHeaders(message.headers),
        });
        for (const w of reader.waiters) w();
      },
    });
    return reader;
  }

  /** Records whose `ce_id` header is `id`. */
  withId(id: string): RawRecord[] {
    return this.records.filter((r) => r.headers.ce_id?.[0]?.toString('utf8') === id);
  }

  /** Waits until `pred` holds over the records collected so far; rejects after `timeoutMs`. */
  until(pred: (records: readonly RawRecord[]) => boolean, timeoutMs = 20_000, what = 'records'): Promise<void> {
    if (pred(this.records)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pred(this.records)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; have ${this.records.length} record(s)`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Waits for exactly one record per id (after a short settle, more than one is reported by the caller's checks). */
  async one(id: string, timeoutMs = 20_000): Promise<RawRecord> {
    await this.until((rs) => rs.some((r) => r.headers.ce_id?.[0]?.toString('utf8') === id), timeoutMs, `ce_id ${id}`);
    return this.withId(id)[0]!;
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
