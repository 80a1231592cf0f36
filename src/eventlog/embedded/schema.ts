import type Database from 'better-sqlite3';

/** The embedded log's single database file inside the data directory. */
export const DB_FILE = 'eventlog.sqlite';

/**
 * Tables mirror Kafka's model (DESIGN §3): topics with a fixed partition count, records addressed by
 * (topic, partition, offset), and per-group committed offsets. `partition`, `offset` and `group` are
 * SQL keywords, hence quoted. `ce_source`/`ce_id` are copied from the record's headers so that the
 * accept side can find a repeated `source`+`id` after a restart (dedupe window).
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
CREATE INDEX IF NOT EXISTS records_ce_id ON records (ce_id, ce_source) WHERE ce_id IS NOT NULL;
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
 * not only a process crash.
 */
export function prepareWriter(db: Database.Database, maxBytes?: number): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(DDL);
  if (maxBytes !== undefined) {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxBytes / pageSize))}`);
  }
}

/** Reader connection setup: never writes, waits briefly if a checkpoint holds a lock. */
export function prepareReader(db: Database.Database): void {
  db.pragma('busy_timeout = 5000');
}
