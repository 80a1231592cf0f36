/**
 * The EventLog contract (DESIGN §3, §10.3): every implementation of the port — embedded SQLite,
 * Kafka through the KafkaJS API, fakes — must pass these tests unchanged.
 *
 * Implementation-neutral on purpose: it may run against a shared, long-lived Kafka broker, so every
 * test uses its own fresh topic (`ct.<random>`), never assumes the log is empty, and allows topic
 * creation and metadata to take a moment.
 *
 * Lifecycle expected from the factory:
 * - `open()` is called once (beforeAll) and returns a ready log; the suite closes it (afterAll).
 * - `reopen()` (optional): the suite has already called `close()` on the current instance; return a
 *   new instance over the same storage.
 * - `crashAndReopen()` (optional): the suite does NOT close the current instance; abandon it as a
 *   crash would (no close, no flush, in-flight work lost) and return a new instance over the same
 *   storage. Every append that was acknowledged before the call must survive.
 * The instance returned by reopen/crashAndReopen is used by every later test and closed at the end.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventLog, LogRecord, Position } from '../../src/core/index.js';
import { isCausewayError } from '../../src/core/index.js';
import { partitionFor } from '../../src/eventlog/index.js';
import { hex, highOf, newTopic, readAll, readTopic, sleep, tagged, utf8 } from './event-log-helpers.js';

export interface EventLogFactory {
  open(): Promise<EventLog>;
  reopen?(): Promise<EventLog>;
  crashAndReopen?(): Promise<EventLog>;
}

export interface EventLogContractOptions {
  /** The implementation's default partition count (used for topics created without one). */
  partitions?: number;
}

const PARTITIONS = 3;
/** Generous: a real broker may take seconds to create a topic and elect leaders. */
const TEST_TIMEOUT = 90_000;
/** How soon after an append's acknowledgement a waiting reader must be woken. */
const WAKE_BOUND_MS = 1_500;

export function eventLogContract(name: string, factory: EventLogFactory, opts: EventLogContractOptions = {}): void {
  describe(`EventLog contract: ${name}`, () => {
    let log: EventLog;

    beforeAll(async () => {
      log = await factory.open();
    }, TEST_TIMEOUT);
    afterAll(async () => {
      await log?.close();
    }, TEST_TIMEOUT);

    describe('topics and offsets', () => {
      it('reports ready', async () => {
        expect((await log.ready()).ok).toBe(true);
      });

      it('ensureTopic creates a topic once; listTopics and offsets see it', async () => {
        const topic = newTopic();
        expect(await log.ensureTopic(topic, PARTITIONS)).toEqual({ name: topic, partitions: PARTITIONS });
        // Idempotent: asking again (even with another count) returns what exists, unchanged.
        expect(await log.ensureTopic(topic, PARTITIONS + 2)).toEqual({ name: topic, partitions: PARTITIONS });
        await vi.waitFor(
          async () => expect((await log.listTopics()).find((t) => t.name === topic)).toEqual({ name: topic, partitions: PARTITIONS }),
          { timeout: 30_000, interval: 200 },
        );
        const offsets = await log.offsets(topic);
        expect(offsets.map((o) => o.partition).sort()).toEqual([0, 1, 2]);
        for (const o of offsets) expect(o).toEqual({ partition: o.partition, low: 0, high: 0 });
      }, TEST_TIMEOUT);

      it('ensureTopic without a count uses the default', async () => {
        const topic = newTopic();
        const info = await log.ensureTopic(topic);
        expect(info.name).toBe(topic);
        if (opts.partitions !== undefined) expect(info.partitions).toBe(opts.partitions);
        else expect(info.partitions).toBeGreaterThanOrEqual(1);
      }, TEST_TIMEOUT);

      it('append to a topic that does not exist yet creates it', async () => {
        const topic = newTopic();
        const [pos] = await log.append(topic, [tagged('auto')]);
        expect(pos?.topic).toBe(topic);
        const info = await vi.waitFor(
          async () => {
            const t = (await log.listTopics()).find((x) => x.name === topic);
            expect(t).toBeDefined();
            return t!;
          },
          { timeout: 30_000, interval: 200 },
        );
        if (opts.partitions !== undefined) expect(info.partitions).toBe(opts.partitions);
        expect(pos!.partition).toBeGreaterThanOrEqual(0);
        expect(pos!.partition).toBeLessThan(info.partitions);
      }, TEST_TIMEOUT);

      it('offsets and read of an unknown topic reject with CW_NOT_FOUND', async () => {
        const topic = newTopic();
        const codeOf = (p: Promise<unknown>) =>
          p.then(
            () => 'resolved',
            (e: unknown) => (isCausewayError(e) ? e.code : String(e)),
          );
        expect(await codeOf(log.offsets(topic))).toBe('CW_NOT_FOUND');
        expect(await codeOf(log.read(topic, 0, 0, 10))).toBe('CW_NOT_FOUND');
      }, TEST_TIMEOUT);
    });

    describe('append', () => {
      it('returns positions in input order with consecutive offsets per partition', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        const records = Array.from({ length: 12 }, (_, i) => tagged(`r${i}`, { partition: i % PARTITIONS }));
        const positions = await log.append(topic, records);
        expect(positions).toHaveLength(records.length);
        positions.forEach((p, i) => {
          expect(p.topic).toBe(topic);
          expect(p.partition).toBe(i % PARTITIONS);
        });
        for (let p = 0; p < PARTITIONS; p++) {
          const offs = positions.filter((x) => x.partition === p).map((x) => x.offset);
          expect(offs).toEqual([0, 1, 2, 3]);
          expect(await highOf(log, topic, p)).toBe(4);
        }
        // A second append continues where the first ended.
        const [next] = await log.append(topic, [tagged('again', { partition: 1 })]);
        expect(next).toEqual({ topic, partition: 1, offset: 4 });
      }, TEST_TIMEOUT);

      it('same key: same partition (Kafka murmur2), in append order', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        const keys = ['order-1', 'order-2', 'customer-42', 'ключ-✓', ''];
        const all: Array<{ key: string; seq: number; pos: Position }> = [];
        for (let round = 0; round < 3; round++) {
          const records = keys.flatMap((k) => [0, 1].map((j) => tagged(`${k}/${round * 2 + j}`, { key: utf8(k) })));
          const positions = await log.append(topic, records);
          positions.forEach((pos, i) => all.push({ key: keys[Math.floor(i / 2)]!, seq: round * 2 + (i % 2), pos }));
        }
        for (const k of keys) {
          const mine = all.filter((x) => x.key === k);
          const expected = partitionFor(utf8(k), PARTITIONS);
          for (const m of mine) expect(m.pos.partition).toBe(expected);
          const offs = mine.sort((a, b) => a.seq - b.seq).map((m) => m.pos.offset);
          expect(offs).toEqual([...offs].sort((a, b) => a - b));
          const facts = (await readAll(log, topic, expected)).filter((f) => f.key !== null && hex(f.key) === hex(utf8(k)));
          expect(facts.map((f) => f.headers['ct-id'])).toEqual([0, 1, 2, 3, 4, 5].map((s) => `${k}/${s}`));
        }
      }, TEST_TIMEOUT);

      it('honours an explicit partition, even over a key', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        const key = utf8('order-1');
        const other = (partitionFor(key, PARTITIONS) + 1) % PARTITIONS;
        const [a, b] = await log.append(topic, [tagged('a', { partition: 2 }), tagged('b', { key, partition: other })]);
        expect(a!.partition).toBe(2);
        expect(b!.partition).toBe(other);
      }, TEST_TIMEOUT);

      it('spreads keyless records over the partitions, all in range', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        const seen = new Set<number>();
        for (let i = 0; i < 30; i++) {
          for (const p of await log.append(topic, [tagged(`k${i}`)])) {
            expect(p.partition).toBeGreaterThanOrEqual(0);
            expect(p.partition).toBeLessThan(PARTITIONS);
            seen.add(p.partition);
          }
        }
        expect(seen.size).toBeGreaterThan(1);
      }, TEST_TIMEOUT);
    });

    describe('read', () => {
      it('returns exactly what was appended: bytes, key, headers, timestamps', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
        const ts = Date.now() - 5_000; // recent: a broker's retention must not touch it
        const records: LogRecord[] = [
          { key: utf8('k1'), value: allBytes, headers: { ce_id: 'a1', ce_source: '/s', 'content-type': 'application/octet-stream' }, partition: 0, timestamp: ts },
          { key: null, value: null, headers: { 'ct-id': 'nulls' }, partition: 0, timestamp: ts + 1 },
          { key: Uint8Array.from([0, 255, 128, 10]), value: new Uint8Array(0), headers: {}, partition: 0 },
          { key: utf8('k2'), value: utf8('{"amount":101}'), headers: { ce_subject: 'héllo wörld ✓ 日本 🎉', empty: '', 'x-spaces': ' a b ' }, partition: 0 },
        ];
        const before = Date.now();
        const positions = await log.append(topic, records);
        const after = Date.now();
        const facts = await log.read(topic, 0, positions[0]!.offset, 10);
        expect(facts).toHaveLength(records.length);
        facts.forEach((f, i) => {
          const r = records[i]!;
          expect({ topic: f.topic, partition: f.partition, offset: f.offset }).toEqual(positions[i]);
          expect(hex(f.key)).toEqual(hex(r.key));
          expect(hex(f.value)).toEqual(hex(r.value));
          expect(f.headers).toEqual(r.headers);
          if (r.timestamp !== undefined) expect(f.timestamp).toBe(r.timestamp);
          else {
            // Set by the log when absent; allow for a broker's clock.
            expect(f.timestamp).toBeGreaterThanOrEqual(before - 10_000);
            expect(f.timestamp).toBeLessThanOrEqual(after + 10_000);
          }
        });
        expect(facts[1]!.value).toBeNull();
        expect(facts[1]!.key).toBeNull();
        expect(facts[2]!.value).not.toBeNull(); // empty is not null
        expect(facts[2]!.value!.byteLength).toBe(0);
      }, TEST_TIMEOUT);

      it('reads from an offset with a limit, in offset order; past the end is empty', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        await log.append(topic, Array.from({ length: 10 }, (_, i) => tagged(`n${i}`, { partition: 1 })));
        const page = await log.read(topic, 1, 3, 4);
        expect(page.map((f) => f.offset)).toEqual([3, 4, 5, 6]);
        expect(page.map((f) => f.headers['ct-id'])).toEqual(['n3', 'n4', 'n5', 'n6']);
        expect((await log.read(topic, 1, 8, 100)).map((f) => f.offset)).toEqual([8, 9]);
        expect(await log.read(topic, 1, 10, 100)).toEqual([]);
        expect(await log.read(topic, 1, 1_000, 100)).toEqual([]);
        expect(await log.read(topic, 2, 0, 100)).toEqual([]);
      }, TEST_TIMEOUT);
    });

    describe('consumer group commits', () => {
      it('null before the first commit; per group and per partition; overwritable', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        await log.append(topic, Array.from({ length: 8 }, (_, i) => tagged(`c${i}`, { partition: i % 2 })));
        const g1 = `ct.g1.${randomBytes(4).toString('hex')}`;
        const g2 = `ct.g2.${randomBytes(4).toString('hex')}`;
        expect(await log.committed(g1, topic, 0)).toBeNull();
        await log.commit(g1, topic, 0, 3);
        expect(await log.committed(g1, topic, 0)).toBe(3);
        expect(await log.committed(g1, topic, 1)).toBeNull();
        expect(await log.committed(g2, topic, 0)).toBeNull();
        await log.commit(g2, topic, 0, 1);
        await log.commit(g1, topic, 0, 4);
        await log.commit(g1, topic, 1, 2);
        expect(await log.committed(g1, topic, 0)).toBe(4);
        expect(await log.committed(g1, topic, 1)).toBe(2);
        expect(await log.committed(g2, topic, 0)).toBe(1);
      }, TEST_TIMEOUT);
    });

    describe('waitFor', () => {
      it('resolves true at once when the offset is already there', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        await log.append(topic, [tagged('x', { partition: 0 })]);
        const t0 = Date.now();
        expect(await log.waitFor(topic, 0, 0, 10_000)).toBe(true);
        expect(Date.now() - t0).toBeLessThan(WAKE_BOUND_MS);
      }, TEST_TIMEOUT);

      it('resolves true promptly when another append arrives', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        await log.append(topic, [tagged('first', { partition: 1 })]);
        let wokeAt = 0;
        const waiting = log.waitFor(topic, 1, 1, 20_000).then((v) => ((wokeAt = Date.now()), v));
        await sleep(200);
        expect(wokeAt).toBe(0); // still waiting: nothing new yet
        await log.append(topic, [tagged('other-partition', { partition: 2 })]);
        await sleep(100);
        expect(wokeAt).toBe(0); // an append elsewhere does not satisfy it
        await log.append(topic, [tagged('second', { partition: 1 })]);
        const ackedAt = Date.now();
        expect(await waiting).toBe(true);
        expect(wokeAt - ackedAt).toBeLessThan(WAKE_BOUND_MS);
      }, TEST_TIMEOUT);

      it('resolves false on timeout', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        const t0 = Date.now();
        expect(await log.waitFor(topic, 0, 0, 300)).toBe(false);
        const took = Date.now() - t0;
        expect(took).toBeGreaterThanOrEqual(250);
        expect(took).toBeLessThan(300 + WAKE_BOUND_MS);
      }, TEST_TIMEOUT);

      it('resolves false on abort, and at once for an aborted signal', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        const ac = new AbortController();
        const t0 = Date.now();
        const waiting = log.waitFor(topic, 0, 0, 20_000, ac.signal);
        setTimeout(() => ac.abort(), 100);
        expect(await waiting).toBe(false);
        expect(Date.now() - t0).toBeLessThan(100 + WAKE_BOUND_MS);
        const t1 = Date.now();
        expect(await log.waitFor(topic, 0, 0, 20_000, AbortSignal.abort())).toBe(false);
        expect(Date.now() - t1).toBeLessThan(WAKE_BOUND_MS);
      }, TEST_TIMEOUT);
    });

    describe('concurrency', () => {
      it('50 concurrent appends of 1–20 records: distinct positions, every record readable exactly once', async () => {
        const topic = newTopic();
        await log.ensureTopic(topic, PARTITIONS);
        const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
        const calls = Array.from({ length: 50 }, (_, c) =>
          Array.from({ length: 1 + ((c * 7) % 20) }, (_, i) =>
            tagged(`${c}.${i}`, { key: (c + i) % 3 === 0 ? null : utf8(keys[(c * 3 + i) % keys.length]!) }),
          ),
        );
        const results = await Promise.all(calls.map((records) => log.append(topic, records)));
        const byPos = new Map<string, string>();
        results.forEach((positions, c) => {
          expect(positions).toHaveLength(calls[c]!.length);
          positions.forEach((p, i) => byPos.set(`${p.partition}/${p.offset}`, `${c}.${i}`));
          // Within one call, records with the same key keep their order.
          for (const k of keys) {
            const offs = positions.filter((_, i) => hex(calls[c]![i]!.key) === hex(utf8(k))).map((p) => p.offset);
            expect(offs).toEqual([...offs].sort((a, b) => a - b));
          }
        });
        const total = calls.reduce((n, r) => n + r.length, 0);
        expect(byPos.size).toBe(total); // distinct positions
        const facts = await readTopic(log, topic, PARTITIONS);
        expect(facts).toHaveLength(total);
        const ids = facts.map((f) => f.headers['ct-id']);
        expect(new Set(ids).size).toBe(total); // each exactly once
        for (const f of facts) expect(byPos.get(`${f.partition}/${f.offset}`)).toBe(f.headers['ct-id']);
      }, TEST_TIMEOUT);
    });

    if (factory.reopen !== undefined) {
      const reopen = factory.reopen.bind(factory);
      describe('reopen', () => {
        it('keeps topics, records, offsets and commits across close and reopen', async () => {
          const topic = newTopic();
          await log.ensureTopic(topic, PARTITIONS);
          const positions = await log.append(topic, Array.from({ length: 9 }, (_, i) => tagged(`p${i}`, { key: utf8(`k${i % 4}`) })));
          const group = `ct.g.${randomBytes(4).toString('hex')}`;
          await log.commit(group, topic, 1, 2);
          const offsetsBefore = await log.offsets(topic);
          const factsBefore = await readTopic(log, topic, PARTITIONS);
          await log.close();
          log = await reopen();
          expect((await log.listTopics()).find((t) => t.name === topic)).toEqual({ name: topic, partitions: PARTITIONS });
          expect(await log.offsets(topic)).toEqual(offsetsBefore);
          expect(await readTopic(log, topic, PARTITIONS)).toEqual(factsBefore);
          expect(await log.committed(group, topic, 1)).toBe(2);
          // Appends continue after the last offset of each partition.
          const [next] = await log.append(topic, [tagged('after', { key: utf8('k0') })]);
          const lastK0 = positions.filter((_, i) => i % 4 === 0).at(-1)!;
          expect(next).toEqual({ topic, partition: lastK0.partition, offset: offsetsBefore.find((o) => o.partition === lastK0.partition)!.high });
        }, TEST_TIMEOUT);
      });
    }

    if (factory.crashAndReopen !== undefined) {
      const crashAndReopen = factory.crashAndReopen.bind(factory);
      describe('crash', () => {
        it('keeps every acknowledged append, each exactly once', async () => {
          const topic = newTopic();
          await log.ensureTopic(topic, PARTITIONS);
          const acked: string[] = [];
          const ackedAppend = (id: string) => log.append(topic, [tagged(id)]).then(() => void acked.push(id));
          for (let i = 0; i < 20; i++) await ackedAppend(`seq${i}`);
          await Promise.all(Array.from({ length: 20 }, (_, i) => ackedAppend(`par${i}`)));
          // In flight when the crash happens: may or may not survive, but never twice.
          const inFlight = Array.from({ length: 20 }, (_, i) => log.append(topic, [tagged(`lost?${i}`)]).catch(() => undefined));
          const ackedBefore = [...acked];
          log = await crashAndReopen();
          void Promise.allSettled(inFlight);
          const ids = (await readTopic(log, topic, PARTITIONS)).map((f) => f.headers['ct-id']!);
          expect(new Set(ids).size).toBe(ids.length);
          for (const id of ackedBefore) expect(ids).toContain(id);
          for (const id of ids) expect(id.startsWith('seq') || id.startsWith('par') || id.startsWith('lost?')).toBe(true);
          const [p] = await log.append(topic, [tagged('after-crash', { partition: 0 })]);
          expect(p!.offset).toBe((await highOf(log, topic, 0)) - 1);
        }, TEST_TIMEOUT);
      });
    }
  });
}
