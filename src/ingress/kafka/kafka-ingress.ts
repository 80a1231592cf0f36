/**
 * The Kafka ingress (DESIGN §2, issue 3): consumes the configured raw topics in one consumer group
 * and turns every record into a fact, or a dead letter.
 *
 * Delivery: at least once, nothing skipped. A partition's offset is committed only up to the last
 * record whose fact (or dead letter) is acknowledged, in order; a crash anywhere re-reads from
 * there, and the deterministic ids (a CloudEvent's own, or json mode's `kafka://t/p/o`) let the
 * dedupe window absorb what was stored twice. When the log cannot confirm (a retriable error) the
 * partition is paused and retried from that record with backoff: never dropped, never skipped, and
 * the other partitions keep flowing. A record that can never be stored goes to the dead-letter
 * topic with its error and never blocks its partition.
 *
 * Uses KafkaJS directly, whichever event log holds the facts: raw topics live on Kafka.
 */
import { Kafka, logLevel, type Admin, type Consumer, type EachBatchPayload, type LogEntry } from 'kafkajs';
import type { Accepted, CloudEvent, ErrorCode, KafkaRecord, TransportMeta } from '../../core/index.js';
import type { OutboundRecord } from './dead-letter.js';
import { DeadLetterProducer } from './dead-letter-producer.js';
import { bounded, describe, ensureTopics, toKafkaRecord } from './kafka-util.js';
import { processBatch, type BatchOutcome } from './process-batch.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
/** Structurally the app's Logger. */
export interface IngressLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface KafkaIngressOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly group: string;
  readonly topics: readonly string[];
  readonly deadLetterTopic: string;
  /** Partitions processed at once (KafkaJS partitionsConsumedConcurrently). */
  readonly concurrency: number;
  readonly sessionTimeoutMs: number;
  /** Create missing raw and dead-letter topics (with `partitions` / `replicationFactor`). */
  readonly createTopics: boolean;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Bound on each broker call: connect, metadata, topic creation, a dead-letter produce. */
  readonly requestTimeoutMs?: number;
  /** First and largest pause of a partition whose record must be retried. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly decode: (record: KafkaRecord) => CloudEvent;
  readonly accept: (event: CloudEvent, meta: TransportMeta) => Promise<Accepted>;
  /** Default: the ingress's own idempotent producer to `deadLetterTopic`. */
  readonly deadLetter?: (records: readonly OutboundRecord[]) => Promise<void>;
  readonly onRejected?: (code: ErrorCode) => void;
  readonly onDeadLetter?: (topic: string, code: ErrorCode) => void;
  readonly logger?: IngressLogger;
}

export type KafkaIngressState = 'idle' | 'starting' | 'running' | 'crashed' | 'stopping' | 'stopped';

export interface KafkaIngressStatus {
  readonly state: KafkaIngressState;
  readonly group: string;
  readonly topics: readonly string[];
  readonly deadLetterTopic: string;
  /** Partitions this member holds, `topic/partition`. */
  readonly assigned: readonly string[];
  /** Partitions paused until a retriable failure clears, `topic/partition`. */
  readonly retrying: readonly string[];
  readonly counts: { readonly stored: number; readonly duplicates: number; readonly deadLettered: number };
  readonly lastError?: string;
}

export interface KafkaIngress {
  /** Creates missing topics, joins the group and starts consuming. Rejects (CW_INGRESS_UNAVAILABLE, CW_CONFIG_INVALID) when it cannot. */
  start(): Promise<void>;
  /** Stops fetching, lets in-flight records finish and commits them, leaves the group, disconnects. */
  stop(): Promise<void>;
  status(): KafkaIngressStatus;
}

const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
const silent: IngressLogger = { debug() {}, info() {}, warn() {}, error() {} };

function kafkaLogCreator(logger: IngressLogger) {
  const levels: Record<number, Level> = {
    [logLevel.ERROR]: 'error',
    [logLevel.WARN]: 'warn',
    [logLevel.INFO]: 'info',
    [logLevel.DEBUG]: 'debug',
  };
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _t, ...fields } = log;
      logger[levels[level] ?? 'info'](`kafkajs ${namespace}: ${message}`, fields);
    };
}

export function createKafkaIngress(opts: KafkaIngressOptions): KafkaIngress {
  const logger = opts.logger ?? silent;
  const timeoutMs = opts.requestTimeoutMs ?? 15_000;
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 10_000 };
  const kafka = new Kafka({
    clientId: `${opts.clientId}-ingress`,
    brokers: [...opts.brokers],
    connectionTimeout: 3_000,
    requestTimeout: Math.max(timeoutMs, 5_000),
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3_000 },
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });
  const dlqProducer = opts.deadLetter === undefined ? new DeadLetterProducer(kafka, opts.deadLetterTopic, timeoutMs) : undefined;
  const deadLetter = opts.deadLetter ?? ((records: readonly OutboundRecord[]) => dlqProducer!.send(records));

  let state: KafkaIngressState = 'idle';
  let lastError: string | undefined;
  let assigned: string[] = [];
  let admin: Admin | undefined;
  let consumer: Consumer | undefined;
  const counts = { stored: 0, duplicates: 0, deadLettered: 0 };
  /** Consecutive failures per paused partition, and the timers that resume them. */
  const failures = new Map<string, number>();
  const resumeTimers = new Map<string, NodeJS.Timeout>();

  async function eachBatch(p: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = p.batch;
    if (messages.length === 0) return;
    const tp = `${topic}/${partition}`;
    const records = messages.map((m) => toKafkaRecord(topic, partition, m));
    const outcome: BatchOutcome = await processBatch(records, {
      decode: opts.decode,
      accept: opts.accept,
      deadLetter,
      ...(opts.onRejected === undefined ? {} : { onRejected: opts.onRejected }),
      ...(opts.onDeadLetter === undefined ? {} : { onDeadLetter: opts.onDeadLetter }),
    });
    counts.stored += outcome.stored;
    counts.duplicates += outcome.duplicates;
    counts.deadLettered += outcome.deadLettered;
    if (outcome.settled > 0) {
      const last = records[outcome.settled - 1]!.offset;
      p.resolveOffset(String(last));
      // Straight to the coordinator (KafkaJS's consumer-level commit is skipped once stop() began):
      // a failure throws, KafkaJS restarts the member, and the records are read again.
      await p.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: String(last + 1) }] }] });
    }
    if (outcome.retry !== undefined) {
      // Not resolved, so the next fetch starts at this record; paused, so it waits first.
      const n = (failures.get(tp) ?? 0) + 1;
      failures.set(tp, n);
      const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(n - 1, 20));
      lastError = `${tp}@${outcome.retry.offset}: ${outcome.retry.error.code}: ${outcome.retry.error.message}`;
      logger.warn('kafka ingress: record must be retried; partition paused', {
        topic,
        partition,
        offset: outcome.retry.offset,
        code: outcome.retry.error.code,
        error: outcome.retry.error.message,
        attempt: n,
        delayMs: delay,
      });
      const resume = p.pause();
      if (state === 'stopping') return; // the next member starts from the committed offset anyway
      clearTimeout(resumeTimers.get(tp));
      const timer = setTimeout(() => {
        resumeTimers.delete(tp);
        resume();
      }, delay);
      timer.unref();
      resumeTimers.set(tp, timer);
    } else if (failures.delete(tp)) {
      logger.info('kafka ingress: partition flowing again', { topic, partition });
    }
  }

  return {
    async start() {
      if (state !== 'idle') throw new Error(`kafka ingress: start() called in state ${state}`);
      state = 'starting';
      try {
        admin = kafka.admin();
        await bounded(`connecting to ${opts.brokers.join(',')}`, timeoutMs, () => admin!.connect());
        const created = await ensureTopics(
          admin,
          [
            ...opts.topics.map((topic) => ({ topic, partitions: opts.partitions })),
            { topic: opts.deadLetterTopic, partitions: opts.partitions, maxMessageBytes: MAX_MESSAGE_BYTES },
          ],
          { create: opts.createTopics, replicationFactor: opts.replicationFactor, timeoutMs },
        );
        if (created.length > 0) logger.info('kafka ingress: created topics', { topics: created });
        const c = kafka.consumer({
          groupId: opts.group,
          sessionTimeout: opts.sessionTimeoutMs,
          heartbeatInterval: Math.min(3_000, Math.floor(opts.sessionTimeoutMs / 3)),
          allowAutoTopicCreation: false,
          // The fetch long-poll: stop() and a resumed partition wait for the one in flight, so keep it short.
          maxWaitTimeInMs: 500,
          // A crashed run is restarted by KafkaJS with a fresh member, until stop() is called.
          retry: {
            retries: 5,
            initialRetryTime: 300,
            maxRetryTime: 5_000,
            restartOnFailure: async () => state !== 'stopping' && state !== 'stopped',
          },
        });
        consumer = c;
        c.on(c.events.GROUP_JOIN, (e) => {
          assigned = Object.entries(e.payload.memberAssignment)
            .flatMap(([t, ps]) => ps.map((x) => `${t}/${x}`))
            .sort();
          logger.info('kafka ingress: joined group', { group: opts.group, assigned });
        });
        c.on(c.events.CRASH, (e) => {
          lastError = describe(e.payload.error);
          logger.error('kafka ingress: consumer crashed', { error: lastError, restart: e.payload.restart });
          if (!e.payload.restart && state === 'running') state = 'crashed';
        });
        await bounded('connecting the consumer', timeoutMs, () => c.connect());
        await bounded('subscribing', timeoutMs, () => c.subscribe({ topics: [...opts.topics], fromBeginning: true }));
        await c.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: opts.concurrency,
          eachBatch,
        });
        state = 'running';
        logger.info('kafka ingress started', { group: opts.group, topics: opts.topics, deadLetterTopic: opts.deadLetterTopic });
      } catch (e) {
        state = 'stopping';
        await Promise.all([consumer?.disconnect(), admin?.disconnect(), dlqProducer?.close()].map((p) => p?.catch(() => undefined)));
        state = 'stopped';
        throw e;
      }
    },

    async stop() {
      if (state === 'stopped' || state === 'stopping' || state === 'idle') {
        state = 'stopped';
        return;
      }
      state = 'stopping';
      for (const t of resumeTimers.values()) clearTimeout(t);
      resumeTimers.clear();
      // KafkaJS's disconnect stops fetching and waits for the batches in hand, which commit their own records.
      await consumer?.disconnect().catch((e: unknown) => logger.warn('kafka ingress: consumer disconnect failed', { error: describe(e) }));
      await dlqProducer?.close();
      await admin?.disconnect().catch(() => undefined);
      assigned = [];
      state = 'stopped';
      logger.info('kafka ingress stopped', counts);
    },

    status() {
      return {
        state,
        group: opts.group,
        topics: opts.topics,
        deadLetterTopic: opts.deadLetterTopic,
        assigned,
        retrying: [...failures.keys()].sort(),
        counts: { ...counts },
        ...(lastError === undefined ? {} : { lastError }),
      };
    },
  };
}
