/**
 * Reads one partition of a topic from an offset, through the KafkaJS API only.
 *
 * KafkaJS has no `assign()` and no public low-level fetch: a consumer only reads what its group
 * is assigned. So each read runs its own short-lived consumer in a group of its own
 * (`<clientId>.read.<uuid>`): being the only member it is assigned every partition; it pauses
 * the others, seeks the wanted one to `from`, collects records until `limit` or the high
 * watermark seen before the read, then leaves. It never commits, so the group has no offsets and
 * the broker forgets it as soon as it is empty. That costs a group join (tens to hundreds of ms):
 * fine for the admin API and tests, which are the only callers; the hot path (append) never reads.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Fact } from '../../core/index.js';
import { call, retrying, toFact } from './kafka-util.js';

export interface PartitionRead {
  readonly topic: string;
  readonly partition: number;
  /** Partitions of the topic, to pause every other one. */
  readonly partitions: number;
  /** First offset wanted (already clamped to the partition's low watermark). */
  readonly from: number;
  /** High watermark seen before the read: records at or past it are not waited for. */
  readonly end: number;
  readonly limit: number;
}

export class PartitionReader {
  /** Consumers of reads in progress, with how to fail their read. */
  private readonly active = new Map<Consumer, (e: unknown) => void>();
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupPrefix: string,
    private readonly timeoutMs: number,
  ) {}

  async read(req: PartitionRead): Promise<Fact[]> {
    if (req.limit <= 0 || req.from >= req.end) return [];
    return retrying(
      `reading ${req.topic}/${req.partition} from ${req.from}`,
      this.timeoutMs,
      () => this.attempt(req),
      () => this.closed,
    );
  }

  private async attempt(req: PartitionRead): Promise<Fact[]> {
    const { topic, partition, from, end, limit } = req;
    // Offsets [from, stop) complete the read; Causeway topics are never compacted nor
    // transactional, so offsets in a partition are contiguous.
    const stop = Math.min(end, from + limit);
    const facts = new Map<number, Fact>();
    let finish!: () => void;
    let fail!: (e: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    const eachBatch = async ({ batch }: EachBatchPayload): Promise<void> => {
      if (batch.topic !== topic || batch.partition !== partition) return;
      let seen = false;
      let last = -1;
      for (const m of batch.messages) {
        const offset = Number(m.offset);
        last = Math.max(last, offset);
        // Anything outside [from, end) is not asked for (e.g. records appended since the read began).
        if (offset < from || offset >= end) continue;
        seen = true;
        facts.set(offset, toFact(topic, partition, m));
      }
      if (facts.size >= limit || (seen && last + 1 >= stop)) finish();
    };

    const consumer = this.kafka.consumer({
      groupId: `${this.groupPrefix}.read.${randomUUID()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      // A crash fails this attempt; read() retries with a new consumer (a restarted KafkaJS
      // consumer would forget the pause and the seek).
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000, restartOnFailure: async () => false },
    });
    this.active.set(consumer, fail);
    consumer.on(consumer.events.CRASH, (e) => fail(e.payload.error));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      // run() creates the group state synchronously and resolves once the group is joined (or
      // the join crashed): pausing and seeking before the join makes the first fetch the right one.
      const running = consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
      const others = Array.from({ length: req.partitions }, (_, p) => p).filter((p) => p !== partition);
      if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
      consumer.seek({ topic, partition, offset: String(from) });
      await running;
      await done;
    } finally {
      this.active.delete(consumer);
      await call('leaving the read group', this.timeoutMs, () => consumer.disconnect()).catch(() => undefined);
    }
    return [...facts.values()].sort((a, b) => a.offset - b.offset).slice(0, limit);
  }

  /** Stops reads in progress (they reject) and waits for their consumers to leave. */
  async close(): Promise<void> {
    this.closed = true;
    for (const fail of this.active.values()) fail(new Error('the event log is closing'));
    await Promise.all([...this.active.keys()].map((c) => c.disconnect().catch(() => undefined)));
  }
}
