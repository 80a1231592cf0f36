import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

export const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

/** Pins the current process to one CPU so the server under test owns the other. */
export function pinSelf(cpu: number): void {
  if (hasTaskset) spawnSync('taskset', ['-pc', String(cpu), String(process.pid)]);
}

export interface Server {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startServer(args: string[], env: Record<string, string>, cpu = 0): Promise<Server> {
  const cmd = hasTaskset ? 'taskset' : process.execPath;
  const argv = hasTaskset ? ['-c', String(cpu), process.execPath, ...args] : args;
  const proc = spawn(cmd, argv, { env: { ...process.env, CAUSEWAY_PORT: '0', CAUSEWAY_HOST: '127.0.0.1', CAUSEWAY_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log('| case | events/s | requests/s | p50 ms | p99 ms | errors | non-2xx |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.case} | ${r.eventsPerSec} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |`);
}

export const uid = (): string => randomUUID();
