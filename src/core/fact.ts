/**
 * A record in the event log. Facts are stored in the CloudEvents Kafka binding,
 * binary mode (KAFKA-M4..M6): `ce_*` headers, `content-type` for datacontenttype,
 * the value is the data bytes as received, the key is the partition key.
 */
export type Headers = Readonly<Record<string, string>>;

export interface LogRecord {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: Headers;
  /** Explicit partition; when absent the log's murmur2 partitioner chooses. */
  readonly partition?: number;
  /** Milliseconds since the epoch; the log sets it when absent. */
  readonly timestamp?: number;
}

export interface Fact {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: Headers;
}
