/**
 * The EventLog contract against a real Kafka broker (test/setup/global-kafka.ts), through the
 * KafkaJS engine. "Reopen" is a new client on the same cluster; "crash" abandons the old client
 * without closing it (Kafka keeps what it acknowledged; the abandoned client is closed at the end).
 */
import { afterAll } from 'vitest';
import type { EventLog } from '../../src/core/index.js';
import { openKafkaLog } from '../../src/eventlog/index.js';
import { eventLogContract } from '../contract/event-log.contract.js';
import { kafkaBrokers } from '../support/kafka.js';

const PARTITIONS = 3;
const abandoned: EventLog[] = [];
let current: EventLog | undefined;

async function open(): Promise<EventLog> {
  current = await openKafkaLog({
    brokers: kafkaBrokers(),
    clientId: 'causeway-contract',
    defaultPartitions: PARTITIONS,
    replicationFactor: 1,
    produceTimeoutMs: 10_000,
    createTopics: true,
  });
  return current;
}

afterAll(async () => {
  await Promise.all(abandoned.map((l) => l.close()));
});

eventLogContract(
  'kafka (kafkajs)',
  {
    open,
    reopen: open,
    async crashAndReopen() {
      if (current !== undefined) abandoned.push(current);
      return open();
    },
  },
  { partitions: PARTITIONS },
);
