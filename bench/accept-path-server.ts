/**
 * Part 3 of bench/accept-path.ts: a server process (Causeway, or bench/bare-server.ts as the floor)
 * under 32 keep-alive connections, and the CPU its threads spend per event, from /proc (Linux).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startFlags } from './support.js';

/** One kind of request of the bench. */
export interface Input {
  readonly name: string;
  readonly events: number;
  /** Headers as node's headersDistinct, and the bytes on the wire. */
  make(): { headers: Record<string, string[]>; body: Uint8Array };
}

function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      // schedstat: ns on CPU — finer than stat's ticks.
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const comm = tid === String(pid) ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.set(`${comm}#${tid}`, ns);
    } catch {
      // thread exited between readdir and read
    }
  }
  return out;
}

/** CPU per event of a server process (Causeway, or bench/bare-server.ts for reference) under 32 connections. */
export async function serverCpu(repo: string, script: string, inputs: readonly Input[]): Promise<Record<string, Record<string, number>>> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-accept-bench-'));
  // As `npm start` runs it, plus any extra flags (e.g. --cpu-prof).
  const nodeArgs = [...startFlags(), ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const proc = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(repo, script), ...(script.endsWith('main.ts') ? ['serve'] : [])],
    {
      cwd: repo,
      env: {
        ...process.env,
        CAUSEWAY_PORT: '0',
        CAUSEWAY_HOST: '127.0.0.1',
        CAUSEWAY_DATA_DIR: dir,
        CAUSEWAY_EVENTLOG: process.env.BENCH_EVENTLOG ?? 'embedded',
        CAUSEWAY_PARTITIONS: '3',
        CAUSEWAY_LOG_LEVEL: 'info',
        CAUSEWAY_ROLE: process.env.BENCH_ROLE ?? 'accept',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const on = (d: Buffer) => {
        out += d.toString();
        const m = /"port":(\d+)/.exec(out);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      };
      proc.stdout!.on('data', on);
      proc.stderr!.on('data', on);
      proc.on('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
      setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000).unref();
    });
    const http = new Pool(url, { connections: 32, pipelining: 1 });
    const result: Record<string, Record<string, number>> = {};
    for (const input of inputs) {
      const requests = Math.round((input.events === 1 ? 6000 : 150) * Number(process.env.BENCH_HTTP_SCALE ?? 1));
      const send = async (count: number) => {
        let i = 0;
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (i++ < count) {
              const m = input.make();
              const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v[0]!]));
              const res = await http.request({ path: '/events', method: 'POST', headers, body: m.body });
              await res.body.text();
              if (res.statusCode !== 202) throw new Error(`HTTP ${res.statusCode}`);
            }
          }),
        );
      };
      await send(requests / 3); // warm-up: JIT, page cache
      const before = threadCpu(proc.pid!);
      const t0 = performance.now();
      await send(requests);
      const wall = performance.now() - t0;
      const after = threadCpu(proc.pid!);
      const events = requests * input.events;
      const row: Record<string, number> = {};
      let total = 0;
      for (const [thread, ns] of after) {
        const d = ns - (before.get(thread) ?? 0);
        total += d;
        if (thread.startsWith('main#')) row['main thread'] = d / 1000 / events;
      }
      // Worker threads all show as `node`: the busiest is Causeway's SQLite writer, the rest are
      // V8's GC helpers and libuv's pool.
      const others = [...after]
        .filter(([t]) => !t.startsWith('main#'))
        .map(([t, ns]) => ns - (before.get(t) ?? 0))
        .sort((a, b) => b - a);
      row['busiest other thread (the SQLite writer)'] = (others[0] ?? 0) / 1000 / events;
      row['all other threads (GC helpers, …)'] = others.slice(1).reduce((a, b) => a + b, 0) / 1000 / events;
      row['process total'] = total / 1000 / events;
      row['events/s (wall, noisy)'] = Math.round(events / (wall / 1000));
      result[input.name] = row;
    }
    await http.close();
    return result;
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
