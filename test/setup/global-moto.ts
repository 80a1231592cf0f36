/**
 * Vitest globalSetup: makes a moto server (AWS emulator: EventBridge, SQS) available to the tests
 * of the eventbridge target (issue #5).
 *
 * - `MOTO_ENDPOINT` set (e.g. http://127.0.0.1:5000): that server is used as it is.
 * - Otherwise `scripts/moto.sh start` runs: it starts moto_server on 127.0.0.1:${MOTO_PORT:-5055}
 *   from a cached venv, or reuses one already running (a few ms). A cold start (no venv yet)
 *   installs the pinned packages of scripts/moto-requirements.txt first: about 20 s.
 *
 * The server is left running after the tests, like the Kafka broker: the next run and other test
 * processes reuse it. Stop it with `scripts/moto.sh stop`. Tests read the address with
 * `motoEndpoint()` from test/support/moto.ts.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import type {} from '../support/moto.js'; // the ProvidedContext entry for 'motoEndpoint'

const script = fileURLToPath(new URL('../../scripts/moto.sh', import.meta.url));
/** A cold start downloads ~30 MB of wheels through pip first. */
const START_TIMEOUT_MS = 600_000;

function startMoto(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, 'start'], { timeout: START_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

export default async function setup(project: TestProject): Promise<void> {
  const given = process.env.MOTO_ENDPOINT?.trim();
  if (given) {
    project.provide('motoEndpoint', given.replace(/\/+$/, ''));
    return;
  }
  try {
    const out = await startMoto();
    if (/started moto|installed moto/.test(out)) process.stderr.write(out);
  } catch (e) {
    throw new Error(
      `The EventBridge tests need a moto server and scripts/moto.sh could not start one:\n${(e as Error).message}\n` +
        'Start one with `scripts/moto.sh start` (needs Python 3.11+ with venv and pip: apt-get install python3 python3-venv), ' +
        'or point the tests at a running one with MOTO_ENDPOINT=http://host:port.',
    );
  }
  project.provide('motoEndpoint', `http://127.0.0.1:${process.env.MOTO_PORT ?? '5055'}`);
}
