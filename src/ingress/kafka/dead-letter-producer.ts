/**
 * Writes ingress dead letters to their Kafka topic: an idempotent KafkaJS producer, acks=all.
 *
 * One send at a time, and a producer that failed is retired: KafkaJS's idempotent producer rewinds
 * a partition's sequence number after a failed request, and a concurrent send with a reused number
 * could be taken by the broker for a duplicate and dropped while reported written (the event log's
 * produce queue explains the same trap). Dead letters are rare; serializing them costs nothing.
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { OutboundRecord } from './dead-letter.js';
import { bounded, toMessage } from './kafka-util.js';

export class DeadLetterProducer {
  private producer: Promise<Producer> | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves once every record is acknowledged by all in-sync replicas; rejects with CW_INGRESS_UNAVAILABLE. */
  send(records: readonly OutboundRecord[]): Promise<void> {
    const run = this.chain.then(() => this.sendNow(records));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.retire();
  }

  private async sendNow(records: readonly OutboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      const producer = await this.connected();
      await bounded(`dead letters to ${this.topic}`, this.timeoutMs, () =>
        producer.send({ topic: this.topic, messages: records.map(toMessage), acks: -1, timeout: this.timeoutMs }),
      );
    } catch (e) {
      await this.retire();
      throw e;
    }
  }

  private connected(): Promise<Producer> {
    this.producer ??= (async () => {
      const p = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Kafka's murmur2 on the original key: a key's dead letters stay together, in order.
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: Math.max(2, Math.ceil(this.timeoutMs / 1_000)), initialRetryTime: 100, maxRetryTime: 1_000 },
      });
      await bounded('connecting the dead-letter producer', this.timeoutMs, () => p.connect());
      return p;
    })();
    return this.producer;
  }

  private async retire(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    if (old !== undefined) await old.then((p) => p.disconnect()).catch(() => undefined);
  }
}
