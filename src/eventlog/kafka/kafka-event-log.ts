/**
 * The Kafka event log (DESIGN §3): Apache Kafka through the KafkaJS API only (so an engine offering
 * that API could be swapped in and proved by the same contract suite). Records are stored as the
 * Kafka binding's binary mode (KAFKA-M4..M7): `ce_*` headers, the data bytes as the value, the
 * partition key as the record key, placed by Kafka's murmur2 partitioner.
 *
 * Not atomic across partitions: Kafka without transactions cannot write a multi-partition append
 * all-or-nothing. An append that rejects may have been partly written; the caller retries
 * (CW_EVENTLOG_UNAVAILABLE is retriable) and readers see some records twice, as with any
 * at-least-once producer.
 */
import { Kafka, logLevel, type Admin, type LogEntry } from 'kafkajs';
import {
  CausewayError,
  type EventLog,
  type Fact,
  type LogRecord,
  type PartitionOffsets,
  type Position,
  type TopicInfo,
} from '../../core/index.js';
import { installFastProduceEncoding } from './fast-produce.js';
import { GroupCommitter } from './group-committer.js';
import { HighWatermarks } from './high-watermarks.js';
import { call, cannotRetry, retrying, unavailable, withDeadline } from './kafka-util.js';
import { PartitionReader } from './partition-reader.js';
import { ProduceQueue } from './produce-queue.js';

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface KafkaLogOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Partitions of topics created without an explicit count. */
  readonly defaultPartitions: number;
  /** Replication factor of topics this log creates. */
  readonly replicationFactor: number;
  /** An append rejects with CW_EVENTLOG_UNAVAILABLE once this passes without acks=all. */
  readonly produceTimeoutMs: number;
  /** Create missing topics (else they must exist: a missing one is CW_CONFIG_INVALID). */
  readonly createTopics: boolean;
  /** Bound on admin calls and reads (default: max(10 s, 2 × produceTimeoutMs)). */
  readonly requestTimeoutMs?: number;
  /**
   * Encode produce requests with produce-request.ts instead of KafkaJS's encoder (same bytes,
   * a fraction of the CPU; see fast-produce.ts). Default true; process-wide once installed.
   */
  readonly fastEncoding?: boolean;
  /** KafkaJS's own log lines (default: dropped). */
  readonly log?: (level: KafkaLogLevel, message: string, fields: Record<string, unknown>) => void;
}

/** Kafka's legal topic names (kafka.common.Topic). */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
/** Room for a 1 MiB event plus its headers (Kafka's default max.message.bytes is ~1 MB). */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Cap on a coalesced produce request, well under max.message.bytes. */
const MAX_REQUEST_BYTES = 1024 * 1024;

const positiveInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;
const invalid = (detail: string): CausewayError => new CausewayError('CW_INVALID_REQUEST', `kafka event log: ${detail}`);

function logCreator(sink: NonNullable<KafkaLogOptions['log']>) {
  const levels: Record<number, KafkaLogLevel> = {
    [logLevel.ERROR]: 'error',
    [logLevel.WARN]: 'warn',
    [logLevel.INFO]: 'info',
    [logLevel.DEBUG]: 'debug',
  };
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _t, ...fields } = log;
      // Deliberate (see produce-queue.ts: a failed producer is retired, never reused); not worth a line per producer.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      sink(levels[level] ?? 'info', `kafkajs ${namespace}: ${message}`, fields);
    };
}

export class KafkaEventLog implements EventLog {
  readonly kind = 'kafka' as const;
  /** Partition counts of topics known to exist (partitions are never removed in Kafka). */
  private readonly topics = new Map<string, number>();
  private readonly creating = new Map<string, Promise<TopicInfo>>();
  private readonly highs: HighWatermarks;
  private readonly producer: ProduceQueue;
  private readonly reader: PartitionReader;
  private readonly committer: GroupCommitter;
  private readonly timeoutMs: number;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly opts: KafkaLogOptions,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
  ) {
    this.timeoutMs = opts.requestTimeoutMs ?? Math.max(10_000, 2 * opts.produceTimeoutMs);
    this.highs = new HighWatermarks(async (topic) => new Map((await this.offsets(topic)).map((o) => [o.partition, o.high])));
    this.producer = new ProduceQueue(kafka, {
      produceTimeoutMs: opts.produceTimeoutMs,
      maxRequestBytes: MAX_REQUEST_BYTES,
      onAppended: (topic, partition, high) => void this.highs.observe(topic, partition, high),
    });
    this.reader = new PartitionReader(kafka, opts.clientId, this.timeoutMs);
    this.committer = new GroupCommitter(kafka, this.timeoutMs);
  }

  static async open(opts: KafkaLogOptions): Promise<KafkaEventLog> {
    const problems = [
      opts.brokers.length === 0 && 'brokers must name at least one host:port',
      !positiveInt(opts.defaultPartitions) && `defaultPartitions must be a positive integer, got ${opts.defaultPartitions}`,
      !positiveInt(opts.replicationFactor) && `replicationFactor must be a positive integer, got ${opts.replicationFactor}`,
      !positiveInt(opts.produceTimeoutMs) && `produceTimeoutMs must be a positive integer, got ${opts.produceTimeoutMs}`,
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length > 0) throw new CausewayError('CW_CONFIG_INVALID', `kafka event log: ${problems.join('; ')}`);
    if (opts.fastEncoding !== false && !(await installFastProduceEncoding())) {
      opts.log?.('warn', 'kafka event log: KafkaJS is not the expected 2.2.4; using its own produce encoding', {});
    }
    const kafka = new Kafka({
      clientId: opts.clientId,
      brokers: [...opts.brokers],
      connectionTimeout: Math.min(3_000, opts.produceTimeoutMs),
      requestTimeout: Math.max(opts.produceTimeoutMs, 5_000),
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      logLevel: opts.log === undefined ? logLevel.NOTHING : logLevel.INFO,
      ...(opts.log === undefined ? {} : { logCreator: logCreator(opts.log) }),
    });
    const admin = kafka.admin({ retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 } });
    const log = new KafkaEventLog(opts, kafka, admin);
    try {
      await call(`connecting to ${opts.brokers.join(',')}`, log.timeoutMs, () => admin.connect());
    } catch (e) {
      await admin.disconnect().catch(() => undefined);
      throw e;
    }
    return log;
  }

  async ensureTopic(topic: string, partitions?: number): Promise<TopicInfo> {
    if (!TOPIC_NAME.test(topic)) throw invalid(`${JSON.stringify(topic)} is not a legal Kafka topic name`);
    if (partitions !== undefined && !positiveInt(partitions)) throw invalid(`partitions must be a positive integer, got ${partitions}`);
    const known = this.topics.get(topic) ?? (await this.refreshTopics()).get(topic);
    if (known !== undefined) return { name: topic, partitions: known };
    if (!this.opts.createTopics) {
      throw new CausewayError('CW_CONFIG_INVALID', `kafka event log: topic ${topic} does not exist and creating topics is disabled`);
    }
    // One creation per topic even when many appends race for a new topic.
    let pending = this.creating.get(topic);
    if (pending === undefined) {
      pending = this.create(topic, partitions ?? this.opts.defaultPartitions).finally(() => this.creating.delete(topic));
      this.creating.set(topic, pending);
    }
    return pending;
  }

  async listTopics(): Promise<TopicInfo[]> {
    const all = await this.refreshTopics();
    return [...all].map(([name, partitions]) => ({ name, partitions })).sort((a, b) => a.name.localeCompare(b.name));
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    await this.requireTopic(topic);
    const raw = await call(`offsets of ${topic}`, this.timeoutMs, () => this.admin.fetchTopicOffsets(topic));
    return raw.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })).sort((a, b) => a.partition - b.partition);
  }

  async append(topic: string, records: readonly LogRecord[]): Promise<Position[]> {
    if (this.closing !== undefined) throw unavailable('closed');
    if (records.length === 0) return [];
    // produceTimeoutMs bounds the whole call, a first append's topic creation included.
    const started = Date.now();
    const ms = this.opts.produceTimeoutMs;
    const left = (): number => Math.max(1, ms - (Date.now() - started));
    const late = (): CausewayError => unavailable(`append to ${topic} not acknowledged within ${ms} ms`);
    let partitions = this.topics.get(topic) ?? (await withDeadline(this.ensureTopic(topic), left(), late)).partitions;
    const outside = (n: number) =>
      records.find((r) => r.partition !== undefined && !(Number.isInteger(r.partition) && r.partition >= 0 && r.partition < n));
    // Partitions can be added to a topic behind our back: look again before refusing.
    if (outside(partitions) !== undefined) partitions = (await withDeadline(this.refreshTopics(), left(), late)).get(topic) ?? partitions;
    const bad = outside(partitions);
    if (bad !== undefined) throw invalid(`partition ${bad.partition} does not exist in topic ${topic} (${partitions} partitions)`);
    return this.producer.append(topic, records, left());
  }

  async read(topic: string, partition: number, from: number, limit: number): Promise<Fact[]> {
    const partitions = await this.requireTopic(topic);
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
      throw new CausewayError('CW_NOT_FOUND', `partition ${partition} does not exist in topic ${topic}`);
    }
    if (limit <= 0) return [];
    const o = (await this.offsets(topic)).find((x) => x.partition === partition);
    if (o === undefined) throw unavailable(`no offsets for ${topic}/${partition}`);
    const start = Math.max(o.low, Math.floor(from));
    return this.reader.read({ topic, partition, partitions, from: start, end: o.high, limit: Math.floor(limit) });
  }

  async commit(group: string, topic: string, partition: number, offset: number): Promise<void> {
    if (!Number.isInteger(offset) || offset < 0) throw invalid(`offset must be a non-negative integer, got ${offset}`);
    if (this.closing !== undefined) throw unavailable('closed');
    await this.committer.commit(group, topic, partition, offset);
  }

  async committed(group: string, topic: string, partition: number): Promise<number | null> {
    // Retried until the timeout, as commits are: a broker that has just started answers
    // NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS while it loads __consumer_offsets, for
    // longer than KafkaJS's own few retries, and `causeway serve` (dispatch role) then failed to
    // start its routes on a fresh broker (seen in test/integration/kafka-outage.test.ts).
    let fatal = false;
    const res = await retrying(
      `committed offsets of group ${group}`,
      this.timeoutMs,
      () =>
        this.admin.fetchOffsets({ groupId: group, topics: [topic] }).catch((e: unknown) => {
          fatal = cannotRetry(e);
          throw e;
        }),
      () => fatal,
    );
    const found = res.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition);
    const offset = found === undefined ? -1 : Number(found.offset);
    return offset < 0 ? null : offset;
  }

  waitFor(topic: string, partition: number, offset: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.closing !== undefined) return Promise.resolve(false);
    return this.highs.wait(topic, partition, offset, timeoutMs, signal);
  }

  async ready(): Promise<{ ok: boolean; detail?: string }> {
    if (this.closing !== undefined) return { ok: false, detail: 'closed' };
    try {
      const c = await call('describeCluster', Math.min(2_000, this.timeoutMs), () => this.admin.describeCluster());
      return c.brokers.length > 0 ? { ok: true } : { ok: false, detail: 'the cluster reports no brokers' };
    } catch (e) {
      return { ok: false, detail: e instanceof Error ? e.message : String(e) };
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.highs.close();
      await Promise.allSettled([this.producer.close(), this.reader.close(), this.committer.close()]);
      await this.admin.disconnect().catch(() => undefined);
    })();
    return this.closing;
  }

  private async create(topic: string, partitions: number): Promise<TopicInfo> {
    // Retried until timeoutMs on retriable errors. KafkaJS's waitForLeaders gives up at once when
    // the broker's metadata does not list the new topic yet (UNKNOWN_TOPIC_OR_PARTITION), which a
    // broker that has just started, or a loaded one, answers for a moment after creating it: then
    // `causeway serve` failed to start (seen in test/integration/kafka-outage.test.ts). Asking
    // again is safe: a topic that exists by then answers TOPIC_ALREADY_EXISTS (false). Errors
    // that retrying cannot fix (an invalid replication factor, no authorization) end it at once.
    let fatal = false;
    await retrying(
      `creating topic ${topic}`,
      this.timeoutMs,
      () =>
        this.createOnce(topic, partitions).catch((e: unknown) => {
          fatal = cannotRetry(e);
          throw e;
        }),
      () => fatal,
    );
    // createTopics answers false when someone else created it first: report what exists. A
    // broker that has just started may leave a new topic out of its metadata for a moment (seen
    // with bench/kafka-append.ts right after scripts/kafka.sh start): asked again until timeoutMs.
    const n = await retrying(`metadata of new topic ${topic}`, this.timeoutMs, async () => {
      const found = (await this.refreshTopics()).get(topic);
      if (found === undefined) throw unavailable(`topic ${topic} was created but is not in the metadata yet`);
      return found;
    });
    return { name: topic, partitions: n };
  }

  private createOnce(topic: string, partitions: number): Promise<boolean> {
    return this.admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: partitions,
          replicationFactor: this.opts.replicationFactor,
          configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }],
        },
      ],
      waitForLeaders: true,
      timeout: this.timeoutMs,
    });
  }

  private async requireTopic(topic: string): Promise<number> {
    const n = this.topics.get(topic) ?? (await this.refreshTopics()).get(topic);
    if (n === undefined) throw new CausewayError('CW_NOT_FOUND', `unknown topic ${topic}`);
    return n;
  }

  /** Metadata of every topic (one request): Kafka's internal `__*` topics are left out. */
  private async refreshTopics(): Promise<ReadonlyMap<string, number>> {
    const md = await call('topic metadata', this.timeoutMs, () => this.admin.fetchTopicMetadata());
    const all = new Map<string, number>();
    for (const t of md.topics) if (!t.name.startsWith('__')) all.set(t.name, t.partitions.length);
    for (const [name, n] of all) this.topics.set(name, n);
    return all;
  }
}

/** Opens the Kafka event log; rejects with CW_EVENTLOG_UNAVAILABLE when no broker answers. */
export function openKafkaLog(opts: KafkaLogOptions): Promise<KafkaEventLog> {
  return KafkaEventLog.open(opts);
}
