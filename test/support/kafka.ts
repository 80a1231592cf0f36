/** The Kafka broker that test/setup/global-kafka.ts made available (KAFKA_BROKERS or scripts/kafka.sh). */
import { inject } from 'vitest';
import { runScript } from '../setup/run-script.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated host:port list. */
    kafkaBrokers: string;
  }
}

export function kafkaBrokers(): string[] {
  const raw = inject('kafkaBrokers');
  if (!raw) throw new Error('no Kafka broker was provided: is test/setup/global-kafka.ts in vitest.config.ts globalSetup?');
  return raw
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/**
 * Runs `scripts/kafka.sh <cmd>` for a private broker of a test (its own KAFKA_STATE_DIR, KAFKA_PORT and
 * KAFKA_CONTROLLER_PORT in `env`), so the shared broker stays untouched.
 */
export async function kafkaSh(cmd: 'start' | 'stop', env: Record<string, string>): Promise<void> {
  await runScript('kafka.sh', [cmd], env);
}
