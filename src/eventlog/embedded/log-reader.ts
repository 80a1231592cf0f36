/**
 * The embedded log's read side: a read-only connection on the caller's thread. In WAL mode a
 * reader never waits for the writer, and indexed reads of a page of records take well under a
 * millisecond, so a thread hop would cost more than it saves. Every statement runs in its own
 * snapshot, so it sees every transaction committed before it started.
 */
import Database from 'better-sqlite3';
import { CausewayError, type Fact, type PartitionOffsets, type Position, type TopicInfo } from '../../core/index.js';
import { prepareReader } from './schema.js';

interface RecordRow {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: string;
}

export class LogReader {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    prepareReader(this.db);
    this.stmt = {
      topics: this.db.prepare<[], TopicInfo>('SELECT name, partitions FROM topics ORDER BY name'),
      topic: this.db.prepare<[string], { partitions: number }>('SELECT partitions FROM topics WHERE name = ?'),
      // Two single-aggregate queries, so SQLite answers each from the primary-key index.
      low: this.db.prepare<[string, number], { v: number | null }>('SELECT MIN("offset") AS v FROM records WHERE topic = ? AND "partition" = ?'),
      high: this.db.prepare<[string, number], { v: number | null }>('SELECT MAX("offset") AS v FROM records WHERE topic = ? AND "partition" = ?'),
      read: this.db.prepare<[string, number, number, number], RecordRow>(
        'SELECT "offset" AS offset, timestamp, key, value, headers FROM records WHERE topic = ? AND "partition" = ? AND "offset" >= ? ORDER BY "offset" LIMIT ?',
      ),
      committed: this.db.prepare<[string, string, number], { offset: number }>(
        'SELECT "offset" AS offset FROM commits WHERE "group" = ? AND topic = ? AND "partition" = ?',
      ),
      maxTimestamp: this.db.prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'max_timestamp'"),
      anyRecord: this.db.prepare<[], { one: number }>('SELECT 1 AS one FROM records LIMIT 1'),
      lookupId: this.db.prepare<[string, string, number], Position>(
        'SELECT topic, "partition" AS partition, "offset" AS offset FROM records WHERE ce_id = ? AND ce_source = ? AND timestamp >= ? ORDER BY timestamp DESC LIMIT 1',
      ),
    };
  }

  listTopics(): TopicInfo[] {
    return this.stmt.topics.all();
  }

  partitionsOf(topic: string): number | undefined {
    return this.stmt.topic.get(topic)?.partitions;
  }

  /** Kafka's high watermark: the offset the next record will get (0 for an unknown topic). */
  high(topic: string, partition: number): number {
    const max = this.stmt.high.get(topic, partition)?.v;
    return max === null || max === undefined ? 0 : max + 1;
  }

  offsets(topic: string): PartitionOffsets[] {
    const n = this.requireTopic(topic);
    return Array.from({ length: n }, (_, partition) => {
      const high = this.high(topic, partition);
      const low = this.stmt.low.get(topic, partition)?.v;
      return { partition, low: low === null || low === undefined ? high : low, high };
    });
  }

  read(topic: string, partition: number, from: number, limit: number): Fact[] {
    const n = this.requireTopic(topic);
    if (!Number.isInteger(partition) || partition < 0 || partition >= n) {
      throw new CausewayError('CW_NOT_FOUND', `partition ${partition} does not exist in topic ${topic}`);
    }
    if (limit <= 0) return [];
    return this.stmt.read.all(topic, partition, Math.max(0, Math.floor(from)), Math.floor(limit)).map((r) => ({
      topic,
      partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key,
      value: r.value,
      headers: JSON.parse(r.headers) as Record<string, string>,
    }));
  }

  committed(group: string, topic: string, partition: number): number | null {
    return this.stmt.committed.get(group, topic, partition)?.offset ?? null;
  }

  /**
   * An upper bound on the timestamps of the stored records (up to a minute above the newest):
   * -Infinity when there are none, +Infinity when unknown (a file written before the writer kept
   * `meta.max_timestamp`).
   */
  newestTimestamp(): number {
    const max = this.stmt.maxTimestamp.get()?.value;
    if (max !== undefined) return max;
    return this.stmt.anyRecord.get() === undefined ? -Infinity : Infinity;
  }

  lookupId(source: string, id: string, sinceTimestamp: number): Position | undefined {
    return this.stmt.lookupId.get(id, source, sinceTimestamp);
  }

  close(): void {
    this.db.close();
  }

  private requireTopic(topic: string): number {
    const n = this.partitionsOf(topic);
    if (n === undefined) throw new CausewayError('CW_NOT_FOUND', `unknown topic ${topic}`);
    return n;
  }
}
