/**
 * npm run bench:ingest — drives a running Causeway over loopback with autocannon and prints events/s
 * and p50/p99 for single binary POSTs, single structured POSTs and batches of 100 (1 KiB events),
 * plus a bare node:http handler as the ceiling. The server runs pinned to CPU 0, the load to CPU 1.
 * Env: BENCH_SECONDS (10), BENCH_CONNECTIONS (32), CAUSEWAY_EVENTLOG (embedded | kafka).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { printTable, pinSelf, run, startServer, uid, type LoadCase, type Row } from './support.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const eventlog = process.env.CAUSEWAY_EVENTLOG ?? 'embedded';
const TYPE = 'com.example.auction.bid.placed';

/** 1 KiB of data: a valid bid with a note filling it up. */
function data(): string {
  const d = { itemId: `item-${Math.floor(Math.random() * 1000)}`, bidId: uid(), bidder: 'alice', amount: 150.25, currency: 'EUR', note: '' };
  const pad = 1024 - JSON.stringify(d).length;
  d.note = 'n'.repeat(Math.max(0, pad));
  return JSON.stringify(d);
}
const structured = () => `{"specversion":"1.0","id":"${uid()}","source":"/bench","type":"${TYPE}","datacontenttype":"application/json","data":${data()}}`;

const cases: LoadCase[] = [
  {
    name: 'binary, 1 event/request',
    path: '/events',
    eventsPerRequest: 1,
    build: () => ({ headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': uid(), 'ce-source': '/bench', 'ce-type': TYPE }, body: data() }),
  },
  {
    name: 'structured, 1 event/request',
    path: '/events',
    eventsPerRequest: 1,
    build: () => ({ headers: { 'content-type': 'application/cloudevents+json' }, body: structured() }),
  },
  {
    name: 'batch, 100 events/request',
    path: '/events',
    eventsPerRequest: 100,
    build: () => ({ headers: { 'content-type': 'application/cloudevents-batch+json' }, body: `[${Array.from({ length: 100 }, structured).join(',')}]` }),
  },
];

async function main(): Promise<void> {
  pinSelf(1);
  const rows: Row[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'causeway-bench-'));
  const server = await startServer(['dist/main.js', 'serve'], { CAUSEWAY_DATA_DIR: dataDir, CAUSEWAY_EVENTLOG: eventlog });
  try {
    for (const c of cases) {
      await run(server.url, c, { connections, seconds: 2 }); // warm-up
      rows.push(await run(server.url, c, { connections, seconds }));
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const bare = await startServer(['--import', 'tsx', 'bench/bare-server.ts'], {});
  try {
    for (const c of cases.filter((x) => x.eventsPerRequest === 1).slice(1).concat(cases[2]!)) {
      await run(bare.url, c, { connections, seconds: 2 });
      const r = await run(bare.url, c, { connections, seconds });
      rows.push({ ...r, case: `ceiling (bare node:http) — ${r.case}` });
    }
  } finally {
    await bare.stop();
  }
  printTable(`Ingest on the ${eventlog} log — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, ${connections} connections, ${seconds}s per case`, rows);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
