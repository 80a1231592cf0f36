import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupeWindow, detach } from '../../../src/app/dedupe-window.js';

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
