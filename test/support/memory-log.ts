/**
 * An in-memory EventLog for engine unit tests: the port's semantics (test/contract runs against
 * it too), plus faults the real logs cannot produce on demand (failing appends, commits, reads).
 * `waitFor` timeouts use an injected clock so fake-clock tests control them.
 */
import {
  CausewayError,
  type EventLog,
  type Fact,
  type LogRecord,
  type PartitionOffsets,
  type Position,
  type TopicInfo,
} from '../../src/core/index.js';
import { partitionFor } from '../../src/eventlog/index.js';

export interface MemoryLogClock {
  now(): number;
  setTimer(fn: () => void, ms: number): () => void;
}

const realClock: MemoryLogClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

type Fault = (op: 'append' | 'commit' | 'read', topic: string) => Error | undefined;

export class MemoryLog implements EventLog {
  readonly kind = 'embedded' as const;
  readonly topics = new Map<string, Fact[][]>();
  readonly commits = new Map<string, number>();
  /** Every commit call, in order: [group, topic, partition, offset]. */
  readonly commitCalls: Array<[string, string, number, number]> = [];
  private readonly waiters = new Set<{ topic: string; partition: number; offset: number; done: (v: boolean) => void }>();
  private rr = 0;
  fault: Fault | undefined;

  constructor(
    private readonly clock: MemoryLogClock = realClock,
    private readonly defaultPartitions = 3,
  ) {}

  async ensureTopic(topic: string, partitions?: number): Promise<TopicInfo> {
    let t = this.topics.get(topic);
    if (t === undefined) {
      t = Array.from({ length: partitions ?? this.defaultPartitions }, () => []);
      this.topics.set(topic, t);
    }
    return { name: topic, partitions: t.length };
  }

  async listTopics(): Promise<TopicInfo[]> {
    return [...this.topics].map(([name, p]) => ({ name, partitions: p.length })).sort((a, b) => a.name.localeCompare(b.name));
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    return this.require(topic).map((p, partition) => ({ partition, low: 0, high: p.length }));
  }

  async append(topic: string, records: readonly LogRecord[]): Promise<Position[]> {
    const err = this.fault?.('append', topic);
    if (err) throw err;
    if (records.length === 0) return [];
    const parts = this.topics.get(topic) ?? (await this.ensureTopic(topic), this.topics.get(topic)!);
    const now = this.clock.now();
    const out = records.map((r) => {
      const partition = r.partition ?? (r.key !== null ? partitionFor(r.key, parts.length) : this.rr++ % parts.length);
      if (partition < 0 || partition >= parts.length) throw new CausewayError('CW_INVALID_REQUEST', `no partition ${partition}`);
      const p = parts[partition]!;
      const fact: Fact = {
        topic,
        partition,
        offset: p.length,
        timestamp: r.timestamp ?? now,
        key: r.key,
        value: r.value,
        headers: { ...r.headers },
      };
      p.push(fact);
      return { topic, partition, offset: fact.offset };
    });
    for (const w of [...this.waiters]) if (w.topic === topic && parts[w.partition]!.length > w.offset) w.done(true);
    return out;
  }

  async read(topic: string, partition: number, from: number, limit: number): Promise<Fact[]> {
    const err = this.fault?.('read', topic);
    if (err) throw err;
    const p = this.require(topic)[partition];
    if (p === undefined) throw new CausewayError('CW_NOT_FOUND', `partition ${partition} does not exist in topic ${topic}`);
    return p.slice(Math.max(0, from), Math.max(0, from) + Math.max(0, limit));
  }

  async commit(group: string, topic: string, partition: number, offset: number): Promise<void> {
    const err = this.fault?.('commit', topic);
    if (err) throw err;
    this.commitCalls.push([group, topic, partition, offset]);
    this.commits.set(`${group}|${topic}|${partition}`, offset);
  }

  async committed(group: string, topic: string, partition: number): Promise<number | null> {
    return this.commits.get(`${group}|${topic}|${partition}`) ?? null;
  }

  waitFor(topic: string, partition: number, offset: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if ((this.topics.get(topic)?.[partition]?.length ?? 0) > offset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = (): void => w.done(false);
      const cancel = this.clock.setTimer(onAbort, timeoutMs);
      const w = {
        topic,
        partition,
        offset,
        done: (v: boolean) => {
          cancel();
          signal?.removeEventListener('abort', onAbort);
          this.waiters.delete(w);
          resolve(v);
        },
      };
      this.waiters.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async ready(): Promise<{ ok: boolean }> {
    return { ok: true };
  }

  async close(): Promise<void> {
    for (const w of [...this.waiters]) w.done(false);
  }

  /** Every fact of a topic, partition by partition. */
  all(topic: string): Fact[] {
    return (this.topics.get(topic) ?? []).flat();
  }

  private require(topic: string): Fact[][] {
    const t = this.topics.get(topic);
    if (t === undefined) throw new CausewayError('CW_NOT_FOUND', `unknown topic ${topic}`);
    return t;
  }
}
