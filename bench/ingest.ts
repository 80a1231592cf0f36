/**
 * npm run bench:ingest — drives a running Causeway (accept role) over loopback and prints events/s
 * and p50/p99 for single binary POSTs, single structured POSTs, batches of 100 (closed loops of 32
 * connections, autocannon), and single binary POSTs offered at a fixed rate (the "≥ 5,000 events/s
 * at p99 ≤ 30 ms" target: an open loop, bench/open-loop.ts, latency from each request's scheduled
 * start), all with 1 KiB events that pass schema validation. One table per event log: embedded, then Kafka.
 *
 * Kafka: the broker is started (or reused) with scripts/kafka.sh; Causeway writes to fresh topics
 * (a temp copy of schemas/ with unique topic names, so every event is still validated against the
 * real schemas), deleted afterwards. Kafka's own ProducerPerformance (acks=all, idempotent, 1 KiB
 * records, same partition count) runs right before and right after Causeway's rows; every Causeway
 * row is printed as a % of the mean of the two (the machine's speed drifts within minutes). A bare
 * node:http handler that only JSON-parses the body is the HTTP ceiling.
 *
 * CPUs: the server runs pinned to CPU 0, the load generator to CPU 1, ProducerPerformance to CPU 0
 * (the server's share). The broker is not pinned: on a 2-core machine it competes with both.
 *
 * Env: CAUSEWAY_EVENTLOG (embedded | kafka; unset: both), BENCH_SECONDS (10), BENCH_CONNECTIONS (32),
 * BENCH_RATE (5000, offered events/s of the fixed-rate case), BENCH_EXTRA_RATES (e.g. `3000,4000`: more
 * fixed-rate rows after it, to find where p99 holds), BENCH_PERF_SECONDS (10, ProducerPerformance's
 * target length), KAFKA_PORT (9092).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  copySchemas,
  kafkaSh,
  pinSelf,
  printTable,
  producerPerf,
  run,
  startFlags,
  startServer,
  uid,
  type LoadCase,
  type PerfResult,
  type Row,
} from './support.js';
import { ITEM_TYPE, itemListedData } from './event-data.js';
import { openLoop, type OpenLoopResult } from './open-loop.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const rate = Number(process.env.BENCH_RATE ?? 5000);
const extraRates = (process.env.BENCH_EXTRA_RATES ?? '').split(',').filter(Boolean).map(Number);
const perfSeconds = Number(process.env.BENCH_PERF_SECONDS ?? 10);
const logs = process.env.CAUSEWAY_EVENTLOG ? [process.env.CAUSEWAY_EVENTLOG] : ['embedded', 'kafka'];
const broker = `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
const PARTITIONS = 3;
const EVENT_BYTES = 1024;
const TYPE = ITEM_TYPE;

/**
 * Exactly 1 KiB of data valid against schemas/com.example.auction.item.listed (additionalProperties:
 * false; `description` is its free-text field, up to 5000 characters, which fills it up). Keyed by
 * itemId (partitionKey), over 1,000 items, so all partitions are used.
 */
const data = (): string => itemListedData(EVENT_BYTES);
const structured = () =>
  `{"specversion":"1.0","id":"${uid()}","source":"/bench","type":"${TYPE}","datacontenttype":"application/json","data":${data()}}`;
const binary = (): ReturnType<LoadCase['build']> => ({
  headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': uid(), 'ce-source': '/bench', 'ce-type': TYPE },
  body: data(),
});

const BINARY: LoadCase = { name: 'binary, 1 event/request', path: '/events', eventsPerRequest: 1, build: binary };
const STRUCTURED: LoadCase = {
  name: 'structured, 1 event/request',
  path: '/events',
  eventsPerRequest: 1,
  build: () => ({ headers: { 'content-type': 'application/cloudevents+json' }, body: structured() }),
};
const BATCH: LoadCase = {
  name: 'batch, 100 events/request',
  path: '/events',
  eventsPerRequest: 100,
  build: () => ({
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: `[${Array.from({ length: 100 }, structured).join(',')}]`,
  }),
};

/** Warm-up, then the measured run (a closed loop: each connection sends again when answered). */
async function measure(url: string, c: LoadCase): Promise<Row> {
  await run(url, c, { connections, seconds: 3 });
  return run(url, c, { connections, seconds });
}

/** Open loop: `rate` requests/s on a fixed schedule, latency from each request's scheduled start (bench/open-loop.ts). */
async function measureOffered(url: string, c: LoadCase, offered: number): Promise<OpenLoopResult> {
  await openLoop(url, c, { rate: offered, seconds: 3, connections });
  const r = await openLoop(url, c, { rate: offered, seconds, connections });
  return { ...r, case: `${c.name} @ ${offered}/s offered` };
}

/** The open-loop row's details: how late the worst answer was, and whether the generator kept its schedule. */
const openLoopNote = (r: OpenLoopResult): string =>
  `Open loop (${r.case}): ${r.scheduled} requests scheduled, max ${r.maxMs} ms, ${r.unanswered} unanswered; ` +
  `the generator's worst lag behind its schedule: ${r.maxLagMs} ms (counted in the latencies).`;

async function benchCauseway(env: Record<string, string>): Promise<{ rows: Row[]; offered: OpenLoopResult[] }> {
  const rows: Row[] = [];
  const offered: OpenLoopResult[] = [];
  // The accept role alone: with the default `all`, the example routes' consumers would read (and
  // try to deliver) in the measured process.
  const server = await startServer([...startFlags(), 'dist/main.js', 'serve'], { CAUSEWAY_ROLE: 'accept', ...env });
  try {
    for (const c of [BINARY, STRUCTURED, BATCH]) rows.push(await measure(server.url, c));
    for (const r of [rate, ...extraRates]) offered.push(await measureOffered(server.url, BINARY, r));
    rows.push(...offered);
  } finally {
    await server.stop();
  }
  return { rows, offered };
}

/** Target: ~perfSeconds of ProducerPerformance; a 100k-record run first warms the broker up and sizes it. */
function kafkaCeiling(suffix: string): PerfResult {
  const topic = `bench.perf.${suffix}`;
  const probe = producerPerf({ records: 100_000, recordSize: EVENT_BYTES, topic, partitions: PARTITIONS, cpus: '0' });
  const records = Math.max(100_000, Math.round((probe.recordsPerSec * perfSeconds) / 10_000) * 10_000);
  return producerPerf({ records, recordSize: EVENT_BYTES, topic, partitions: PARTITIONS, cpus: '0' });
}

/** The same ProducerPerformance run again, after Causeway's rows. */
const kafkaCeilingAgain = (suffix: string, before: PerfResult): PerfResult =>
  producerPerf({ records: before.records, recordSize: EVENT_BYTES, topic: `bench.perf.${suffix}`, partitions: PARTITIONS, cpus: '0' });

async function deleteTopics(topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'causeway-bench', brokers: [broker], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const gone = topics.filter((t) => existing.has(t));
    if (gone.length > 0) await admin.deleteTopics({ topics: gone, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
const title = (log: string) =>
  `Ingest on the ${log} log — ${machine}, ${connections} connections, ${seconds}s per case, 1 KiB events (${TYPE}), ${PARTITIONS} partitions`;

async function runEmbedded(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'causeway-bench-'));
  try {
    const { rows, offered } = await benchCauseway({
      CAUSEWAY_DATA_DIR: dataDir,
      CAUSEWAY_EVENTLOG: 'embedded',
      CAUSEWAY_PARTITIONS: String(PARTITIONS),
    });
    printTable(title('embedded'), rows);
    for (const o of offered) console.log(openLoopNote(o));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runKafka(): Promise<void> {
  kafkaSh(['start']); // reuses a running broker (a few ms); never pinned: it outlives the bench
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const schemas = copySchemas(suffix);
  const defaultTopic = `bench.events.${suffix}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'causeway-bench-'));
  try {
    // The machine's speed drifts within minutes: the ceiling is measured right before and right
    // after Causeway's rows, and Causeway is compared with the mean of the two.
    const before = kafkaCeiling(suffix);
    const { rows, offered } = await benchCauseway({
      CAUSEWAY_EVENTLOG: 'kafka',
      CAUSEWAY_KAFKA_BROKERS: broker,
      CAUSEWAY_SCHEMAS_DIR: schemas.dir,
      CAUSEWAY_DEFAULT_TOPIC: defaultTopic,
      CAUSEWAY_PARTITIONS: String(PARTITIONS),
      CAUSEWAY_DATA_DIR: dataDir,
    });
    const after = kafkaCeilingAgain(suffix, before);
    const ceiling = { recordsPerSec: (before.recordsPerSec + after.recordsPerSec) / 2 };
    printTable(title('kafka'), rows, { label: 'producer ceiling', eventsPerSec: ceiling.recordsPerSec });
    for (const o of offered) console.log(openLoopNote(o));
    const perf = (r: PerfResult) => `${Math.round(r.recordsPerSec)} records/s (avg ${r.avgMs} ms, p99 ${r.p99Ms} ms)`;
    console.log(
      `\nKafka ceiling: ProducerPerformance (acks=all, idempotent, ${EVENT_BYTES}-byte records, ${PARTITIONS} partitions, pinned to CPU 0, ` +
        `${before.records} records): ${perf(before)} before Causeway's rows, ${perf(after)} after; ` +
        `their mean, ${Math.round(ceiling.recordsPerSec)} records/s, is the ceiling. ` +
        'The broker is unpinned and shares the 2 cores with the server and the load generator.',
    );
    const batch = rows.find((r) => r.case === BATCH.name)!;
    const fixed = offered[0]!;
    const single = rows.filter((r) => r.case === BINARY.name || r.case === STRUCTURED.name);
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(
      `Targets: batches ≥ 50% of the ceiling: ${((100 * batch.eventsPerSec) / ceiling.recordsPerSec).toFixed(1)}% — ${verdict(batch.eventsPerSec >= 0.5 * ceiling.recordsPerSec)}; ` +
        `single POSTs ≥ 5,000 events/s at p99 ≤ 30 ms, closed loop of ${connections} connections: ` +
        `${single.map((r) => `${r.eventsPerSec}/s p99 ${r.p99} ms`).join(', ')} — ${verdict(single.every((r) => r.eventsPerSec >= 5000 && r.p99 <= 30))}; ` +
        `open loop, ${rate}/s offered: p99 ${fixed.p99} ms at ${fixed.eventsPerSec} events/s — ${verdict(fixed.p99 <= 30 && fixed.eventsPerSec >= 0.98 * rate)}`,
    );
  } finally {
    schemas.remove();
    rmSync(dataDir, { recursive: true, force: true });
    await deleteTopics([`bench.perf.${suffix}`, defaultTopic, ...schemas.topics]).catch((e: unknown) =>
      console.error(`could not delete the bench topics: ${String(e)}`),
    );
  }
}

async function runBare(): Promise<void> {
  const rows: Row[] = [];
  const bare = await startServer(['--import', 'tsx', 'bench/bare-server.ts'], {});
  try {
    for (const c of [STRUCTURED, BATCH]) {
      const r = await measure(bare.url, c);
      rows.push({ ...r, case: `bare node:http (read + JSON.parse) — ${r.case}` });
    }
  } finally {
    await bare.stop();
  }
  printTable(`HTTP ceiling — ${machine}, ${connections} connections, ${seconds}s per case`, rows);
}

async function main(): Promise<void> {
  pinSelf(1);
  for (const log of logs) {
    if (log === 'embedded') await runEmbedded();
    else if (log === 'kafka') await runKafka();
    else throw new Error(`CAUSEWAY_EVENTLOG must be embedded or kafka, got ${log}`);
  }
  await runBare();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
