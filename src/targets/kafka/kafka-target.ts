/**
 * The `kafka` target: republish events to a topic of this or another cluster (spec digest §5),
 * through a KafkaJS idempotent producer with acks=all (DESIGN §3). One produce request per batch.
 *
 * Sends are serialized, one in flight per target, as in the Kafka event log (see
 * src/eventlog/kafka/produce-queue.ts): KafkaJS's idempotent producer rewinds a partition's
 * sequence number after a failed request, so a concurrent request could be taken by the broker
 * for a duplicate and dropped while reported written. After a failure that may have been written
 * (anything but a broker rejection of the records) the producer is retired and the next send gets
 * a new producer id. An aborted send returns at once; its request may still land (at-least-once).
 */
import { Kafka, Partitioners, logLevel, type Admin, type Message, type Producer } from 'kafkajs';
import { canonicalString, encodeKafkaBinary, encodeKafkaStructured } from '../../codec/index.js';
import type { BatchOutcome, Delivery, ItemOutcome, Target, TargetLimits, TargetPlugin } from '../../core/index.js';
import { DELIVERED, IDEMPOTENCY_KEY_HEADER, closedOutcome, reject, timedOut, tooLarge } from '../outcomes.js';
import { kafkaConfigSchema, resolveKafkaConfig, type KafkaTargetConfig, type ResolvedKafkaConfig } from './kafka-config.js';
import { kafkaFailure, kafkaOutcome } from './kafka-errors.js';

/** Bound on one produce (KafkaJS retries included): past it the producer is retired and the queue moves on. */
const SEND_DEADLINE_MS = 30_000;
/** close() lets an in-flight produce finish for this long, then disconnects whatever is still busy. */
const CLOSE_GRACE_MS = 2_000;
const DISCONNECT_DEADLINE_MS = 3_000;
const RETRY = { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 };

class Deadline extends Error {
  override readonly name = 'ProduceTimeout'; // classified as CW_TARGET_TIMEOUT by kafka-errors.ts
}

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Deadline(`${what} did not finish within ${ms} ms`)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Resolves `undefined` as soon as `signal` aborts, else with `work`'s value. */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort!));
}

const toBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export class KafkaTarget implements Target {
  readonly limits: TargetLimits;
  private readonly kafka: Kafka;
  private producer: { readonly client: Producer; readonly ready: Promise<Producer> } | undefined;
  /** The admin client of a topic creation in progress (disconnected by close()). */
  private admin: Admin | undefined;
  private topicReady: Promise<void> | undefined;
  /** The tail of the serial send queue. */
  private tail: Promise<unknown> = Promise.resolve();
  private readonly retired = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;

  constructor(private readonly cfg: ResolvedKafkaConfig) {
    this.limits = cfg.limits;
    this.kafka = new Kafka({
      clientId: 'causeway-target',
      brokers: [...cfg.brokers],
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: RETRY,
      // Failures reach the engine as outcomes with KafkaJS's message; its own log lines would go to stdout.
      logLevel: logLevel.NOTHING,
    });
  }

  async send(batch: readonly Delivery[], signal: AbortSignal): Promise<BatchOutcome> {
    const items: Array<ItemOutcome | undefined> = batch.map((d) => tooLarge(d, this.limits.maxEventBytes, 'kafka'));
    if (this.closing !== undefined) return { items: batch.map(() => closedOutcome('kafka')) };
    const todo: number[] = [];
    const messages: Message[] = [];
    batch.forEach((d, i) => {
      if (items[i] !== undefined) return;
      try {
        messages.push(this.message(d));
        todo.push(i);
      } catch (e) {
        items[i] = reject('CW_TARGET_REJECTED', `cannot encode the event: ${(e as Error).message}`);
      }
    });
    if (todo.length > 0) {
      const queued = this.serial(() => this.produce(messages), signal);
      const outcomes = await unlessAborted(queued, signal);
      const skipped = (): ItemOutcome =>
        this.closing !== undefined && !signal.aborted ? closedOutcome('kafka') : timedOut('kafka produce');
      todo.forEach((i, k) => (items[i] = outcomes?.[k] ?? skipped()));
    }
    return { items: items as ItemOutcome[] };
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      await within(this.tail, CLOSE_GRACE_MS, 'in-flight produce').catch(() => undefined);
      // Disconnecting a client still connecting (a broker that never answers) makes it give up.
      this.retire();
      const admin = this.admin?.disconnect().catch(() => undefined);
      await within(Promise.all([...this.retired, admin]), DISCONNECT_DEADLINE_MS, 'disconnect').catch(() => undefined);
    })();
    return this.closing;
  }

  /** KAFKA-M4..M9 via the codec, the key per policy, and the hop's lineage headers (DESIGN §7). */
  private message(d: Delivery): Message {
    const key = this.keyOf(d);
    const m = this.cfg.mode === 'binary' ? encodeKafkaBinary(d.event, key) : encodeKafkaStructured(d.event, key);
    const headers: Record<string, string> = { ...m.headers, ...d.lineage, [IDEMPOTENCY_KEY_HEADER]: d.idempotencyKey };
    return { key: m.key === null ? null : toBuffer(m.key), value: m.value === null ? null : toBuffer(m.value), headers };
  }

  private keyOf(d: Delivery): Uint8Array | null {
    switch (this.cfg.key) {
      case 'keep':
        return d.fact.key; // KAFKA-M10, KAFKA-N3: Kafka to Kafka keeps the key
      case 'partitionkey': {
        // KAFKA-S1: opt-in; the attribute stays on the event (KAFKA-M11).
        const pk = d.event.attributes['partitionkey'];
        return pk === undefined ? null : Buffer.from(canonicalString(pk), 'utf8');
      }
      default:
        return null;
    }
  }

  /** Runs `work` after every earlier send has finished; skipped (undefined) when aborted or closing meanwhile. */
  private serial<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T | undefined> {
    const run = this.tail.then(() => (signal.aborted || this.closing !== undefined ? undefined : work()));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** One produce request for the batch; on a record rejection, each record alone to find which. */
  private async produce(messages: Message[]): Promise<ItemOutcome[]> {
    try {
      await this.write(messages);
      return messages.map(() => DELIVERED);
    } catch (e) {
      if (kafkaFailure(e) === 'retriable' || messages.length === 1) return messages.map(() => kafkaOutcome(e, this.cfg.topic));
    }
    const out: ItemOutcome[] = [];
    let failed: ItemOutcome | undefined;
    for (const m of messages) {
      if (failed !== undefined) {
        out.push(failed); // a retriable failure now: the rest would meet it too
        continue;
      }
      try {
        await this.write([m]);
        out.push(DELIVERED);
      } catch (e) {
        const o = kafkaOutcome(e, this.cfg.topic);
        if (o.status === 'retry') failed = o;
        out.push(o);
      }
    }
    return out;
  }

  private async write(messages: Message[]): Promise<void> {
    try {
      await within(
        (async () => {
          await this.ensureTopic();
          const producer = await this.connected();
          await producer.send({ topic: this.cfg.topic, messages, acks: -1, timeout: 10_000 });
        })(),
        SEND_DEADLINE_MS,
        'produce',
      );
    } catch (e) {
      // A rejection of the records was not written: the producer's sequence is still right.
      if (kafkaFailure(e) === 'retriable') this.retire();
      throw e;
    }
  }

  /** Creates the topic once (broker defaults for partitions and replication); an existing topic is fine. */
  private ensureTopic(): Promise<void> {
    this.topicReady ??= (async () => {
      const admin = this.kafka.admin({ retry: RETRY });
      this.admin = admin;
      try {
        await admin.connect();
        if (!(await admin.listTopics()).includes(this.cfg.topic)) {
          await admin.createTopics({ topics: [{ topic: this.cfg.topic }], waitForLeaders: true, timeout: 10_000 });
        }
      } finally {
        this.admin = undefined;
        await admin.disconnect().catch(() => undefined);
      }
    })().catch((e: unknown) => {
      this.topicReady = undefined; // try again on the next send
      throw e;
    });
    return this.topicReady;
  }

  private connected(): Promise<Producer> {
    if (this.producer !== undefined) return this.producer.ready;
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner, // Java-compatible murmur2, as the source topic
      retry: RETRY,
    });
    const entry = {
      client: producer,
      ready: producer.connect().then(
        () => producer,
        async (e: unknown) => {
          if (this.producer === entry) this.producer = undefined;
          await producer.disconnect().catch(() => undefined);
          throw e;
        },
      ),
    };
    this.producer = entry;
    return entry.ready;
  }

  private retire(): void {
    const old = this.producer;
    this.producer = undefined;
    if (old === undefined) return;
    const gone: Promise<void> = old.client
      .disconnect()
      .catch(() => undefined)
      .finally(() => this.retired.delete(gone));
    this.retired.add(gone);
  }
}

export const kafkaTarget: TargetPlugin<KafkaTargetConfig> = {
  kind: 'kafka',
  configSchema: kafkaConfigSchema,
  create: (config, deps) => new KafkaTarget(resolveKafkaConfig(config, deps.kafkaBrokers)),
};
