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
import { Partitioners, type Kafka, type Message, type PartitionerArgs, type Producer, type RecordMetadata } from 'kafkajs';
import type { CausewayError, LogRecord, Position } from '../../core/index.js';
import { asCausewayError, recordSize, toMessage, unavailable, withDeadline } from './kafka-util.js';

export interface ProduceQueueOptions {
  readonly produceTimeoutMs: number;
  /** Cap on one coalesced request (a single larger append still goes alone). */
  readonly maxRequestBytes: number;
  /** Told about every new high watermark this producer caused, to wake local waiters at once. */
  readonly onAppended: (topic: string, partition: number, high: number) => void;
}

interface Job {
  readonly topic: string;
  readonly messages: readonly Message[];
  readonly size: number;
  resolve(p: Position[]): void;
  reject(e: CausewayError): void;
}

const slot = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class ProduceQueue {
  private readonly queue: Job[] = [];
  /** The partition KafkaJS's DefaultPartitioner picked for each message (Kafka's murmur2 for keys). */
  private readonly chosen = new WeakMap<Message, number>();
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
        const i = this.queue.indexOf(job);
        if (i >= 0) this.queue.splice(i, 1);
        then();
      };
      const job: Job = {
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

  private take(): Job[] {
    const jobs = [this.queue.shift()!];
    let bytes = jobs[0]!.size;
    while (this.queue.length > 0 && bytes + this.queue[0]!.size <= this.opts.maxRequestBytes) {
      const next = this.queue.shift()!;
      bytes += next.size;
      jobs.push(next);
    }
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
    const base = new Map<string, number>();
    for (const a of acks) {
      if (a.errorCode !== 0 || a.baseOffset === undefined)
        throw unavailable(`produce to ${a.topicName}/${a.partition} failed (error ${a.errorCode})`);
      base.set(slot(a.topicName, a.partition), Number(a.baseOffset));
    }
    const used = new Map<string, number>();
    const out = jobs.map((j) =>
      j.messages.map((m) => {
        const partition = this.chosen.get(m);
        const s = partition === undefined ? undefined : slot(j.topic, partition);
        const b = s === undefined ? undefined : base.get(s);
        if (partition === undefined || s === undefined || b === undefined)
          throw unavailable(`produce response lacks ${j.topic}/${partition}`);
        const i = used.get(s) ?? 0;
        used.set(s, i + 1);
        return { topic: j.topic, partition, offset: b + i };
      }),
    );
    for (const [s, n] of used) {
      const [topic, p] = s.split('\u0000') as [string, string];
      this.opts.onAppended(topic, Number(p), base.get(s)! + n);
    }
    return out;
  }

  private connected(): Promise<Producer> {
    if (this.producer !== undefined) return this.producer;
    const inner = Partitioners.DefaultPartitioner();
    const producer = this.kafka.producer({
      idempotent: true,
      // Idempotence needs ordered retries; KafkaJS serializes an idempotent producer's requests
      // per broker anyway, and this queue keeps one send in flight.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: () => (args: PartitionerArgs) => {
        const p = inner(args);
        this.chosen.set(args.message, p);
        return p;
      },
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
