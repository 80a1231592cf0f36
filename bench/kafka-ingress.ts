/**
 * Kafka ingress throughput: N binary-mode records of 1 KiB are produced to a raw topic first, then
 * Causeway starts (embedded event log) and consumes them; the clock runs from the first fact to
 * the N-th (the group join before it is reported apart). Types are unknown and allowed, so the
 * records go to the default topic without a schema: this measures the ingress, not Ajv.
 * Run: scripts/kafka.sh start && node --import tsx bench/kafka-ingress.ts [records=10000] [brokers=127.0.0.1:9092]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel, type Message } from 'kafkajs';
import { start } from '../src/app/index.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/observability/index.js';

const total = Number(process.argv[2] ?? 10_000);
const brokers = (process.argv[3] ?? '127.0.0.1:9092').split(',');
const PARTITIONS = 3;
const run = randomUUID().slice(0, 8);
const topic = `bench.raw.${run}`;
const factTopic = `bench.facts.${run}`;

const kafka = new Kafka({ clientId: 'causeway-bench', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const value = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1024 - 12) })); // 1 KiB of JSON
for (let sent = 0; sent < total;) {
  const n = Math.min(1000, total - sent);
  const messages: Message[] = Array.from({ length: n }, (_, i) => ({
    key: `k${(sent + i) % 64}`,
    value,
    headers: {
      ce_specversion: '1.0',
      ce_id: `${run}-${sent + i}`,
      ce_source: '/bench',
      ce_type: 'bench.kafka.ingress',
      'content-type': 'application/json',
    },
  }));
  await producer.send({ topic, messages, acks: -1 });
  sent += n;
}
await producer.disconnect();

const dataDir = mkdtempSync(join(tmpdir(), 'causeway-bench-ingress-'));
const config = loadConfig({
  CAUSEWAY_PORT: '0',
  CAUSEWAY_HOST: '127.0.0.1',
  CAUSEWAY_DATA_DIR: dataDir,
  CAUSEWAY_KAFKA_BROKERS: brokers.join(','),
  CAUSEWAY_ALLOW_UNKNOWN_TYPES: 'true',
  CAUSEWAY_DEFAULT_TOPIC: factTopic,
  CAUSEWAY_KAFKA_INGRESS_TOPICS: topic,
  CAUSEWAY_KAFKA_INGRESS_GROUP: `causeway.ingress.bench.${run}`,
  CAUSEWAY_KAFKA_INGRESS_DLQ_TOPIC: `bench.dlq.${run}`,
});
const t0 = performance.now();
const running = await start(config, createLogger('warn'));
const stored = async () => (await running.log.offsets(factTopic)).reduce((n, o) => n + o.high - o.low, 0);
let first: number | undefined;
for (;;) {
  const n = await stored();
  if (n > 0 && first === undefined) first = performance.now();
  if (n >= total) break;
  await new Promise((r) => setTimeout(r, 20));
}
const end = performance.now();
await running.close();
await admin.deleteTopics({ topics: [topic, `bench.dlq.${run}`] }).catch(() => undefined);
await admin.disconnect();
rmSync(dataDir, { recursive: true, force: true });
const steady = (end - first!) / 1000;
console.log(
  `${total} records of 1 KiB (binary mode, ${PARTITIONS} partitions) → embedded log: ${Math.round(total / steady)} records/s ` +
    `(first to last fact ${steady.toFixed(2)} s; start to last fact incl. group join ${((end - t0) / 1000).toFixed(2)} s)`,
);
