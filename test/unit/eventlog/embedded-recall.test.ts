/**
 * The embedded log's restart recall (id-journal.ts): lookupId answers from the ids written within
 * the recall window before the open, exactly (hash collisions included), bounded in count, and
 * files from before the journal (an index on ce_id instead) are migrated without losing an id.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/core/index.js';
import { idHash } from '../../../src/eventlog/embedded/id-journal.js';
import { openEmbeddedLog, type EmbeddedLogOptions } from '../../../src/eventlog/index.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'cw-recall-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ev = (source: string, id: string): LogRecord => ({ key: null, value: null, headers: { ce_source: source, ce_id: id } });

/** Appends in one session, then reopens: what a restart sees. */
async function storeThenReopen(dir: string, records: LogRecord[], opts: Partial<EmbeddedLogOptions> = {}) {
  const first = await openEmbeddedLog({ dir });
  const positions = await first.append('t', records);
  await first.close();
  return { log: await openEmbeddedLog({ dir, ...opts }), positions };
}

/** Two ids with the same idHash (birthday search over 30 bits: ~40,000 tries). */
function collidingIds(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const id = `id-${i}`;
    const h = idHash('/s', id);
    const other = seen.get(h);
    if (other !== undefined) return [other, id];
    seen.set(h, id);
  }
}

describe('embedded log: recall after a restart', () => {
  it('is exact when two stored ids share a hash, and for an unknown id with that hash', async () => {
    const [a, b] = collidingIds();
    expect(idHash('/s', a)).toBe(idHash('/s', b));
    const { log, positions } = await storeThenReopen(tempDir(), [ev('/s', a), ev('/s', b), ev('/other', a)]);
    try {
      expect(log.lookupId('/s', a, 0)).toEqual(positions[0]);
      expect(log.lookupId('/s', b, 0)).toEqual(positions[1]);
      expect(log.lookupId('/other', a, 0)).toEqual(positions[2]);
      expect(log.lookupId('/other', b, 0)).toBeUndefined();
    } finally {
      await log.close();
    }
  });

  it('looks only at records stored before the open (the accept side remembers the rest itself)', async () => {
    const { log, positions } = await storeThenReopen(tempDir(), [ev('/s', 'old')]);
    try {
      await log.append('t', [ev('/s', 'new')]);
      expect(log.lookupId('/s', 'old', 0)).toEqual(positions[0]);
      expect(log.lookupId('/s', 'new', 0)).toBeUndefined();
    } finally {
      await log.close();
    }
  });

  it('loads only ids written within the recall window, at most recallMaxIds of them, newest first', async () => {
    const dir = tempDir();
    const first = await openEmbeddedLog({ dir });
    await first.append('t', [ev('/s', '1')]);
    const [p2, p3, p4] = await first.append('t', [ev('/s', '2'), ev('/s', '3'), ev('/s', '4')]);
    await first.close();
    // Pretend the first append was written two hours ago (written never decreases along rowids).
    const raw = new Database(join(dir, 'eventlog.sqlite'));
    raw.prepare('UPDATE id_journal SET written = written - 7200000 WHERE rid = (SELECT MIN(rid) FROM id_journal)').run();
    raw.close();
    let log = await openEmbeddedLog({ dir, recallWindowMs: 3_600_000 });
    try {
      expect(log.recallSize()).toBe(3);
      expect(log.lookupId('/s', '1', 0)).toBeUndefined();
      expect([log.lookupId('/s', '2', 0), log.lookupId('/s', '3', 0), log.lookupId('/s', '4', 0)]).toEqual([p2, p3, p4]);
    } finally {
      await log.close();
    }
    log = await openEmbeddedLog({ dir, recallWindowMs: 3 * 3_600_000, recallMaxIds: 2 });
    try {
      expect(log.recallSize()).toBe(2);
      expect([log.lookupId('/s', '3', 0), log.lookupId('/s', '4', 0)]).toEqual([p3, p4]);
      expect(log.lookupId('/s', '2', 0)).toBeUndefined();
    } finally {
      await log.close();
    }
    log = await openEmbeddedLog({ dir, recallWindowMs: 0 });
    try {
      expect(log.recallSize()).toBe(0);
      expect(log.lookupId('/s', '4', 0)).toBeUndefined();
    } finally {
      await log.close();
    }
  });

  it('journals one row per record that has ce_source and ce_id, and makes new files with 8 KiB pages', async () => {
    const dir = tempDir();
    const log = await openEmbeddedLog({ dir });
    await log.append('t', [
      ev('/s', 'a'),
      { key: null, value: null, headers: { ce_id: 'no-source' } },
      { key: null, value: null, headers: {} },
    ]);
    await log.close();
    const raw = new Database(join(dir, 'eventlog.sqlite'), { readonly: true });
    try {
      expect(raw.prepare('SELECT hash FROM id_journal').all()).toEqual([{ hash: idHash('/s', 'a') }]);
      expect(raw.pragma('page_size', { simple: true })).toBe(8192);
      expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'records_ce_id'").get()).toBeUndefined();
    } finally {
      raw.close();
    }
  });

  it('migrates a file that has the old (ce_id, ce_source) index: its recent ids are recalled, the index dropped', async () => {
    const dir = tempDir();
    const first = await openEmbeddedLog({ dir });
    const old = await first.append('t', [ev('/s', 'x'), { ...ev('/s', 'ancient'), timestamp: 1_000 }, ev('/s', 'y')]);
    await first.close();
    // Make it look like a file written before the journal existed.
    let raw = new Database(join(dir, 'eventlog.sqlite'));
    raw.exec('DELETE FROM id_journal; CREATE INDEX records_ce_id ON records (ce_id, ce_source) WHERE ce_id IS NOT NULL;');
    raw.close();
    const log = await openEmbeddedLog({ dir });
    try {
      expect(log.lookupId('/s', 'x', 0)).toEqual(old[0]);
      expect(log.lookupId('/s', 'y', 0)).toEqual(old[2]);
      expect(log.lookupId('/s', 'ancient', 0)).toBeUndefined(); // timestamp outside the window: not copied
      expect(log.recallSize()).toBe(2);
    } finally {
      await log.close();
    }
    raw = new Database(join(dir, 'eventlog.sqlite'), { readonly: true });
    try {
      expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'records_ce_id'").get()).toBeUndefined();
    } finally {
      raw.close();
    }
  });
});
