import type Database from 'better-sqlite3';
import { idHash } from './id-journal.js';

/** The embedded log's single database file inside the data directory. */
export const DB_FILE = 'eventlog.sqlite';

/**
 * Tables mirror Kafka's model (DESIGN §3): topics with a fixed partition count, records addressed by
 * (topic, partition, offset), and per-group committed offsets. `partition`, `offset` and `group` are
 * SQL keywords, hence quoted. `ce_source`/`ce_id` are copied from the record's headers, and
 * `id_journal` lists them by hash in write order, so that the accept side can find a repeated
 * `source`+`id` after a restart (dedupe window; see id-journal.ts for why not an index).
 * `records` keeps its rowid: rows carry ~KiB values, which WITHOUT ROWID tables store poorly.
 * `meta.max_timestamp` (added later, so absent in older files) is kept by the writer: it tells at
 * start whether anything was stored recently enough for the dedupe window to need the index.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS topics (
  name TEXT PRIMARY KEY,
  partitions INTEGER NOT NULL CHECK (partitions >= 1)
);
CREATE TABLE IF NOT EXISTS records (
  topic TEXT NOT NULL,
  "partition" INTEGER NOT NULL,
  "offset" INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  key BLOB,
  value BLOB,
  headers TEXT NOT NULL,
  ce_source TEXT,
  ce_id TEXT,
  PRIMARY KEY (topic, "partition", "offset")
);
-- rid is the record's rowid; written (ms, never decreasing along rid) lets the reader stop its
-- newest-first scan at the recall window; hash is idHash(ce_source, ce_id).
CREATE TABLE IF NOT EXISTS id_journal (
  rid INTEGER PRIMARY KEY,
  written INTEGER NOT NULL,
  hash INTEGER NOT NULL
);
-- Facts about the log as a whole; 'max_timestamp' bounds every record's timestamp from above
-- (kept up to a minute ahead of the newest record, so it is rarely rewritten).
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commits (
  "group" TEXT NOT NULL,
  topic TEXT NOT NULL,
  "partition" INTEGER NOT NULL,
  "offset" INTEGER NOT NULL,
  PRIMARY KEY ("group", topic, "partition")
) WITHOUT ROWID;
`;

/**
 * Writer connection setup. WAL lets the main thread read while the worker writes;
 * synchronous=FULL fsyncs the WAL on every commit, so an acknowledged append survives power loss,
 * not only a process crash. New files get 8 KiB pages (an existing file keeps its page size: it
 * only changes with a VACUUM). Measured with bench/embedded-append.ts, writer CPU per 1 KiB record:
 * with 100-record appends 8 KiB pages cost ~2 µs less than 4 KiB (fewer WAL frames, each with its
 * own header and checksum); 16 KiB saved ~4 µs there but cost ~8 µs more per single-record append,
 * because every commit rewrites the partly filled last page of the table, whole.
 */
export function prepareWriter(db: Database.Database, recallWindowMs: number, maxBytes?: number): void {
  db.pragma('page_size = 8192');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(DDL);
  migrateIdIndex(db, recallWindowMs);
  if (maxBytes !== undefined) {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxBytes / pageSize))}`);
  }
}

/** Reader connection setup: never writes, waits briefly if a checkpoint holds a lock. */
export function prepareReader(db: Database.Database): void {
  db.pragma('busy_timeout = 5000');
}

/**
 * Files written before id_journal have an index on records (ce_id, ce_source) instead: the ids of
 * the last recall window are copied into the journal (one scan of the table, once) and the index
 * is dropped, so a restart still recognises them and appends stop paying for the index.
 */
function migrateIdIndex(db: Database.Database, recallWindowMs: number): void {
  const old = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'records_ce_id'").get();
  if (old === undefined) return;
  db.function('cw_id_hash', { deterministic: true }, (source, id) => idHash(String(source), String(id)));
  const now = Date.now();
  db.transaction(() => {
    db.prepare(
      `INSERT OR IGNORE INTO id_journal (rid, written, hash)
       SELECT rowid, ?, cw_id_hash(ce_source, ce_id) FROM records
       WHERE ce_id IS NOT NULL AND ce_source IS NOT NULL AND timestamp >= ? ORDER BY rowid`,
    ).run(now, now - recallWindowMs);
    db.exec('DROP INDEX records_ce_id');
  })();
}
