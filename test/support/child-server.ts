import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './server.js';

export interface ChildServer {
  readonly url: string;
  readonly proc: ChildProcess;
  /** Everything the child wrote, for failure messages. */
  output(): string;
  exited: Promise<number | null>;
}

/** Runs `causeway serve` as a child process (node --import tsx src/main.ts) and waits for its listening log line. */
export async function spawnServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/main.ts'), 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, CAUSEWAY_PORT: '0', CAUSEWAY_HOST: '127.0.0.1', CAUSEWAY_SCHEMAS_DIR: join(repoRoot, 'schemas'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"msg":"causeway listening","port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  return { url, proc, output: () => out, exited };
}
