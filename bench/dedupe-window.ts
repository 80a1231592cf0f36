/**
 * The dedupe window under batched ingest: CPU per id (every thread, GC included: process.cpuUsage)
 * and memory as it fills to its cap. Appends of 100 ids with keys as the accept path makes them
 * (`source` + NUL + `id`, cut from a request body), 32 appends in flight, each looked up first.
 * The cost of making the keys alone is measured the same way and subtracted.
 * Run: node --max-semi-space-size=64 --import tsx bench/dedupe-window.ts [ids=2500000] [cap=2000000]
 * (pin it to one core, e.g. `taskset -c 1`, so the GC's helper threads are counted on it too).
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DedupeWindow } from '../src/app/index.js';
import type { Position } from '../src/core/index.js';

const total = Number(process.argv[2] ?? 2_500_000);
const cap = Number(process.argv[3] ?? 2_000_000);
const body = Array.from({ length: 100 }, () => `{"source":"/bench/producer","id":"${randomUUID()}"}`).join(',');

/** 100 keys cut from a fresh body (unique ids: the counter goes in front of every id). */
function keysOf(n: number): string[] {
  const b = body.replaceAll('"id":"', `"id":"${n.toString(36)}-`);
  const keys: string[] = [];
  for (let p = b.indexOf('"source":"'); p >= 0; p = b.indexOf('"source":"', p + 1)) {
    const s = p + 10;
    const se = b.indexOf('"', s);
    const i = b.indexOf('"id":"', se) + 6;
    keys.push(DedupeWindow.key(b.slice(s, se), b.slice(i, b.indexOf('"', i))));
  }
  return keys;
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function run(window: DedupeWindow | undefined): Promise<{ cpu: number; heap: number; buffers: number }> {
  const c0 = process.cpuUsage();
  const inFlight: Array<() => void> = [];
  for (let n = 0; n < total; n += 100) {
    const keys = keysOf(n);
    if (window === undefined) continue;
    for (const k of keys) if (window.lookup(k) !== undefined) throw new Error(`a new id was found: ${k}`);
    let settle!: (p: Position[]) => void;
    window.trackAll(keys, new Promise<Position[]>((r) => (settle = r)));
    inFlight.push(() => settle(keys.map((_, i) => ({ topic: 'events', partition: 0, offset: n + i }))));
    if (inFlight.length > 32) {
      inFlight.shift()!();
      await Promise.resolve();
    }
  }
  for (const s of inFlight) s();
  await new Promise((r) => setImmediate(r));
  const c = process.cpuUsage(c0);
  collectGarbage(); // memory held, not garbage yet to be collected (old arenas, old rings)
  const m = process.memoryUsage();
  return { cpu: (c.user + c.system) / total, heap: m.heapUsed / 2 ** 20, buffers: m.arrayBuffers / 2 ** 20 };
}

const keysOnly = await run(undefined);
const w = new DedupeWindow(600_000, cap);
const full = await run(w);
console.log(`Dedupe window — ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${total} ids, cap ${cap}`);
console.log('| ids held | evicted | CPU µs/id (GC included, keys made subtracted) | heap MiB | ArrayBuffers MiB |');
console.log('|---:|---:|---:|---:|---:|');
console.log(
  `| ${w.size} | ${w.evicted} | ${(full.cpu - keysOnly.cpu).toFixed(2)} | ${full.heap.toFixed(0)} | ${full.buffers.toFixed(0)} |`,
);
