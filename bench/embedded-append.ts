/**
 * Embedded log append throughput: 1 KiB records, one append call per record, with 1 caller
 * (each append waits for the previous fsync) vs N concurrent callers (group commit).
 * Run: node --import tsx bench/embedded-append.ts [seconds=3] [dir=<tmp>]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../src/eventlog/index.js';

const seconds = Number(process.argv[2] ?? 3);
const dir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'cw-bench-'));
const value = new Uint8Array(1024).fill(97);
const log = await openEmbeddedLog({ dir });

async function run(callers: number): Promise<void> {
  const topic = `bench-${callers}`;
  await log.ensureTopic(topic, 3);
  const before = log.stats();
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const caller = async (c: number) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      await log.append(topic, [{ key: new TextEncoder().encode(`k${c}-${n}`), value, headers: { ce_id: String(n), ce_source: '/bench' } }]);
      latencies.push(performance.now() - t0);
      n++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: callers }, (_, c) => caller(c)));
  const took = (performance.now() - t0) / 1000;
  const after = log.stats();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2);
  const tx = after.transactions - before.transactions;
  console.log(
    `${String(callers).padStart(3)} caller(s): ${Math.round(n / took)} appends/s, ${tx} transactions (${(n / tx).toFixed(1)} appends/fsync), latency p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms`,
  );
}

for (const callers of [1, 64]) await run(callers);
await log.close();
if (process.argv[3] === undefined) rmSync(dir, { recursive: true, force: true });
