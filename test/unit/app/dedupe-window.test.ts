import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupeWindow, detach } from '../../../src/app/dedupe-window.js';
import type { Position } from '../../../src/core/index.js';

/** A full garbage collection, without starting the test process with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const pos = (offset: number) => ({ topic: 't', partition: 0, offset });

describe('DedupeWindow', () => {
  it('answers a stored position inside the window and forgets it after', async () => {
    let now = 1000;
    const w = new DedupeWindow(100, 10, () => now);
    w.track('a', Promise.resolve(pos(7)));
    await Promise.resolve();
    await Promise.resolve();
    expect(w.lookup('a')).toEqual(pos(7));
    now = 1099;
    expect(w.lookup('a')).toEqual(pos(7));
    now = 1100;
    expect(w.lookup('a')).toBeUndefined();
  });

  it('coalesces an append in flight', async () => {
    const w = new DedupeWindow(1000, 10);
    let resolve!: (p: ReturnType<typeof pos>) => void;
    const pending = new Promise<ReturnType<typeof pos>>((r) => (resolve = r));
    w.track('a', pending);
    const seen = w.lookup('a');
    expect(seen).toBeInstanceOf(Promise);
    resolve(pos(3));
    await expect(seen).resolves.toEqual(pos(3));
  });

  it('forgets an id whose append failed, so the retry is stored', async () => {
    const w = new DedupeWindow(1000, 10);
    const failed = Promise.reject(new Error('disk'));
    w.track('a', failed);
    await failed.catch(() => undefined);
    await Promise.resolve();
    expect(w.lookup('a')).toBeUndefined();
  });

  it('stays within maxEntries, evicting the oldest and counting it', () => {
    const w = new DedupeWindow(60_000, 3);
    for (let i = 0; i < 5; i++) w.track(`k${i}`, Promise.resolve(pos(i)));
    expect(w.size).toBe(3);
    expect(w.evicted).toBe(2);
    expect(w.lookup('k0')).toBeUndefined();
    expect(w.lookup('k4')).toBeDefined();
  });

  it('trackAll: each id of one append gets its own position, in flight and after', async () => {
    const w = new DedupeWindow(1000, 10);
    let resolve!: (p: ReturnType<typeof pos>[]) => void;
    w.trackAll(['a', 'b', 'c'], new Promise((r) => (resolve = r)));
    const b = w.lookup('b');
    expect(b).toBeInstanceOf(Promise);
    resolve([pos(10), pos(11), pos(12)]);
    await expect(b).resolves.toEqual(pos(11));
    expect([w.lookup('a'), w.lookup('c')]).toEqual([pos(10), pos(12)]);
  });

  it('trackAll: a failed append forgets its ids, but not an id tracked again since', async () => {
    const w = new DedupeWindow(1000, 10);
    let reject!: (e: Error) => void;
    const failing = new Promise<ReturnType<typeof pos>[]>((_, r) => (reject = r));
    w.trackAll(['a', 'b'], failing);
    w.track('b', Promise.resolve(pos(5)));
    reject(new Error('disk'));
    await failing.catch(() => undefined);
    await Promise.resolve();
    expect(w.lookup('a')).toBeUndefined();
    expect(w.lookup('b')).toEqual(pos(5));
  });

  it('a zero window remembers nothing', () => {
    const w = new DedupeWindow(0, 10);
    w.track('a', Promise.resolve(pos(1)));
    expect(w.lookup('a')).toBeUndefined();
  });

  it('detach returns an equal string for any string, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => detach(s) === s));
    expect(detach('a\ud800b')).toBe('a\ud800b');
  });

  it('keys cut from request bodies do not keep the bodies alive', async () => {
    // 300 bodies of 200 KiB, 100 ids cut from each (as the JSON scanner cuts attributes): held
    // as views, the window would keep ~60 MB of body text alive; detached keys are ~10 MB at most.
    const w = new DedupeWindow(60_000, 1_000_000);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let b = 0; b < 300; b++) {
      const body = `${'x'.repeat(200 * 1024)}${Array.from({ length: 100 }, (_, i) => `|/src-${b}\u0000id-${b}-${i}-${'y'.repeat(30)}`).join('')}`;
      const keys: string[] = [];
      let at = body.indexOf('|');
      while (at >= 0) {
        const next = body.indexOf('|', at + 1);
        keys.push(body.slice(at + 1, next < 0 ? undefined : next));
        at = next;
      }
      w.trackAll(keys, Promise.resolve(keys.map((_, i) => pos(i))));
    }
    await new Promise((r) => setImmediate(r));
    collectGarbage();
    const grown = process.memoryUsage().heapUsed - before;
    expect(w.size).toBe(30_000);
    expect(grown).toBeLessThan(15 * 1024 * 1024);
    expect(w.lookup(DedupeWindow.key('/src-7', `id-7-42-${'y'.repeat(30)}`))).toEqual(pos(42));
  });
});

describe('DedupeWindow against a model', () => {
  type Op =
    | { op: 'track'; keys: number[] }
    | { op: 'settle'; which: number; ok: boolean }
    | { op: 'tick'; ms: number }
    | { op: 'lookup'; key: number };
  const ops = fc.array(
    fc.oneof(
      fc.record({
        op: fc.constant('track' as const),
        keys: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 4 }),
      }),
      fc.record({ op: fc.constant('settle' as const), which: fc.nat(), ok: fc.boolean() }),
      fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ op: fc.constant('lookup' as const), key: fc.integer({ min: 0, max: 7 }) }),
    ),
    { maxLength: 80 },
  );
  const flush = async () => {
    for (let i = 0; i < 4; i++) await Promise.resolve();
  };

  /**
   * The model: a key's latest append decides (in flight, stored at its position, or forgotten
   * when it failed) until its window passes. With room for everything the window must answer
   * exactly that; with a tiny maxEntries it may have evicted an id, but never answer wrongly.
   */
  async function check(maxEntries: number, script: Op[]): Promise<void> {
    let now = 0;
    const w = new DedupeWindow(100, maxEntries, () => now);
    const appends: Array<{ settle(ok: boolean): void; keys: number[] }> = [];
    const latest = new Map<number, { state: 'flight' | 'stored' | 'failed'; pos: Position; expires: number; seq: number }>();
    let seq = 0;
    let offset = 0;
    for (const s of script) {
      if (s.op === 'track') {
        const positions = s.keys.map(() => pos(offset++));
        let settle!: (ok: boolean) => void;
        const p = new Promise<Position[]>((res, rej) => (settle = (ok) => (ok ? res(positions) : rej(new Error('disk')))));
        p.catch(() => undefined);
        const mine = ++seq;
        s.keys.forEach((k, i) => latest.set(k, { state: 'flight', pos: positions[i]!, expires: now + 100, seq: mine }));
        w.trackAll(s.keys.map(String), p);
        appends.push({
          keys: s.keys,
          settle: (ok) => {
            settle(ok);
            for (const k of s.keys) {
              const m = latest.get(k);
              if (m?.seq === mine && m.state === 'flight') m.state = ok ? 'stored' : 'failed';
            }
          },
        });
      } else if (s.op === 'settle' && appends.length > 0) {
        appends.splice(s.which % appends.length, 1)[0]!.settle(s.ok);
        await flush();
      } else if (s.op === 'tick') now += s.ms;
      else if (s.op === 'lookup') {
        const m = latest.get(s.key);
        const want = m === undefined || m.expires <= now || m.state === 'failed' ? undefined : m;
        const got = w.lookup(String(s.key));
        if (got instanceof Promise) got.catch(() => undefined); // the accept side awaits it; here it may fail unobserved
        if (got === undefined) {
          if (maxEntries >= 100) expect(want).toBeUndefined();
        } else {
          expect(want).toBeDefined();
          if (want!.state === 'stored') expect(got).toEqual(want!.pos);
          else expect(got).toBeInstanceOf(Promise);
        }
      }
      expect(w.size).toBeLessThanOrEqual(maxEntries);
    }
  }

  it('answers exactly what the model says when nothing has to be evicted', async () => {
    await fc.assert(
      fc.asyncProperty(ops, (script) => check(1000, script)),
      { numRuns: 300 },
    );
  });

  it('never answers wrongly when ids are evicted, and stays within maxEntries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), ops, (max, script) => check(max, script)),
      { numRuns: 300 },
    );
  });

  it('keeps every id, in flight and stored, while the ring grows past its first slots', async () => {
    let now = 0;
    const w = new DedupeWindow(1_000, 10_000, () => now);
    const settle: Array<() => void> = [];
    // 30 appends of 100 ids (3,000, past 1,024 and 2,048 slots), each settled only after the next one was tracked.
    for (let a = 0; a < 30; a++) {
      const keys = Array.from({ length: 100 }, (_, i) => `k${a * 100 + i}`);
      let resolve!: (p: Position[]) => void;
      w.trackAll(keys, new Promise<Position[]>((r) => (resolve = r)));
      settle.push(() => resolve(keys.map((_, i) => pos(a * 100 + i))));
      if (a > 0) settle[a - 1]!();
      now += 10;
    }
    await Promise.resolve();
    await Promise.resolve();
    expect(w.lookup('k2950')).toBeInstanceOf(Promise); // the last append is still in flight
    settle[29]!();
    await expect(w.lookup('k2950') as Promise<Position>).resolves.toEqual(pos(2950));
    await Promise.resolve();
    for (let i = 0; i < 3000; i += 37) expect(w.lookup(`k${i}`)).toEqual(pos(i));
    expect(w.size).toBe(3000);
    now += 1_000;
    expect(w.lookup('k2999')).toBeUndefined();
  });
});
