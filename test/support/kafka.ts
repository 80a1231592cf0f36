/** The Kafka broker that test/setup/global-kafka.ts made available (KAFKA_BROKERS or scripts/kafka.sh). */
import { inject } from 'vitest';

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
