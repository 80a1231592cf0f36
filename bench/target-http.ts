/**
 * npx tsx bench/target-http.ts — deliveries/s of the http target (binary mode, 1 KiB JSON events)
 * to a local receiver that answers 200 at once. The receiver is a bare node:http server in a
 * child process pinned to CPU 0 (taskset when available); the target runs here, on CPU 1.
 *
 * Two cases, batches of 100 events without record keys (no ordering chains):
 * - one send() at a time, each batch sent with up to `connections` (16) requests in flight;
 * - 16 send() calls in flight at once (a route with concurrency 16) over the same 16 connections.
 *
 * The machine is shared, so the target's own CPU per delivery is printed too (load-independent).
 *
 * Env: BENCH_SECONDS (5 per case).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { idempotencyKeyOf, type Delivery } from '../src/core/index.js';
import { formatTraceparent, newTrace } from '../src/lineage/index.js';
import { httpTarget } from '../src/targets/index.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
if (hasTaskset) spawnSync('taskset', ['-p', '-c', '1', String(process.pid)]);

const SINK = `
const http = require('node:http');
const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, {'content-length': '0'}); res.end(); }); });
s.keepAliveTimeout = 30000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));`;

function startSink(): Promise<{ port: number; stop(): void }> {
  const cmd = hasTaskset ? 'taskset' : process.execPath;
  const args = hasTaskset ? ['-c', '0', process.execPath, '-e', SINK] : ['-e', SINK];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) =>
    child.stdout.once('data', (b: Buffer) => resolve({ port: Number(b.toString().trim()), stop: () => child.kill() })),
  );
}

const data = new TextEncoder().encode(JSON.stringify({ itemId: 'item-42', bidder: 'alice', amount: 150, note: 'x'.repeat(900) }));

function batchOf(n: number, run: string, offset: number): Delivery[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `${run}-${offset + i}`;
    const attributes = {
      specversion: '1.0',
      id,
      source: '/bench',
      type: 'com.example.auction.bid.placed',
      datacontenttype: 'application/json',
    };
    return {
      fact: { topic: 'bench', partition: 0, offset: offset + i, timestamp: Date.now(), key: null, value: data, headers: {} },
      event: { attributes, data },
      lineage: {
        traceparent: formatTraceparent(newTrace()),
        'causeway-fact': `bench/0/${offset + i}`,
        'causeway-route': 'bench',
        'causeway-attempt': '1',
        'causeway-hops': '1',
      },
      idempotencyKey: idempotencyKeyOf('/bench', id),
      bytes: data.length + 120,
    };
  });
}

async function measure(port: number, inFlight: number): Promise<{ rate: number; cpuUs: number }> {
  const target = httpTarget.create({ url: `http://127.0.0.1:${port}/hook`, connections: 16 }, { env: {}, kafkaBrokers: [] });
  const run = randomUUID().slice(0, 8);
  let delivered = 0;
  let failed = 0;
  let offset = 0;
  const until = Date.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (Date.now() < until) {
      const out = await target.send(batchOf(100, run, (offset += 100)), AbortSignal.timeout(10_000));
      for (const o of out.items) o.status === 'delivered' ? delivered++ : failed++;
    }
  };
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const cpu = process.cpuUsage(cpu0);
  const rate = delivered / ((Date.now() - started) / 1000);
  await target.close();
  if (failed > 0) console.log(`  (${failed} not delivered)`);
  return { rate, cpuUs: (cpu.user + cpu.system) / delivered };
}

const sink = await startSink();
try {
  await measure(sink.port, 1); // warm-up of JIT and connections, not counted
  console.log(
    `http target, binary mode, 1 KiB events, batches of 100, 16 connections, ${seconds} s per case${hasTaskset ? ' (pinned)' : ''}`,
  );
  for (const inFlight of [1, 16]) {
    const m = await measure(sink.port, inFlight);
    console.log(
      `  ${String(inFlight).padStart(2)} batch(es) in flight: ${Math.round(m.rate)} deliveries/s, target CPU ${m.cpuUs.toFixed(0)} µs/delivery`,
    );
  }
} finally {
  sink.stop();
}
