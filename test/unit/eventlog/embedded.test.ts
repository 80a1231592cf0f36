import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isCausewayError, type LogRecord, type Position } from '../../../src/core/index.js';
import { openEmbeddedLog, type EmbeddedEventLog } from '../../../src/eventlog/index.js';
import { eventLogContract } from '../../contract/event-log.contract.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'cw-embedded-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const enc = new TextEncoder();
const rec = (id: string, extra: Partial<LogRecord> = {}): LogRecord => ({ key: null, value: enc.encode(id), headers: { 'ct-id': id }, ...extra });
const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (e: unknown) => (isCausewayError(e) ? e.code : String(e)),
  );

let dir = '';
let current: EmbeddedEventLog | undefined;
eventLogContract(
  'embedded (SQLite)',
  {
    async open() {
      dir = tempDir();
      return (current = await openEmbeddedLog({ dir, defaultPartitions: 3 }));
    },
    async reopen() {
      return (current = await openEmbeddedLog({ dir, defaultPartitions: 3 }));
    },
    async crashAndReopen() {
      await current!.crashForTesting();
      return (current = await openEmbeddedLog({ dir, defaultPartitions: 3 }));
    },
  },
  { partitions: 3 },
);

describe('embedded log specifics', () => {
  it('group-commits concurrent appends: fewer transactions than append calls', async () => {
    const log = await openEmbeddedLog({ dir: tempDir() });
    try {
      await log.ensureTopic('gc', 3);
      const before = log.stats();
      // Same tick: 64 calls.
      await Promise.all(Array.from({ length: 64 }, (_, i) => log.append('gc', [rec(`a${i}`)])));
      // Spread over 64 macrotasks: calls arrive while earlier transactions are in flight.
      const spread: Array<Promise<Position[]>> = [];
      for (let i = 0; i < 64; i++) {
        spread.push(log.append('gc', [rec(`b${i}`)]));
        await new Promise((r) => setImmediate(r));
      }
      await Promise.all(spread);
      const after = log.stats();
      expect(after.appendCalls - before.appendCalls).toBe(128);
      expect(after.records - before.records).toBe(128);
      const tx = after.transactions - before.transactions;
      expect(tx).toBeGreaterThan(0);
      expect(tx).toBeLessThan(128 / 2);
      const total = (await log.offsets('gc')).reduce((n, o) => n + o.high, 0);
      expect(total).toBe(128);
    } finally {
      await log.close();
    }
  });

  it('a bad request fails alone; its neighbours in the same group commit', async () => {
    const log = await openEmbeddedLog({ dir: tempDir() });
    try {
      await log.ensureTopic('t', 2);
      const [good1, bad, badName, good2] = await Promise.all([
        codeOf(log.append('t', [rec('g1')])),
        codeOf(log.append('t', [rec('ok-but-dropped'), rec('x', { partition: 7 })])),
        codeOf(log.append('no spaces allowed', [rec('y')])),
        codeOf(log.append('t', [rec('g2')])),
      ]);
      expect([good1, bad, badName, good2]).toEqual(['resolved', 'CW_INVALID_REQUEST', 'CW_INVALID_REQUEST', 'resolved']);
      const ids = [...(await log.read('t', 0, 0, 10)), ...(await log.read('t', 1, 0, 10))].map((f) => f.headers['ct-id']).sort();
      expect(ids).toEqual(['g1', 'g2']); // the bad batch left nothing behind: all-or-nothing
      expect(await codeOf(log.ensureTopic('t2', 0))).toBe('CW_INVALID_REQUEST');
      expect(await codeOf(log.commit('g', 'missing', 0, 1))).toBe('CW_INVALID_REQUEST');
    } finally {
      await log.close();
    }
  });

  it('a full database rejects with CW_EVENTLOG_UNAVAILABLE and keeps what was acknowledged', async () => {
    const log = await openEmbeddedLog({ dir: tempDir(), maxBytes: 256 * 1024 });
    try {
      const big = new Uint8Array(16 * 1024).fill(7);
      const acked: Position[] = [];
      let code = '';
      for (let i = 0; i < 64 && code === ''; i++) {
        try {
          acked.push(...(await log.append('full', [rec(`f${i}`, { value: big, partition: 0 })])));
        } catch (e) {
          code = isCausewayError(e) ? e.code : String(e);
          expect(isCausewayError(e) && e.retriable).toBe(true);
        }
      }
      expect(code).toBe('CW_EVENTLOG_UNAVAILABLE');
      expect(acked.length).toBeGreaterThan(0);
      const facts = await log.read('full', 0, 0, 100);
      expect(facts.map((f) => f.offset)).toEqual(acked.map((p) => p.offset));
      // Still serving: a small record may still fit, or fails the same way; reads keep working.
      expect(['resolved', 'CW_EVENTLOG_UNAVAILABLE']).toContain(await codeOf(log.append('full', [rec('small', { partition: 0 })])));
      expect((await log.ready()).ok).toBe(true);
    } finally {
      await log.close();
    }
  });

  it('after close: writes reject CW_EVENTLOG_UNAVAILABLE, waiters resolve false, ready is not ok', async () => {
    const log = await openEmbeddedLog({ dir: tempDir() });
    await log.ensureTopic('c', 1);
    const waiting = log.waitFor('c', 0, 0, 30_000);
    const inFlight = log.append('c', [rec('last')]);
    await log.close();
    expect(await codeOf(inFlight)).toBe('resolved'); // close drains what was already sent
    expect(await waiting).toBe(true);
    expect(await codeOf(log.append('c', [rec('late')]))).toBe('CW_EVENTLOG_UNAVAILABLE');
    expect(await codeOf(log.read('c', 0, 0, 1))).toBe('CW_EVENTLOG_UNAVAILABLE');
    expect(await log.waitFor('c', 0, 5, 30_000)).toBe(false);
    expect((await log.ready()).ok).toBe(false);
  });

  it('stores the log in <dir>/eventlog.sqlite in WAL mode', async () => {
    const d = tempDir();
    const log = await openEmbeddedLog({ dir: join(d, 'nested', 'data') });
    await log.append('wal', [rec('x')]);
    await log.close();
    // SQLite file header bytes 18–19 (read/write format versions) are 2 for WAL.
    const header = readFileSync(join(d, 'nested', 'data', 'eventlog.sqlite')).subarray(0, 20);
    expect(header.subarray(0, 15).toString()).toBe('SQLite format 3');
    expect([...header.subarray(18, 20)]).toEqual([2, 2]);
  });

  it('a waiter is released (false) when the log closes', async () => {
    const log = await openEmbeddedLog({ dir: tempDir() });
    await log.ensureTopic('w', 1);
    const waiting = log.waitFor('w', 0, 0, 30_000);
    await log.close();
    expect(await waiting).toBe(false);
  });

  it('lookupId finds an earlier source+id inside the window, also after reopen', async () => {
    const d = tempDir();
    let log = await openEmbeddedLog({ dir: d });
    const t0 = Date.now();
    const [p1, , p3] = await log.append('ids', [
      { key: null, value: null, headers: { ce_source: '/s', ce_id: '1' }, timestamp: t0 - 60_000 },
      { key: null, value: null, headers: { ce_source: '/other', ce_id: '2' } },
      { key: null, value: null, headers: { ce_source: '/s', ce_id: '2' } },
    ]);
    await log.close();
    log = await openEmbeddedLog({ dir: d });
    try {
      expect(log.lookupId('/s', '2', t0 - 1_000)).toEqual(p3);
      expect(log.lookupId('/s', '1', t0 - 120_000)).toEqual(p1);
      expect(log.lookupId('/s', '1', t0 - 1_000)).toBeUndefined(); // outside the window
      expect(log.lookupId('/s', '3', 0)).toBeUndefined();
    } finally {
      await log.close();
    }
  });

  it('newestTimestamp bounds every stored timestamp from above, across reopen; -Infinity when empty', async () => {
    const d = tempDir();
    let log = await openEmbeddedLog({ dir: d });
    try {
      expect(log.newestTimestamp()).toBe(-Infinity);
      await log.append('ts', [rec('a', { timestamp: 5_000 }), rec('b', { timestamp: 9_000 }), rec('c', { timestamp: 7_000 })]);
      // Kept up to a minute ahead, so that it is rarely rewritten; never below the newest record.
      expect(log.newestTimestamp()).toBeGreaterThanOrEqual(9_000);
      expect(log.newestTimestamp()).toBeLessThanOrEqual(9_000 + 60_000);
      // A request rolled back may leave the bound high, never low; an older record leaves it.
      await codeOf(log.append('ts', [rec('d', { timestamp: 200_000, partition: 99 })]));
      await log.append('ts', [rec('e', { timestamp: 1_000 })]);
      expect(log.newestTimestamp()).toBeGreaterThanOrEqual(9_000);
      const before = Date.now();
      await log.append('ts', [rec('f')]); // stamped by the writer
      expect(log.newestTimestamp()).toBeGreaterThanOrEqual(before);
      expect(log.newestTimestamp()).toBeLessThanOrEqual(Date.now() + 60_000);
    } finally {
      await log.close();
    }
    log = await openEmbeddedLog({ dir: d });
    try {
      expect(log.newestTimestamp()).toBeGreaterThanOrEqual(Date.now() - 60_000);
    } finally {
      await log.close();
    }
    // A file written before the bound was kept: records, no bound. Unknown means "maybe recent".
    const raw = new Database(log.file);
    raw.exec('DELETE FROM meta');
    raw.close();
    log = await openEmbeddedLog({ dir: d });
    try {
      expect(log.newestTimestamp()).toBe(Infinity);
    } finally {
      await log.close();
    }
  });

  it('SIGKILL while appending: every acknowledged record survives exactly once, at its position', async () => {
    const d = tempDir();
    const topic = 'crash';
    const fixture = fileURLToPath(new URL('../../fixtures/embedded-append-loop.ts', import.meta.url));
    const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, d, topic], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<string, Position[]>();
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fixture too slow; acked ${acked.size}; stderr: ${stderr}`)), 25_000);
      child.on('exit', (code) => code !== null && reject(new Error(`fixture exited ${code}: ${stderr}`)));
      child.stdout.on('data', (b: Buffer) => {
        buf += b.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const line of lines) {
          const m = JSON.parse(line) as { id?: string; positions?: Position[] };
          if (m.id !== undefined) acked.set(m.id, m.positions!);
        }
        if (acked.size >= 300) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Lines the child wrote before dying are acknowledgements too.
    await new Promise((r) => setImmediate(r));

    const log = await openEmbeddedLog({ dir: d });
    try {
      const facts = [];
      for (let p = 0; p < 3; p++) facts.push(...(await log.read(topic, p, 0, 1_000_000)));
      const ids = facts.map((f) => f.headers['ct-id']!);
      expect(new Set(ids).size).toBe(ids.length); // nothing twice
      const at = new Map(facts.map((f) => [`${f.partition}/${f.offset}`, f.headers['ct-id']]));
      for (const [id, positions] of acked) {
        positions.forEach((pos, i) => expect(at.get(`${pos.partition}/${pos.offset}`)).toBe(`${id}.${i}`));
      }
      // Offsets are dense: no holes left by the crash.
      for (let p = 0; p < 3; p++) {
        const offs = facts.filter((f) => f.partition === p).map((f) => f.offset);
        expect(offs).toEqual(offs.map((_, i) => i));
      }
    } finally {
      await log.close();
    }
  });
});
