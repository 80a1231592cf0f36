/**
 * npm run bench:floor — the least CPU any accept path built from the named parts can spend per
 * event of a batch of 100 1 KiB events, on one core: JSON.parse of the batch, Ajv validating each
 * event's data (the item.listed schema, the registry's options), and better-sqlite3 inserting each
 * record (the embedded log's `records` table, WAL, synchronous=FULL: one transaction and one fsync
 * per batch). Nothing else: no CloudEvents attribute checks, lineage, dedupe, id journal, headers
 * beyond one JSON string, worker hand-off, metrics or HTTP. Add the HTTP cost of reading a 100 KiB
 * body (the bare node:http row of bench:ingest) to get the floor of the "60,000 events/s in
 * batches of 100" target, whose budget on one core is 16.7 µs per event.
 *
 * Env: BENCH_ROUNDS (5), BENCH_ROUND_MS (400).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import Database from 'better-sqlite3';
import { prepareWriter } from '../src/eventlog/embedded/schema.js';
import { ITEM_TYPE, itemListedData } from './event-data.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 400);
const schemaFile = fileURLToPath(new URL(`../schemas/${ITEM_TYPE}/1.json`, import.meta.url));

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);

const enc = new TextEncoder();
const batch = (): Uint8Array =>
  enc.encode(
    `[${Array.from(
      { length: 100 },
      () =>
        `{"specversion":"1.0","id":"${randomUUID()}","source":"/bench","type":"${ITEM_TYPE}","datacontenttype":"application/json","data":${itemListedData(1024)}}`,
    ).join(',')}]`,
  );
const bodies = Array.from({ length: 64 }, batch);

type Event = Record<string, unknown> & { data: unknown };
const parse = (b: Uint8Array): Event[] => JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')) as Event[];

const dir = mkdtempSync(join(tmpdir(), 'cw-floor-'));
const db = new Database(join(dir, 'floor.sqlite'));
prepareWriter(db, 600_000);
const insert = db.prepare(
  'INSERT INTO records (topic, "partition", "offset", timestamp, key, value, headers) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
let offset = 0;

/** Best-of-rounds CPU µs per event (process.cpuUsage: this thread does everything, fsync included). */
function time(name: string, fn: (i: number) => void): [string, number] {
  let best = Infinity;
  for (let r = 0; r <= ROUNDS; r++) {
    let events = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    while (performance.now() - t0 < ROUND_MS) {
      fn((events / 100) % bodies.length);
      events += 100;
    }
    const c = process.cpuUsage(c0);
    if (r > 0) best = Math.min(best, (c.user + c.system) / events); // round 0 warms up
  }
  return [name, best];
}

const parsed = bodies.map(parse);
const store = (events: readonly Event[], body: Uint8Array): void => {
  begin.run();
  const value = Buffer.from(body.buffer, body.byteOffset, 1024); // a 1 KiB value, as a slice would be
  for (const ev of events) insert.run('t', offset % 3, offset++, Date.now(), null, value, '{"ce_specversion":"1.0"}');
  commit.run();
};
const rows: Array<[string, number]> = [
  time('JSON.parse of the batch', (i) => void parse(bodies[i]!)),
  time('Ajv validate of each data', (i) => {
    for (const ev of parsed[i]!) if (!validate(ev.data)) throw new Error('invalid');
  }),
  time('SQLite insert per record + one fsync per batch', (i) => store(parsed[i]!, bodies[i]!)),
  time('all three', (i) => {
    const events = parse(bodies[i]!);
    for (const ev of events) if (!validate(ev.data)) throw new Error('invalid');
    store(events, bodies[i]!);
  }),
];
db.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  `\nAccept-path floor, CPU µs per event of a batch of 100 — ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('| stage | µs/event | events/s on one core |\n|---|---:|---:|');
for (const [name, us] of rows) console.log(`| ${name} | ${us.toFixed(2)} | ${Math.round(1e6 / us).toLocaleString('en-US')} |`);
