/**
 * The append path of the Kafka event log: an idempotent KafkaJS producer with acks=all
 * (DESIGN §3), fed by a queue that sends one produce request at a time.
 *
 * Why one at a time: KafkaJS's idempotent producer rewinds a partition's sequence number when a
 * request fails and hands it to the next send. Had the failed request in fact been written, a
 * concurrent send with the same record count would be taken by the broker for a duplicate and
 * silently dropped while reported as written. With a single send in flight, KafkaJS's own retries
 * finish before anything else is sent; and after a send finally fails (or outlives
 * produceTimeoutMs) the producer is retired and the next send gets a fresh producer id.
 *
 * Appends that queue up while a send is in flight go out together in the next request (group
 * commit, as the embedded log does): each append call is still in exactly one produce request,
 * and resolves once that request is acknowledged by all in-sync replicas.
 */
import type { Kafka, Message, Producer, RecordMetadata } from 'kafkajs';
import type { CausewayError, LogRecord, Position } from '../../core/index.js';
import {
  asCausewayError,
  notingPartitioner,
  recordSize,
  toMessage,
  unavailable,
  withDeadline,
  type OutgoingMessage,
} from './kafka-util.js';

export interface ProduceQueueOptions {
  readonly produceTimeoutMs: number;
  /** Cap on one coalesced request (a single larger append still goes alone). */
  readonly maxRequestBytes: number;
  /** Told about every new high watermark this producer caused, to wake local waiters at once. */
  readonly onAppended: (topic: string, partition: number, high: number) => void;
}

interface Job {
  /** Still in the queue (not yet taken into a request). */
  queued: boolean;
  readonly topic: string;
  readonly messages: readonly OutgoingMessage[];
  readonly size: number;
  resolve(p: Position[]): void;
  reject(e: CausewayError): void;
}

export class ProduceQueue {
  private readonly queue: Job[] = [];
  private producer: Promise<Producer> | undefined;
  private readonly retired = new Set<Promise<void>>();
  private draining = false;
  private readonly idle: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: ProduceQueueOptions,
  ) {}

  /**
   * Resolves once acks=all confirms every record, or rejects when `timeoutMs` (by default
   * produceTimeoutMs) has passed since this call, queued or in flight alike: an append still queued then is never sent; one
   * in flight may still land (at-least-once).
   */
  append(topic: string, records: readonly LogRecord[], timeoutMs = this.opts.produceTimeoutMs): Promise<Position[]> {
    if (this.closed) return Promise.reject(unavailable('closed'));
    const ms = timeoutMs;
    return new Promise<Position[]>((resolve, reject) => {
      let settled = false;
      const settle = (then: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (job.queued) {
          this.queue.splice(this.queue.indexOf(job), 1);
          job.queued = false;
        }
        then();
      };
      const job: Job = {
        queued: true,
        topic,
        messages: records.map(toMessage),
        size: records.reduce((n, r) => n + recordSize(r), 0),
        resolve: (p) => settle(() => resolve(p)),
        reject: (e) => settle(() => reject(e)),
      };
      const timer = setTimeout(
        () => job.reject(unavailable(`produce not acknowledged by all in-sync replicas within ${this.opts.produceTimeoutMs} ms`)),
        ms,
      );
      this.queue.push(job);
      if (!this.draining) void this.drain();
    });
  }

  /** Lets queued appends finish (each bounded by produceTimeoutMs), then disconnects. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.draining) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.retire();
    await Promise.all(this.retired);
  }

  /**
   * Sends until the queue is empty. `draining` is set before the first await and cleared in the
   * same synchronous step as the final empty-queue check, so an append can never be left queued
   * with nobody draining.
   */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) await this.send(this.take());
    } finally {
      this.draining = false;
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** The oldest queued appends up to maxRequestBytes (at least one), in queue order. */
  private take(): Job[] {
    let n = 1;
    let bytes = this.queue[0]!.size;
    while (n < this.queue.length && bytes + this.queue[n]!.size <= this.opts.maxRequestBytes) bytes += this.queue[n++]!.size;
    const jobs = this.queue.splice(0, n);
    for (const j of jobs) j.queued = false;
    return jobs;
  }

  private async send(jobs: Job[]): Promise<void> {
    const ms = this.opts.produceTimeoutMs;
    const started = Date.now();
    const left = (): number => Math.max(1, ms - (Date.now() - started));
    try {
      const producer = await withDeadline(this.connected(), left(), () => unavailable(`no broker connection within ${ms} ms`));
      const byTopic = new Map<string, Message[]>();
      for (const j of jobs) {
        // Appended in place: copying the list per job was quadratic in the jobs of one request.
        const list = byTopic.get(j.topic);
        if (list === undefined) byTopic.set(j.topic, [...j.messages]);
        else for (const m of j.messages) list.push(m);
      }
      const acks = await withDeadline(
        producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1, timeout: ms }),
        left(),
        () => unavailable(`produce not acknowledged by all in-sync replicas within ${ms} ms`),
      );
      const positions = this.positions(jobs, acks);
      jobs.forEach((j, i) => j.resolve(positions[i]!));
    } catch (e) {
      this.retire();
      const err = asCausewayError('produce', e);
      for (const j of jobs) j.reject(err);
    }
  }

  /**
   * Kafka answers one base offset per partition; records of a partition sit in the order they
   * were given, so record i of partition p is at base(p) + i. Mapped back to input order.
   */
  private positions(jobs: readonly Job[], acks: readonly RecordMetadata[]): Position[][] {
    /** Per topic, per partition: [next offset to hand out, base offset]. */
    const next = new Map<string, Map<number, [number, number]>>();
    for (const a of acks) {
      if (a.errorCode !== 0 || a.baseOffset === undefined)
        throw unavailable(`produce to ${a.topicName}/${a.partition} failed (error ${a.errorCode})`);
      let t = next.get(a.topicName);
      if (t === undefined) next.set(a.topicName, (t = new Map()));
      const b = Number(a.baseOffset);
      t.set(a.partition, [b, b]);
    }
    const out = jobs.map((j) => {
      const t = next.get(j.topic);
      return j.messages.map((m) => {
        const partition = m.chosen;
        const n = t?.get(partition);
        if (n === undefined) throw unavailable(`produce response lacks ${j.topic}/${partition}`);
        return { topic: j.topic, partition, offset: n[0]++ };
      });
    });
    for (const [topic, t] of next) for (const [partition, [high, b]] of t) if (high > b) this.opts.onAppended(topic, partition, high);
    return out;
  }

  private connected(): Promise<Producer> {
    if (this.producer !== undefined) return this.producer;
    const producer = this.kafka.producer({
      idempotent: true,
      // Idempotence needs ordered retries; KafkaJS serializes an idempotent producer's requests
      // per broker anyway, and this queue keeps one send in flight.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: notingPartitioner,
      // Bounded so a failed send stops within about produceTimeoutMs; the producer is then
      // retired, so a rewound sequence number is never reused (see the header comment).
      retry: { retries: Math.max(2, Math.ceil(this.opts.produceTimeoutMs / 1_000)), initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    const connecting = producer.connect().then(
      () => producer,
      async (e: unknown) => {
        if (this.producer === connecting) this.producer = undefined;
        await producer.disconnect().catch(() => undefined);
        throw e;
      },
    );
    this.producer = connecting;
    return connecting;
  }

  /** Drops the current producer: the next send connects a new one (new producer id). */
  private retire(): void {
    const old = this.producer;
    this.producer = undefined;
    if (old === undefined) return;
    const gone: Promise<void> = old
      .then((p) => p.disconnect())
      .catch(() => undefined)
      .finally(() => this.retired.delete(gone));
    this.retired.add(gone);
  }
}
