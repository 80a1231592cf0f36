import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupeWindow } from '../../../src/app/dedupe-window.js';
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

  it.each([
    ['the seeded hash', undefined],
    ['one hash for all keys', () => 0],
  ])('tells keys apart that differ in one unit, whether it fits one byte or needs two (%s)', async (_, hash) => {
    const w = new DedupeWindow(1000, 10, Date.now, hash);
    const keys = ['caf\u00e9', 'caf\u0101', 'caf\u01e9', 'caf\u0201', 'caf\ud800', 'caf', 'cafe', ''];
    w.trackAll(keys, Promise.resolve(keys.map((_, i) => pos(i))));
    await Promise.resolve();
    await Promise.resolve();
    keys.forEach((k, i) => expect(w.lookup(k)).toEqual(pos(i)));
    expect(w.lookup('caf\u00e8')).toBeUndefined();
    expect(w.lookup('caf\udc00')).toBeUndefined();
  });

  it('a zero window remembers nothing', () => {
    const w = new DedupeWindow(0, 10);
    w.track('a', Promise.resolve(pos(1)));
    expect(w.lookup('a')).toBeUndefined();
  });

  it('keys cut from request bodies do not keep the bodies alive', async () => {
    // 300 bodies of 200 KiB, 100 ids cut from each (as the JSON scanner cuts attributes): held
    // as views, the window would keep ~60 MB of body text alive; copied into its arena they are ~2 MB.
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
  async function check(
    maxEntries: number,
    script: Op[],
    name: (k: number) => string = String,
    hash?: (key: string) => number,
  ): Promise<void> {
    let now = 0;
    const w = new DedupeWindow(100, maxEntries, () => now, hash);
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
        w.trackAll(s.keys.map(name), p);
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
        const got = w.lookup(name(s.key));
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

  /**
   * Eight distinct keys of any UTF-16 content (lone surrogates, units above 255 that take two
   * bytes in the arena, the empty string) and lengths up to 3,000 units, so keys wrap around the
   * arena and make it grow.
   */
  const names = fc
    .uniqueArray(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', minLength: 500, maxLength: 3000 })), {
      minLength: 8,
      maxLength: 8,
    })
    .map((pool) => (k: number) => pool[k]!);

  it('answers exactly what the model says for keys of any content and length', async () => {
    await fc.assert(
      fc.asyncProperty(ops, names, (script, name) => check(100_000, script, name)),
      { numRuns: 200 },
    );
  });

  it('never answers wrongly when long keys crowd the arena and ids are evicted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), ops, names, (max, script, name) => check(max, script, name)),
      { numRuns: 200 },
    );
  });

  /** Two hashes so poor that most keys share a probe chain: what is left to tell keys apart is their bytes. */
  const poorHashes = fc.constantFrom(
    () => 7,
    (k: string) => k.length & 3,
    (k: string) => (k.length === 0 ? 0 : k.charCodeAt(k.length - 1) >>> 8),
  );

  it('answers exactly what the model says when every key collides in the index', async () => {
    await fc.assert(
      fc.asyncProperty(ops, names, poorHashes, (script, name, hash) => check(100_000, script, name, hash)),
      { numRuns: 200 },
    );
  });

  it('never answers wrongly with colliding keys and evictions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), ops, names, poorHashes, (max, script, name, hash) => check(max, script, name, hash)),
      { numRuns: 200 },
    );
  });

  it('finds every id after others in its probe chain were forgotten', async () => {
    // One chain for all (constant hash): failed appends free cells in the middle of it.
    const w = new DedupeWindow(60_000, 10_000, Date.now, () => 0);
    const outcomes: Array<{ keys: string[]; ok: boolean }> = [];
    for (let a = 0; a < 40; a++) {
      const keys = Array.from({ length: 5 }, (_, i) => `a${a}-${i}`);
      const ok = a % 3 !== 1;
      const p = ok ? Promise.resolve(keys.map((_, i) => pos(a * 5 + i))) : Promise.reject(new Error('disk'));
      p.catch(() => undefined);
      w.trackAll(keys, p);
      outcomes.push({ keys, ok });
    }
    for (let i = 0; i < 4; i++) await Promise.resolve();
    outcomes.forEach(({ keys, ok }, a) => keys.forEach((k, i) => expect(w.lookup(k)).toEqual(ok ? pos(a * 5 + i) : undefined)));
    expect(w.size).toBe(27 * 5);
  });

  it('reuses the arena from its start once the oldest keys have expired, and grows it while wrapped', async () => {
    // 10,000-byte keys, alive 100 ms, one every 30 ms: ~40 KB live in a 64 KiB arena, which wraps every few keys.
    let now = 0;
    const w = new DedupeWindow(100, 1000, () => now);
    const key = (k: number) => `${String(k).padStart(4, '0')}${'x'.repeat(9_996)}`;
    for (let k = 0; k < 60; k++) {
      w.track(key(k), Promise.resolve(pos(k)));
      await Promise.resolve();
      await Promise.resolve();
      for (let back = 0; back <= Math.min(k, 3); back++) {
        expect(w.lookup(key(k - back))).toEqual(pos(k - back));
      }
      now += 30;
    }
    // A burst that no longer fits: the arena grows while its kept bytes wrap around its end.
    now -= 30;
    const burst = Array.from({ length: 6 }, (_, i) => 100 + i);
    w.trackAll(burst.map(key), Promise.resolve(burst.map(pos)));
    await Promise.resolve();
    for (const k of [57, 58, 59, ...burst]) expect(w.lookup(key(k))).toEqual(pos(k));
    expect(w.evicted).toBe(0);
  });

  it('keeps in-flight ids when the ring grows after its head has moved', async () => {
    let now = 0;
    const w = new DedupeWindow(100, 10_000, () => now);
    const first = Array.from({ length: 600 }, (_, i) => `f${i}`);
    w.trackAll(first, Promise.resolve(first.map((_, i) => pos(i))));
    await Promise.resolve();
    now += 200; // the first 600 expire: the next claims move the ring's head past them
    w.track('kept', Promise.resolve(pos(999))); // live ahead of the forgotten ones, so they stay in the ring
    const failed = Array.from({ length: 10 }, (_, i) => `x${i}`);
    const failing = Promise.reject(new Error('disk'));
    failing.catch(() => undefined);
    w.trackAll(failed, failing); // forgotten slots inside the ring when it grows
    for (let i = 0; i < 4; i++) await Promise.resolve();
    let resolveB!: (p: Position[]) => void;
    const b = Array.from({ length: 1000 }, (_, i) => `b${i}`);
    w.trackAll(b, new Promise<Position[]>((r) => (resolveB = r)));
    const c = Array.from({ length: 100 }, (_, i) => `c${i}`);
    w.trackAll(c, Promise.resolve(c.map((_, i) => pos(2000 + i)))); // past 1,024 slots: the ring grows
    resolveB(b.map((_, i) => pos(1000 + i)));
    for (let i = 0; i < 4; i++) await Promise.resolve();
    b.forEach((k, i) => expect(w.lookup(k)).toEqual(pos(1000 + i)));
    c.forEach((k, i) => expect(w.lookup(k)).toEqual(pos(2000 + i)));
    expect(w.lookup('f0')).toBeUndefined();
    for (const k of failed) expect(w.lookup(k)).toBeUndefined();
    expect(w.lookup('kept')).toEqual(pos(999));
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
