/**
 * The embedded log's read side: a read-only connection on the caller's thread. In WAL mode a
 * reader never waits for the writer, and indexed reads of a page of records take well under a
 * millisecond, so a thread hop would cost more than it saves. Every statement runs in its own
 * snapshot, so it sees every transaction committed before it started.
 */
import Database from 'better-sqlite3';
import { CausewayError, type Fact, type PartitionOffsets, type Position, type TopicInfo } from '../../core/index.js';
import { RecallMap, idHash } from './id-journal.js';
import { prepareReader } from './schema.js';

interface RecordRow {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: string;
}

/** What lookupId can recall: ids written within `windowMs` before the open, at most `maxIds` of them. */
export interface RecallOptions {
  readonly windowMs: number;
  readonly maxIds: number;
}

export class LogReader {
  private readonly db: Database.Database;
  private readonly stmt;
  /** Ids stored before the open (see id-journal.ts); dropped once its window has passed. */
  private recall: RecallMap | undefined;
  private recallUntil = 0;
  private recallTimer: NodeJS.Timeout | undefined;

  constructor(file: string, recall: RecallOptions) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    prepareReader(this.db);
    this.stmt = {
      topics: this.db.prepare<[], TopicInfo>('SELECT name, partitions FROM topics ORDER BY name'),
      topic: this.db.prepare<[string], { partitions: number }>('SELECT partitions FROM topics WHERE name = ?'),
      // Two single-aggregate queries, so SQLite answers each from the primary-key index.
      low: this.db.prepare<[string, number], { v: number | null }>(
        'SELECT MIN("offset") AS v FROM records WHERE topic = ? AND "partition" = ?',
      ),
      high: this.db.prepare<[string, number], { v: number | null }>(
        'SELECT MAX("offset") AS v FROM records WHERE topic = ? AND "partition" = ?',
      ),
      read: this.db.prepare<[string, number, number, number], RecordRow>(
        'SELECT "offset" AS offset, timestamp, key, value, headers FROM records WHERE topic = ? AND "partition" = ? AND "offset" >= ? ORDER BY "offset" LIMIT ?',
      ),
      committed: this.db.prepare<[string, string, number], { offset: number }>(
        'SELECT "offset" AS offset FROM commits WHERE "group" = ? AND topic = ? AND "partition" = ?',
      ),
      maxTimestamp: this.db.prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'max_timestamp'"),
      anyRecord: this.db.prepare<[], { one: number }>('SELECT 1 AS one FROM records LIMIT 1'),
      byRowid: this.db.prepare<[number, string, string, number], Position>(
        'SELECT topic, "partition" AS partition, "offset" AS offset FROM records WHERE rowid = ? AND ce_id = ? AND ce_source = ? AND timestamp >= ?',
      ),
    };
    this.loadRecall(recall);
  }

  /**
   * Newest first: the journal's `written` never decreases along rowids, so the scan stops at the
   * first row older than the window. The cap keeps memory bounded as the accept side's own window
   * is (~25 B per id); past it the oldest ids of the window are forgotten, as the window would.
   */
  private loadRecall({ windowMs, maxIds }: RecallOptions): void {
    if (windowMs <= 0 || maxIds <= 0) return;
    const now = Date.now();
    const since = now - windowMs;
    const map = new RecallMap();
    let n = 0;
    const rows = this.db.prepare<[], [number, number, number]>('SELECT rid, written, hash FROM id_journal ORDER BY rid DESC').raw();
    for (const [rid, written, hash] of rows.iterate() as IterableIterator<[number, number, number]>) {
      if (written < since || n++ >= maxIds) break;
      map.addOlder(hash, rid);
    }
    if (map.size === 0) return;
    this.recall = map;
    this.recallUntil = now + windowMs;
    // Free the map when its window has passed even if nobody looks anything up any more (a
    // window beyond setTimeout's range, ~24.8 days, is left to lookupId's own check).
    if (windowMs <= 2 ** 31 - 1) this.recallTimer = setTimeout(() => (this.recall = undefined), windowMs).unref();
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

  /**
   * The newest record stored *before this reader opened* with this `ce_source`+`ce_id` and a
   * timestamp at or after `sinceTimestamp` (records appended since are the accept side's own
   * window's business). Exact: candidates by hash are compared with the stored columns.
   */
  lookupId(source: string, id: string, sinceTimestamp: number): Position | undefined {
    if (this.recall === undefined) return undefined;
    if (Date.now() >= this.recallUntil) {
      this.recall = undefined;
      return undefined;
    }
    const c = this.recall.candidates(idHash(source, id));
    if (c === undefined) return undefined;
    if (typeof c === 'number') return this.stmt.byRowid.get(c, id, source, sinceTimestamp);
    for (const rid of c) {
      const p = this.stmt.byRowid.get(rid, id, source, sinceTimestamp);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  /** Ids loaded for lookupId (for tests and the bench). */
  get recallSize(): number {
    return this.recall?.size ?? 0;
  }

  close(): void {
    clearTimeout(this.recallTimer);
    this.recall = undefined;
    this.db.close();
  }

  private requireTopic(topic: string): number {
    const n = this.partitionsOf(topic);
    if (n === undefined) throw new CausewayError('CW_NOT_FOUND', `unknown topic ${topic}`);
    return n;
  }
}
