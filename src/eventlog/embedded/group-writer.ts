/**
 * The embedded log's write side, run inside the writer worker. `apply` takes every write request
 * that arrived while the previous transaction was in flight and commits them together: one
 * transaction, one fsync, many appends (group commit, DESIGN §3). Each request is wrapped in a
 * savepoint, so one bad request fails alone and every append stays all-or-nothing.
 */
import type Database from 'better-sqlite3';
import type { Position, TopicInfo } from '../../core/index.js';
import { partitionFor } from '../partitioner.js';
import { idHash } from './id-journal.js';
import type { WireError, WireRecord, WriteOp, WriteRequest, WriteResult } from './protocol.js';

/** A request that cannot succeed as asked (bad partition, bad topic name); never retriable. */
class RequestError extends Error {}

/** Kafka's topic-name rules, so that a topic valid here is valid on a broker too. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

type OkResult = { positions?: Position[]; topic?: TopicInfo };

/** How far meta.max_timestamp is set beyond the newest record (see apply). */
const BOUND_SLACK_MS = 60_000;

export class GroupWriter {
  /** Write transactions committed (each one fsync). */
  transactions = 0;
  /** Newest record timestamp of the transaction being built; -1 when it appends nothing. */
  private txMaxTimestamp = -1;
  /** meta.max_timestamp as committed: above every stored record's timestamp; -1 when unset. */
  private timestampBound: number;
  /** id_journal.written of the transaction being built: Date.now(), but never below an earlier one. */
  private written: number;
  private readonly roundRobin = new Map<string, number>();
  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    private readonly defaultPartitions: number,
  ) {
    this.stmt = {
      topic: db.prepare<[string], { partitions: number }>('SELECT partitions FROM topics WHERE name = ?'),
      createTopic: db.prepare('INSERT INTO topics (name, partitions) VALUES (?, ?)'),
      high: db.prepare<[string, number], { high: number | null }>(
        'SELECT MAX("offset") + 1 AS high FROM records WHERE topic = ? AND "partition" = ?',
      ),
      insert: db.prepare(
        'INSERT INTO records (topic, "partition", "offset", timestamp, key, value, headers, ce_source, ce_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      journal: db.prepare('INSERT INTO id_journal (rid, written, hash) VALUES (?, ?, ?)'),
      commit: db.prepare(
        'INSERT INTO commits ("group", topic, "partition", "offset") VALUES (?, ?, ?, ?) ON CONFLICT ("group", topic, "partition") DO UPDATE SET "offset" = excluded."offset"',
      ),
      // Prepared once: exec() would parse the SQL again for every request of every group.
      savepoint: db.prepare('SAVEPOINT req'),
      release: db.prepare('RELEASE req'),
      rollbackTo: db.prepare('ROLLBACK TO req'),
      maxTimestamp: db.prepare(
        "INSERT INTO meta (name, value) VALUES ('max_timestamp', ?) ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
      ),
    };
    this.timestampBound = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'max_timestamp'").get()?.value ?? -1;
    this.written = db.prepare<[], { w: number | null }>('SELECT MAX(written) AS w FROM id_journal').get()?.w ?? 0;
  }

  apply(requests: readonly WriteRequest[]): WriteResult[] {
    const outcomes: Array<OkResult | WireError> = [];
    this.txMaxTimestamp = -1;
    // The reader scans the journal newest first and stops at the first row older than its window.
    this.written = Math.max(this.written, Date.now());
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const req of requests) {
        this.stmt.savepoint.run();
        try {
          outcomes.push(this.one(req));
          this.stmt.release.run();
        } catch (e) {
          // SQLite may have rolled back the whole transaction by itself (SQLITE_FULL, IOERR…):
          // then every request of the group is lost, not only this one.
          if (!this.db.inTransaction) throw e;
          this.stmt.rollbackTo.run();
          this.stmt.release.run();
          outcomes.push(toWireError(e));
        }
      }
      // The stored bound runs ahead of the records by up to BOUND_SLACK_MS, so it is rewritten at
      // most about once per BOUND_SLACK_MS, not with every group: each rewrite is one more page
      // in the WAL. Rolled-back requests may raise it too: it only ever errs towards "recent".
      let bound = this.timestampBound;
      if (this.txMaxTimestamp > bound) {
        bound = this.txMaxTimestamp + BOUND_SLACK_MS;
        this.stmt.maxTimestamp.run(bound);
      }
      this.db.exec('COMMIT');
      this.timestampBound = bound;
      this.transactions++;
    } catch (e) {
      if (this.db.inTransaction) this.safeRollback();
      const error = toWireError(e);
      return requests.map((r) => ({ id: r.id, ok: false, error }));
    }
    return requests.map((r, i) => {
      const o = outcomes[i]!;
      return 'code' in o ? { id: r.id, ok: false, error: o } : { id: r.id, ok: true, ...o };
    });
  }

  private one(req: WriteOp): OkResult {
    switch (req.op) {
      case 'append':
        return { positions: this.append(req.topic, req.records) };
      case 'ensureTopic':
        return { topic: this.ensureTopic(req.topic, req.partitions) };
      case 'commit': {
        const parts = this.partitionsOf(req.topic);
        if (parts === undefined) throw new RequestError(`unknown topic ${req.topic}`);
        checkPartition(req.topic, req.partition, parts);
        if (!Number.isSafeInteger(req.offset) || req.offset < 0) throw new RequestError(`invalid offset ${req.offset}`);
        this.stmt.commit.run(req.group, req.topic, req.partition, req.offset);
        return {};
      }
    }
  }

  private partitionsOf(topic: string): number | undefined {
    return this.stmt.topic.get(topic)?.partitions;
  }

  private ensureTopic(topic: string, partitions?: number): TopicInfo {
    const existing = this.partitionsOf(topic);
    if (existing !== undefined) return { name: topic, partitions: existing };
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') throw new RequestError(`invalid topic name ${JSON.stringify(topic)}`);
    const n = partitions ?? this.defaultPartitions;
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new RequestError(`invalid partition count ${n}`);
    this.stmt.createTopic.run(topic, n);
    return { name: topic, partitions: n };
  }

  private append(topic: string, records: readonly WireRecord[]): Position[] {
    const { partitions } = this.ensureTopic(topic);
    const next = new Map<number, number>();
    const now = Date.now();
    return records.map((r) => {
      const partition = this.choosePartition(topic, r, partitions);
      let offset = next.get(partition);
      if (offset === undefined) offset = this.stmt.high.get(topic, partition)?.high ?? 0;
      next.set(partition, offset + 1);
      const ts = r.timestamp ?? now;
      if (!Number.isSafeInteger(ts) || ts < 0) throw new RequestError(`invalid timestamp ${String(r.timestamp)}`);
      if (ts > this.txMaxTimestamp) this.txMaxTimestamp = ts;
      const { lastInsertRowid } = this.stmt.insert.run(topic, partition, offset, ts, blob(r.key), blob(r.value), r.headers, r.source, r.id);
      if (r.source !== null && r.id !== null) this.stmt.journal.run(lastInsertRowid, this.written, idHash(r.source, r.id));
      return { topic, partition, offset };
    });
  }

  /** Kafka's choice: explicit partition, else murmur2 of the key, else round robin. */
  private choosePartition(topic: string, r: WireRecord, partitions: number): number {
    if (r.partition !== undefined) return checkPartition(topic, r.partition, partitions);
    if (r.key !== null) return partitionFor(r.key, partitions);
    const n = this.roundRobin.get(topic) ?? 0;
    this.roundRobin.set(topic, n + 1);
    return n % partitions;
  }

  private safeRollback(): void {
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // Already rolled back by SQLite; nothing left to undo.
    }
  }
}

function checkPartition(topic: string, partition: number, partitions: number): number {
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
    throw new RequestError(`partition ${partition} does not exist in topic ${topic} (${partitions} partitions)`);
  }
  return partition;
}

/** A view on the same bytes (no copy): structured clone turns Buffers into plain Uint8Arrays. */
const blob = (b: Uint8Array | null): Buffer | null => (b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function toWireError(e: unknown): WireError {
  if (e instanceof RequestError) return { code: 'CW_INVALID_REQUEST', message: e.message };
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown }).code;
  return { code: 'CW_EVENTLOG_UNAVAILABLE', message: typeof code === 'string' ? `${code}: ${msg}` : msg };
}
