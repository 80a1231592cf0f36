import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A cold start may first fetch jars through Maven or wheels through pip. */
const START_TIMEOUT_MS = 600_000;

/**
 * Runs `bash scripts/<name> <args>` (the launchers of the Vitest global setups, and private brokers of
 * some tests) with `env` added to this process's environment, and resolves with its output.
 */
export function runScript(name: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const script = fileURLToPath(new URL(`../../scripts/${name}`, import.meta.url));
  const options = { env: { ...process.env, ...env }, timeout: START_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    execFile('bash', [script, ...args], options, (err, stdout, stderr) => {
      // execFile's message is "Command failed: <command>" and the script's stderr.
      if (err) reject(new Error(err.message));
      else resolve(`${stdout}${stderr}`);
    });
  });
}
