/**
 * Kafka log append throughput: 1 KiB records, appends of 100 records, with 1 caller (each append
 * waits for the previous acks=all) vs 8 concurrent callers (coalesced into shared produce
 * requests). Compare with the broker's ceiling: scripts/kafka.sh perf --record-size 1024. CPU per
 * event is this process's user+system time (the log's whole client side: encoding, KafkaJS, acks).
 * Run: scripts/kafka.sh start && node --import tsx bench/kafka-append.ts [seconds=3] [brokers=127.0.0.1:9092]
 */
import { cpus, loadavg } from 'node:os';
import { openKafkaLog } from '../src/eventlog/index.js';

const seconds = Number(process.argv[2] ?? 3);
const brokers = (process.argv[3] ?? '127.0.0.1:9092').split(',');
const BATCH = 100;
const value = new Uint8Array(1024).fill(97);
const enc = new TextEncoder();
const log = await openKafkaLog({
  brokers,
  clientId: 'causeway-bench',
  defaultPartitions: 3,
  replicationFactor: 1,
  produceTimeoutMs: 10_000,
  createTopics: true,
});

async function run(callers: number): Promise<void> {
  const topic = `bench.kafka.${callers}.${Date.now()}`;
  await log.ensureTopic(topic, 3);
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let events = 0;
  const caller = async (c: number) => {
    while (performance.now() < end) {
      const records = Array.from({ length: BATCH }, (_, i) => ({
        key: enc.encode(`k${c}-${i % 16}`),
        value,
        headers: { ce_id: `${c}-${events + i}`, ce_source: '/bench', ce_type: 'bench', ce_specversion: '1.0' },
      }));
      const t0 = performance.now();
      await log.append(topic, records);
      latencies.push(performance.now() - t0);
      events += BATCH;
    }
  };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: callers }, (_, c) => caller(c)));
  const took = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
  console.log(
    `${String(callers).padStart(2)} caller(s): ${Math.round(events / took)} events/s (${Math.round(latencies.length / took)} appends/s of ${BATCH}), append latency p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms, ` +
      `CPU ${((cpu.user + cpu.system) / events).toFixed(1)} µs/event`,
  );
}

console.log(
  `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const callers of [1, 8]) await run(callers);
await log.close();
