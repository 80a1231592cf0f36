import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A cold start may first fetch jars through Maven or wheels through pip. */
const START_TIMEOUT_MS = 600_000;

/** Runs `bash scripts/<name> <args>` (a launcher of the Vitest global setups) and resolves with its output. */
export function runScript(name: string, ...args: string[]): Promise<string> {
  const script = fileURLToPath(new URL(`../../scripts/${name}`, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile('bash', [script, ...args], { timeout: START_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}
