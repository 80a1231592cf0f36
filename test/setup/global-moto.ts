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
import type { TestProject } from 'vitest/node';
import type {} from '../support/moto.js'; // the ProvidedContext entry for 'motoEndpoint'
import { runScript } from './run-script.js';

export default async function setup(project: TestProject): Promise<void> {
  const given = process.env.MOTO_ENDPOINT?.trim();
  if (given) {
    project.provide('motoEndpoint', given.replace(/\/+$/, ''));
    return;
  }
  try {
    const out = await runScript('moto.sh', ['start']);
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
