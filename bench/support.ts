import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

/** Pins the current process to one CPU so the server under test owns the other. */
export function pinSelf(cpu: number): void {
  if (hasTaskset) spawnSync('taskset', ['-pc', String(cpu), String(process.pid)]);
}

/**
 * The node flags `npm start` runs Causeway with (package.json's start script, e.g. V8's
 * --max-semi-space-size), so that the benches measure the server as it is run.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
    scripts: { start: string };
  };
  const m = /\bnode((?:\s+--\S+)*)\s+dist\/main\.js\b/.exec(pkg.scripts.start);
  if (!m) throw new Error(`package.json's start script does not run node … dist/main.js: ${pkg.scripts.start}`);
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}

export interface Server {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startServer(args: string[], env: Record<string, string>, cpu = 0): Promise<Server> {
  const cmd = hasTaskset ? 'taskset' : process.execPath;
  const argv = hasTaskset ? ['-c', String(cpu), process.execPath, ...args] : args;
  const proc = spawn(cmd, argv, {
    env: { ...process.env, CAUSEWAY_PORT: '0', CAUSEWAY_HOST: '127.0.0.1', CAUSEWAY_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A bench that dies (an uncaught error, a closed stdout) must not leave its server running.
  const orphan = (): void => void proc.kill('SIGKILL');
  process.once('exit', orphan);
  proc.once('exit', () => process.off('exit', orphan));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const on = (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
    proc.on('exit', (c) => reject(new Error(`server exited ${c}:\n${out}`)));
  });
  return {
    url,
    proc,
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

export interface Row {
  case: string;
  eventsPerSec: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface LoadCase {
  name: string;
  path: string;
  eventsPerRequest: number;
  /** Builds one request (fresh ids every time: duplicates would be answered from the dedupe window). */
  build(): { headers: Record<string, string>; body: string };
}

export async function run(url: string, c: LoadCase, opts: { connections: number; seconds: number; rate?: number }): Promise<Row> {
  const result = await autocannon({
    url: url + c.path,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const r = c.build();
          return { ...req, headers: r.headers, body: r.body };
        },
      },
    ],
  });
  return {
    case: c.name,
    eventsPerSec: Math.round((result['2xx'] * c.eventsPerRequest) / result.duration),
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export function printTable(title: string, rows: Row[], ceiling?: { label: string; eventsPerSec: number }): void {
  console.log(`\n${title}`);
  const extra = ceiling ? ` % of ${ceiling.label} |` : '';
  console.log(`| case | events/s | requests/s | p50 ms | p99 ms | errors | non-2xx |${extra}`);
  console.log(`|---|---:|---:|---:|---:|---:|---:|${ceiling ? '---:|' : ''}`);
  for (const r of rows) {
    const pct = ceiling ? ` ${((100 * r.eventsPerSec) / ceiling.eventsPerSec).toFixed(1)}% |` : '';
    console.log(`| ${r.case} | ${r.eventsPerSec} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |${pct}`);
  }
}

export const uid = (): string => randomUUID();

/** Runs `scripts/kafka.sh <args>` on the given CPUs (the bench process itself is pinned to CPU 1, and children inherit that). */
export function kafkaSh(args: string[], cpus = `0-${Math.max(0, os.cpus().length - 1)}`): string {
  const script = fileURLToPath(new URL('../scripts/kafka.sh', import.meta.url));
  const argv = hasTaskset ? ['taskset', '-c', cpus, 'bash', script, ...args] : ['bash', script, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`kafka.sh ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

export interface PerfResult {
  records: number;
  recordsPerSec: number;
  avgMs: number;
  p99Ms: number;
}

/** Kafka's own ProducerPerformance (acks=all, idempotent) through scripts/kafka.sh perf; parses its summary line. */
export function producerPerf(opts: { records: number; recordSize: number; topic: string; partitions: number; cpus: string }): PerfResult {
  const out = kafkaSh(
    [
      'perf',
      '--records',
      String(opts.records),
      '--record-size',
      String(opts.recordSize),
      '--topic',
      opts.topic,
      '--partitions',
      String(opts.partitions),
    ],
    opts.cpus,
  );
  const m = /(\d+) records sent, ([\d.]+) records\/sec .*?, ([\d.]+) ms avg latency.*?(\d+) ms 99th/.exec(out);
  if (!m) throw new Error(`cannot read ProducerPerformance's summary:\n${out}`);
  return { records: Number(m[1]), recordsPerSec: Number(m[2]), avgMs: Number(m[3]), p99Ms: Number(m[4]) };
}

/**
 * A temp copy of schemas/ whose event.yaml topics get `.<suffix>`: a bench on a shared broker
 * writes to fresh topics, still validating every event against the real schemas.
 */
export function copySchemas(suffix: string): { dir: string; topics: string[]; remove(): void } {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(os.tmpdir(), 'causeway-bench-schemas-'));
  cpSync(join(root, 'schemas'), dir, { recursive: true });
  const topics = new Set<string>();
  for (const type of readdirSync(dir)) {
    const file = join(dir, type, 'event.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/^topic:\s*(\S+)\s*$/m, (_m, t: string) => {
        topics.add(`${t}.${suffix}`);
        return `topic: ${t}.${suffix}`;
      }),
    );
  }
  return { dir, topics: [...topics], remove: () => rmSync(dir, { recursive: true, force: true }) };
}
