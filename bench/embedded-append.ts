/**
 * Embedded log append throughput and CPU: 1 KiB records with accept-path-like headers (random
 * UUID ids, as clients send them), with 1 caller (each append waits for the previous fsync), 32
 * concurrent single-record callers (what 32 HTTP connections of single POSTs produce: group
 * commit) and 8 callers of 100-record appends (batches). Besides wall throughput it prints the
 * CPU the writer thread and the main thread spend per record (/proc schedstat, Linux): on a
 * shared machine those are the repeatable figures.
 * Run: node --import tsx bench/embedded-append.ts [seconds=3] [dir=<tmp>]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord } from '../src/core/index.js';
import { openEmbeddedLog } from '../src/eventlog/index.js';

const seconds = Number(process.argv[2] ?? 3);
const dir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'cw-bench-'));
const value = new Uint8Array(1024).fill(97);
const enc = new TextEncoder();
const log = await openEmbeddedLog({ dir });

/** CPU ns per thread of this process (main first), or an empty map where /proc is missing. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      out.set(tid === String(process.pid) ? 'main' : tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    }
  } catch {
    // not Linux
  }
  return out;
}

const record = (n: number): LogRecord => {
  const id = randomUUID();
  return {
    key: enc.encode(`item-${n % 1000}`),
    value,
    headers: {
      ce_specversion: '1.0',
      ce_id: id,
      ce_source: '/bench',
      ce_type: 'com.example.auction.item.listed',
      ce_time: new Date().toISOString(),
      ce_traceparent: `00-${id.replaceAll('-', '')}-0123456789abcdef-01`,
      ce_authtype: 'unauthenticated',
      'content-type': 'application/json',
      'causeway-ingress': 'http',
      'causeway-received': new Date().toISOString(),
    },
  };
};

async function run(callers: number, perCall: number): Promise<void> {
  const topic = `bench-${callers}-${perCall}`;
  await log.ensureTopic(topic, 3);
  const before = log.stats();
  const cpu0 = threadCpu();
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const caller = async () => {
    while (performance.now() < end) {
      const records = Array.from({ length: perCall }, () => record(n++));
      const t0 = performance.now();
      await log.append(topic, records);
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: callers }, () => caller()));
  const took = (performance.now() - t0) / 1000;
  const cpu1 = threadCpu();
  const after = log.stats();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2);
  const tx = after.transactions - before.transactions;
  const deltas = [...cpu1].map(([t, ns]) => [t, ns - (cpu0.get(t) ?? 0)] as const);
  const main = deltas.find(([t]) => t === 'main')?.[1] ?? NaN;
  const writer = Math.max(0, ...deltas.filter(([t]) => t !== 'main').map(([, d]) => d)); // the busiest other thread
  console.log(
    `${String(callers).padStart(3)} caller(s) × ${String(perCall).padStart(3)} record(s): ${Math.round(n / took)} records/s, ` +
      `${(n / tx).toFixed(1)} records/fsync, latency p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms; CPU µs/record: writer ${(writer / 1000 / n).toFixed(1)}, ` +
      `main ${(main / 1000 / n).toFixed(1)} (incl. building the records); writer µs/transaction ${(writer / 1000 / tx).toFixed(0)}`,
  );
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const [callers, perCall] of [
  [1, 1],
  [32, 1],
  [8, 100],
] as const)
  await run(callers, perCall);
await log.close();
if (process.argv[3] === undefined) rmSync(dir, { recursive: true, force: true });
