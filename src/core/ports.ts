import type { Fact, LogRecord } from './fact.js';
import type { Position } from './cloud-event.js';

export interface TopicInfo {
  readonly name: string;
  readonly partitions: number;
}

export interface PartitionOffsets {
  readonly partition: number;
  /** First offset still stored. */
  readonly low: number;
  /** Offset the next appended record will get (Kafka's high watermark). */
  readonly high: number;
}

/**
 * The event log port (DESIGN §3). Two implementations, embedded (SQLite) and Kafka,
 * pass the same contract suite in test/contract/event-log.contract.ts.
 */
export interface EventLog {
  readonly kind: 'embedded' | 'kafka';
  /** Creates the topic when missing (with `partitions`, or the log's default); returns what exists. */
  ensureTopic(topic: string, partitions?: number): Promise<TopicInfo>;
  listTopics(): Promise<TopicInfo[]>;
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /**
   * Appends records durably and atomically as one batch: resolves only once every record
   * is durable (fsync'd / acks=all); then every record has a position. Rejects with a
   * CausewayError (CW_EVENTLOG_UNAVAILABLE) when durability cannot be confirmed.
   * Records with the same key land in the same partition (Kafka murmur2), in order.
   */
  append(topic: string, records: readonly LogRecord[]): Promise<Position[]>;
  /** Reads up to `limit` facts of one partition starting at `from` (inclusive), in offset order. */
  read(topic: string, partition: number, from: number, limit: number): Promise<Fact[]>;
  /** Commits the next offset to read for a consumer group. */
  commit(group: string, topic: string, partition: number, offset: number): Promise<void>;
  /** The committed next offset, or null when the group never committed on that partition. */
  committed(group: string, topic: string, partition: number): Promise<number | null>;
  /**
   * Resolves true as soon as the partition's high watermark is > `offset`, false after
   * `timeoutMs` or on abort. Lets readers wait without polling hot.
   */
  waitFor(topic: string, partition: number, offset: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Health for /readyz. */
  ready(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}
