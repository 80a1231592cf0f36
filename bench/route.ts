/**
 * npm run bench:route — the delivery engine (createDispatcher from dist/) reading facts from the
 * embedded log and delivering them with the http target to a local receiver that answers 200.
 *
 * - Drain rows: N 1 KiB facts (1,000 keys, 3 partitions) are appended first, straight into a temp
 *   embedded log; then one route per row (a fresh consumer group, so each row reads them all)
 *   delivers them: ordering key | partition | none × batch 1 (binary mode, one request per event)
 *   and batch 100 (`mode: batch`, one request of 100 events). events/s = delivered / (last
 *   received − route start), capped at DRAIN_CAP_S per row. Their latency columns are read →
 *   received: the bench's EventLog wrapper stamps each fact's data with the time the engine read
 *   it, so with a backlog they show the engine's read-ahead queue, not per-event cost.
 * - Paced row: the route runs first, then facts are appended at 1,000 events/s (batch 1, binary,
 *   ordering key); latency = appended (the time stamped in the data just before append()) →
 *   received at the sink. 1 s warm-up, then PACED_S measured.
 * - Slow keys: 1% of the keys (k0, k100, …) are answered after 100 ms; batch 1, binary,
 *   concurrency 16; events/s of the OTHER keys over SLOW_S, under ordering key vs partition.
 *
 * The receiver is a bare node:http server in a child process pinned to CPU 0; this process (engine,
 * log, and its threads) to CPU 1 (taskset -a), when taskset exists. Receive times and stamps are
 * wall-clock milliseconds (performance.timeOrigin + now()) in both processes. AWS rows: bench/route-aws.ts.
 *
 * Env: BENCH_EVENTS (50000), BENCH_DRAIN_CAP_S (12), BENCH_PACED_S (5), BENCH_SLOW_S (5), BENCH_AWS_S (3),
 * BENCH_ONLY (comma-separated parts to run: drain, paced, slow, aws; default all).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import type { EventLog, Fact, LogRecord } from '../src/core/index.js';
import { benchDelivery, routeModules } from './route-modules.js';

const N = Number(process.env.BENCH_EVENTS ?? 50_000);
const DRAIN_CAP_S = Number(process.env.BENCH_DRAIN_CAP_S ?? 12);
const PACED_S = Number(process.env.BENCH_PACED_S ?? 5);
const SLOW_S = Number(process.env.BENCH_SLOW_S ?? 5);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'drain,paced,slow,aws').split(',').map((x) => x.trim()));
const KEYS = 1_000;
const PARTITIONS = 3;
const EVENT_BYTES = 1024;
const TYPE = 'com.example.auction.bid.placed';

const [{ createDispatcher }, { httpTarget }, { openEmbeddedLog }] = await routeModules();

const hasTaskset = spawnSync('taskset', ['-V']).status === 0;
// -a: every thread of this process (libuv pool, V8 platform threads, the log's writer thread).
if (hasTaskset) spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)]);

const wallNow = (): number => performance.timeOrigin + performance.now();
/** Fixed width (17 characters until the year 2286), so a stamp can be rewritten in place. */
const stamp = (): string => wallNow().toFixed(3);

// ---------------------------------------------------------------- the receiver (CPU 0)

const SINK = `
const http = require('node:http');
const now = () => performance.timeOrigin + performance.now();
let lat = [], count = 0, others = 0, lastAt = 0, slowMs = 0, from = 0;
const RE = /"t":(\\d+\\.\\d+),"k":"k(\\d+)"/g;
const pct = (s, p) => s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(p * s.length))];
const s = http.createServer((req, res) => {
  if (req.url.startsWith('/_reset')) {
    const q = new URL(req.url, 'http://x').searchParams;
    lat = []; count = 0; others = 0; lastAt = 0; slowMs = Number(q.get('slowMs') ?? 0); from = Number(q.get('from') ?? 0);
    return res.end('{}');
  }
  if (req.url === '/_stats') {
    const sorted = Float64Array.from(lat).sort();
    return res.end(JSON.stringify({ count, others, lastAt, p50: pct(sorted, 0.5), p99: pct(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0 }));
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const t = now();
    const body = Buffer.concat(chunks).toString('latin1');
    let slow = false;
    for (const m of body.matchAll(RE)) {
      if (Number(m[1]) < from) continue; // stamped before the measurement began (a warm-up's event)
      count++;
      lat.push(t - Number(m[1]));
      if (slowMs > 0 && Number(m[2]) % 100 === 0) slow = true; else others++;
    }
    lastAt = t;
    const answer = () => { res.writeHead(200, { 'content-length': '0' }); res.end(); };
    if (slow) setTimeout(answer, slowMs); else answer();
  });
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));`;

interface SinkStats {
  count: number;
  others: number;
  lastAt: number;
  p50: number;
  p99: number;
  max: number;
}

async function startSink(): Promise<{
  url: string;
  reset(slowMs?: number, from?: number): Promise<void>;
  stats(): Promise<SinkStats>;
  stop(): void;
}> {
  const cmd = hasTaskset ? 'taskset' : process.execPath;
  const args = hasTaskset ? ['-c', '0', process.execPath, '-e', SINK] : ['-e', SINK];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))));
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/hook`,
    reset: async (slowMs = 0, from = 0) => void (await (await fetch(`${base}/_reset?slowMs=${slowMs}&from=${from}`)).text()),
    stats: async () => (await (await fetch(`${base}/_stats`)).json()) as SinkStats,
    stop: () => child.kill(),
  };
}

// ---------------------------------------------------------------- facts

const enc = new TextEncoder();
let seq = 0;

/** A 1 KiB JSON data member that starts with the stamp and the key, as the sink's regex expects. */
function record(i: number): LogRecord {
  const k = `k${i % KEYS}`;
  const head = `{"t":${stamp()},"k":"${k}","itemId":"${k}","bidId":"b${i}","bidder":"alice","amount":150,"currency":"EUR","note":"`;
  const data = `${head}${'x'.repeat(EVENT_BYTES - head.length - 2)}"}`;
  const id = `bench-${++seq}`;
  return {
    key: enc.encode(k),
    value: enc.encode(data),
    headers: {
      ce_specversion: '1.0',
      ce_id: id,
      ce_source: '/bench',
      ce_type: TYPE,
      ce_time: new Date().toISOString(),
      'content-type': 'application/json',
      traceparent: `00-${'1'.repeat(32)}-${(seq % 0xffffffff).toString(16).padStart(16, '0')}-01`,
      'causeway-ingress': 'http',
    },
  };
}

async function appendAll(log: EventLog, topic: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 500) {
    await log.append(
      topic,
      Array.from({ length: Math.min(500, n - i) }, (_, j) => record(i + j)),
    );
  }
}

/**
 * The log the engine sees: reads rewrite the data's stamp (`"t":…`, fixed width, at byte 5) with
 * the read time when `restamp` is on, on a copy of the value.
 */
function stampingLog(log: EventLog): { log: EventLog; restamp: boolean } {
  const ctl = { restamp: false, log: undefined as unknown as EventLog };
  ctl.log = new Proxy(log, {
    get(target, prop) {
      if (prop === 'read') {
        return async (topic: string, partition: number, from: number, limit: number): Promise<Fact[]> => {
          const facts = await target.read(topic, partition, from, limit);
          if (!ctl.restamp) return facts;
          const t = enc.encode(stamp());
          return facts.map((f) => {
            const value = new Uint8Array(f.value!);
            value.set(t, 5);
            return { ...f, value };
          });
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return ctl;
}

// ---------------------------------------------------------------- one route

type Ordering = 'key' | 'partition' | 'none';

function routeFor(id: string, topic: string, sinkUrl: string, ordering: Ordering, batch: number) {
  const mode = batch > 1 ? 'batch' : 'binary';
  return {
    id,
    from: [topic],
    matches: () => true,
    target: httpTarget.create({ url: sinkUrl, mode, connections: 16 }, { env: {}, kafkaBrokers: [] }),
    targetKind: 'http',
    delivery: benchDelivery({ ordering, concurrency: 16, maxEvents: batch, maxBytes: 1024 * 1024, deadLetterTopic: `bench.dlq.${id}` }),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Row {
  name: string;
  events: number;
  eventsPerSec: number;
  p50: number;
  p99: number;
  cpuUsPerEvent: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-bench-route-'));
  const raw = await openEmbeddedLog({ dir, defaultPartitions: PARTITIONS });
  const wrapped = stampingLog(raw);
  const sink = await startSink();
  const rows: Row[] = [];
  let routeNo = 0;
  let pacedNote = '';
  console.log(
    `load before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1/5/15 min); taskset: ${hasTaskset ? 'sink CPU 0, engine CPU 1' : 'no'}`,
  );

  try {
    const t0 = performance.now();
    await raw.ensureTopic('bench.backlog', PARTITIONS);
    await appendAll(raw, 'bench.backlog', N);
    console.log(`appended ${N} × 1 KiB facts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    /** Starts a route over `topic`, returns once `until` says so; the route is stopped after. */
    async function runRoute(
      ordering: Ordering,
      batch: number,
      topic: string,
      until: (s: SinkStats, startedAt: number) => boolean,
      capMs: number,
    ) {
      const id = `bench-${++routeNo}`;
      const d = createDispatcher({ log: wrapped.log });
      const cpu0 = process.cpuUsage();
      const startedAt = wallNow();
      await d.start([routeFor(id, topic, sink.url, ordering, batch)]);
      let s = await sink.stats();
      while (!until(s, startedAt) && wallNow() - startedAt < capMs) {
        await sleep(50);
        s = await sink.stats();
      }
      const cpu = process.cpuUsage(cpu0);
      await d.stop();
      return { s, startedAt, cpuUs: cpu.user + cpu.system };
    }

    // Drain rows.
    wrapped.restamp = true;
    for (const batch of ONLY.has('drain') ? [1, 100] : []) {
      for (const ordering of ['key', 'partition', 'none'] as const) {
        await sink.reset();
        const { s, startedAt, cpuUs } = await runRoute(ordering, batch, 'bench.backlog', (x) => x.count >= N, DRAIN_CAP_S * 1000);
        rows.push({
          name: `drain: ordering ${ordering}, batch ${batch}${batch > 1 ? ' (mode batch)' : ' (binary)'}`,
          events: s.count,
          eventsPerSec: Math.round(s.count / ((s.lastAt - startedAt) / 1000)),
          p50: s.p50,
          p99: s.p99,
          cpuUsPerEvent: cpuUs / Math.max(1, s.count),
        });
      }
    }

    // Paced row: append at 1,000 events/s while the route delivers.
    wrapped.restamp = false;
    if (ONLY.has('paced')) {
      await raw.ensureTopic('bench.paced', PARTITIONS);
      const d = createDispatcher({ log: wrapped.log });
      await d.start([routeFor(`bench-${++routeNo}`, 'bench.paced', sink.url, 'key', 1)]);
      const rate = 1_000;
      let sent = 0;
      let measured = 0;
      let cpu0 = process.cpuUsage();
      const start = performance.now();
      const warmupMs = 1_000;
      let reset = false;
      let i = 0;
      // Appends are not awaited one by one: a slow append must not pause the pacing (and the
      // stamps with it), which would hide its delay from the measurement.
      const appends = new Set<Promise<void>>();
      const ackMs: number[] = [];
      while (performance.now() - start < warmupMs + PACED_S * 1000) {
        if (!reset && performance.now() - start >= warmupMs) {
          // Count only events stamped from now on; the warm-up's late arrivals are ignored.
          await sink.reset(0, wallNow());
          cpu0 = process.cpuUsage();
          reset = true;
        }
        const due = Math.floor(((performance.now() - start) * rate) / 1000) - sent;
        if (due > 0) {
          const recs = Array.from({ length: due }, () => record(i++));
          const t = performance.now();
          const counted = reset;
          const p = raw.append('bench.paced', recs).then(() => {
            if (counted) ackMs.push(performance.now() - t);
            appends.delete(p);
          });
          appends.add(p);
          sent += due;
          if (reset) measured += due;
        }
        await sleep(1);
      }
      await Promise.all(appends);
      const until = wallNow() + 10_000;
      let s = await sink.stats();
      while (s.count < measured && wallNow() < until) {
        await sleep(20);
        s = await sink.stats();
      }
      const cpu = process.cpuUsage(cpu0);
      await d.stop();
      rows.push({
        name: 'paced 1,000 events/s: ordering key, batch 1 (binary), appended → received',
        events: s.count,
        eventsPerSec: Math.round(measured / PACED_S),
        p50: s.p50,
        p99: s.p99,
        cpuUsPerEvent: (cpu.user + cpu.system) / Math.max(1, s.count),
      });
      ackMs.sort((a, b) => a - b);
      const q = (p: number) => ackMs[Math.min(ackMs.length - 1, Math.floor(p * ackMs.length))] ?? 0;
      pacedNote = `paced row: of which append() → durable p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms (${ackMs.length} appends); CPU/event includes the appends (this process is also the producer)`;
    }

    // Slow keys: 1% of the keys answered after 100 ms; the OTHER keys' rate over SLOW_S.
    wrapped.restamp = true;
    const slowRows: Array<{ ordering: Ordering; others: number; slow: number; perSec: number }> = [];
    for (const ordering of ONLY.has('slow') ? (['key', 'partition'] as const) : []) {
      await sink.reset(100);
      const { s } = await runRoute(ordering, 1, 'bench.backlog', () => false, SLOW_S * 1000);
      slowRows.push({ ordering, others: s.others, slow: s.count - s.others, perSec: Math.round(s.others / SLOW_S) });
    }

    const f = (n: number) => n.toFixed(1);
    if (rows.length > 0)
      console.log(`\nroute → http sink, ${N} facts of 1 KiB, ${KEYS} keys, ${PARTITIONS} partitions, concurrency 16, 16 connections`);
    if (rows.length > 0)
      console.log('| case | events | events/s | p50 ms | p99 ms | engine CPU µs/event |\n|---|---:|---:|---:|---:|---:|');
    for (const r of rows)
      console.log(`| ${r.name} | ${r.events} | ${r.eventsPerSec} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.cpuUsPerEvent)} |`);
    if (rows.length > 0)
      console.log('(drain rows: p50/p99 are read by the engine → received, i.e. mostly the read-ahead queue of a backlog)');
    if (pacedNote) console.log(`(${pacedNote})`);

    if (slowRows.length > 0) {
      console.log(`\n1% of keys slow (100 ms at the sink), batch 1 (binary), concurrency 16, ${SLOW_S} s`);
      console.log('| ordering | other keys delivered | other keys events/s | slow-key events delivered |\n|---|---:|---:|---:|');
    }
    for (const r of slowRows) console.log(`| ${r.ordering} | ${r.others} | ${r.perSec} | ${r.slow} |`);

    const b100 = rows.filter((r) => r.name.includes('batch 100')).map((r) => r.eventsPerSec);
    if (b100.length > 0) {
      const met = b100.every((x) => x >= 20_000) ? 'met' : 'NOT met';
      console.log(`\ntarget ≥ 20,000 events/s in batches of 100: ${b100.join(' / ')} (key / partition / none) → ${met}`);
    }
    const paced = rows.find((r) => r.name.startsWith('paced'));
    if (paced) console.log(`target p99 ≤ 50 ms at 1,000 events/s, batch 1: ${f(paced.p99)} ms → ${paced.p99 <= 50 ? 'met' : 'NOT met'}`);
    if (ONLY.has('aws')) await (await import('./route-aws.js')).printAwsRows(Number(process.env.BENCH_AWS_S ?? 3));
    console.log(
      `load after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    sink.stop();
    await raw.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
