/**
 * Vitest globalSetup: makes a real Kafka broker available to the tests (DESIGN §3).
 *
 * - `KAFKA_BROKERS` set (comma-separated host:port): those brokers are used as they are.
 * - Otherwise `scripts/kafka.sh start` runs: it starts a single-node KRaft broker on
 *   127.0.0.1:${KAFKA_PORT:-9092}, or reuses one already running (a few ms).
 *
 * The broker is deliberately left running after the tests: the next run (and other test
 * processes working in parallel) reuse it instead of paying a JVM start. Stop it with
 * `scripts/kafka.sh stop`. Tests read the address with `kafkaBrokers()` from test/support/kafka.ts.
 */
import type { TestProject } from 'vitest/node';
import type {} from '../support/kafka.js'; // the ProvidedContext entry for 'kafkaBrokers'
import { runScript } from './run-script.js';

export default async function setup(project: TestProject): Promise<void> {
  const given = process.env.KAFKA_BROKERS?.trim();
  if (given) {
    project.provide('kafkaBrokers', given);
    return;
  }
  try {
    const out = await runScript('kafka.sh', ['start']);
    if (/started Apache Kafka/.test(out)) process.stderr.write(out);
  } catch (e) {
    throw new Error(
      `The Kafka tests need a broker and scripts/kafka.sh could not start one:\n${(e as Error).message}\n` +
        'Start one with `scripts/kafka.sh start` (needs Java 17+ and Maven: apt-get install openjdk-17-jre-headless maven), ' +
        'or point the tests at a running broker with KAFKA_BROKERS=host:port.',
    );
  }
  project.provide('kafkaBrokers', `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`);
}
