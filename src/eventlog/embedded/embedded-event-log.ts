/**
 * The embedded event log (DESIGN §3): SQLite in WAL mode with synchronous=FULL under the data
 * directory, Kafka's semantics (topics, partitions, offsets, group commits). Writes go to a worker
 * thread that group-commits them; reads use a read-only connection on this thread; readers waiting
 * for new records are woken in-process by the append acknowledgements (no polling).
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import {
  CausewayError,
  type EventLog,
  type Fact,
  type LogRecord,
  type PartitionOffsets,
  type Position,
  type TopicInfo,
} from '../../core/index.js';
import { LogReader } from './log-reader.js';
import type { FromWorker, WireError, WireRecord, WriteOp, WriteRequest, WriteResult } from './protocol.js';
import { DB_FILE } from './schema.js';
import { spawnWriter } from './spawn-writer.js';

export interface EmbeddedLogOptions {
  /** Directory holding the database (created when missing). */
  readonly dir: string;
  /** Partitions of topics created without an explicit count (default 3). */
  readonly defaultPartitions?: number;
  /**
   * Size cap for the database file, in bytes (default: none). Past it appends fail with
   * CW_EVENTLOG_UNAVAILABLE exactly as on a full disk, so operators can keep room for the OS.
   */
  readonly maxBytes?: number;
  /**
   * How long after the open lookupId must still find ids stored before it (ms; default 10 min,
   * the accept side's default dedupe window): the ids written within it are loaded at open.
   */
  readonly recallWindowMs?: number;
  /** At most this many of them, newest first (default 2,000,000). */
  readonly recallMaxIds?: number;
}

export interface EmbeddedLogStats {
  /** append() calls sent to the writer. */
  readonly appendCalls: number;
  /** Records in those calls. */
  readonly records: number;
  /** Write transactions committed by the writer (one fsync each), appends and commits alike. */
  readonly transactions: number;
}

interface Pending {
  resolve(r: WriteResult & { ok: true }): void;
  reject(e: CausewayError): void;
}

const unavailable = (detail: string, cause?: unknown): CausewayError =>
  new CausewayError('CW_EVENTLOG_UNAVAILABLE', `embedded event log: ${detail}`, cause === undefined ? {} : { cause });
const fromWire = (e: WireError): CausewayError => new CausewayError(e.code, `embedded event log: ${e.message}`);
const waitKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

function toWire(r: LogRecord): WireRecord {
  const source = r.headers['ce_source'];
  const id = r.headers['ce_id'];
  const w: { -readonly [K in keyof WireRecord]: WireRecord[K] } = {
    key: r.key,
    value: r.value,
    headers: JSON.stringify(r.headers),
    source: source ?? null,
    id: id ?? null,
  };
  if (r.partition !== undefined) w.partition = r.partition;
  if (r.timestamp !== undefined) w.timestamp = r.timestamp;
  return w;
}

export class EmbeddedEventLog implements EventLog {
  readonly kind = 'embedded' as const;
  private readonly pending = new Map<number, Pending>();
  private readonly highs = new EventEmitter().setMaxListeners(0);
  private outbox: WriteRequest[] = [];
  private nextId = 1;
  private appendCalls = 0;
  private records = 0;
  private transactions = 0;
  private down: string | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly reader: LogReader,
    readonly file: string,
  ) {
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (e) => this.fail(`writer failed: ${e.message}`));
    worker.on('exit', (code) => this.fail(`writer exited (${code})`));
  }

  static async open(opts: EmbeddedLogOptions): Promise<EmbeddedEventLog> {
    const defaultPartitions = opts.defaultPartitions ?? 3;
    if (!Number.isInteger(defaultPartitions) || defaultPartitions < 1) {
      throw new CausewayError('CW_CONFIG_INVALID', `defaultPartitions must be a positive integer, got ${defaultPartitions}`);
    }
    try {
      mkdirSync(opts.dir, { recursive: true });
    } catch (e) {
      throw unavailable(`cannot create ${opts.dir}`, e);
    }
    const file = join(opts.dir, DB_FILE);
    const recallWindowMs = opts.recallWindowMs ?? 10 * 60_000;
    const worker = spawnWriter({
      file,
      defaultPartitions,
      recallWindowMs,
      ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
    });
    // The writer creates the file and switches it to WAL before a read-only connection may open it.
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') done(resolve);
        else if (m.type === 'failed') done(() => reject(fromWire(m.error)));
      };
      const onError = (e: Error) => done(() => reject(unavailable(`writer failed to start: ${e.message}`, e)));
      const onExit = (code: number) => done(() => reject(unavailable(`writer exited during start (${code})`)));
      const done = (then: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        then();
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
    try {
      return new EmbeddedEventLog(worker, new LogReader(file, { windowMs: recallWindowMs, maxIds: opts.recallMaxIds ?? 2_000_000 }), file);
    } catch (e) {
      await worker.terminate();
      throw unavailable(`cannot open ${file} for reading`, e);
    }
  }

  async ensureTopic(topic: string, partitions?: number): Promise<TopicInfo> {
    const r = await this.write(partitions === undefined ? { op: 'ensureTopic', topic } : { op: 'ensureTopic', topic, partitions });
    return r.topic!;
  }

  async listTopics(): Promise<TopicInfo[]> {
    return this.readSide(() => this.reader.listTopics());
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    return this.readSide(() => this.reader.offsets(topic));
  }

  async append(topic: string, records: readonly LogRecord[]): Promise<Position[]> {
    if (records.length === 0) return [];
    this.appendCalls++;
    this.records += records.length;
    // Only the fields the writer needs cross the thread boundary (structured clone copies them).
    const wire: WireRecord[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) wire[i] = toWire(records[i]!);
    const r = await this.write({ op: 'append', topic, records: wire });
    return r.positions!;
  }

  async read(topic: string, partition: number, from: number, limit: number): Promise<Fact[]> {
    return this.readSide(() => this.reader.read(topic, partition, from, limit));
  }

  async commit(group: string, topic: string, partition: number, offset: number): Promise<void> {
    await this.write({ op: 'commit', group, topic, partition, offset });
  }

  async committed(group: string, topic: string, partition: number): Promise<number | null> {
    return this.readSide(() => this.reader.committed(group, topic, partition));
  }

  waitFor(topic: string, partition: number, offset: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted || this.down !== undefined) return Promise.resolve(false);
    // Check and subscribe in the same tick: notifications are emitted on this thread, so none can
    // slip between the two.
    if (this.reader.high(topic, partition) > offset) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const key = waitKey(topic, partition);
      const onHigh = (high: number) => high > offset && done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(onAbort, Math.max(0, timeoutMs));
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.highs.off(key, onHigh).off('down', onAbort);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      this.highs.on(key, onHigh).on('down', onAbort);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async ready(): Promise<{ ok: boolean; detail?: string }> {
    return this.down === undefined ? { ok: true } : { ok: false, detail: this.down };
  }

  /**
   * Finds the fact of an event with this `source`+`id` and a timestamp at or after
   * `sinceTimestamp` (ms), among those stored within `recallWindowMs` before this open (and only
   * until that window has passed since the open): lets the accept side recognise, after a restart,
   * ids its empty in-memory dedupe window has not seen. Records appended since the open are not
   * looked at: the accept side's own window holds them.
   */
  lookupId(source: string, id: string, sinceTimestamp: number): Position | undefined {
    if (this.down !== undefined) throw unavailable(this.down);
    return this.reader.lookupId(source, id, sinceTimestamp);
  }

  /**
   * An upper bound on the timestamps (ms) of the records stored so far, at most a minute above
   * the newest: -Infinity when there are none, +Infinity when the file predates this bookkeeping.
   * Tells the accept side at start whether lookupId can find anything inside its window at all.
   */
  newestTimestamp(): number {
    if (this.down !== undefined) throw unavailable(this.down);
    return this.reader.newestTimestamp();
  }

  /** How many ids lookupId can recall (loaded at open; 0 once its window has passed). */
  recallSize(): number {
    return this.reader.recallSize;
  }

  /** Group-commit evidence: many append calls, fewer transactions. */
  stats(): EmbeddedLogStats {
    return { appendCalls: this.appendCalls, records: this.records, transactions: this.transactions };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown(async () => {
      this.sendOutbox();
      await new Promise<void>((resolve) => {
        this.worker.once('exit', () => resolve());
        this.worker.postMessage({ type: 'close' });
      });
    });
    return this.closing;
  }

  /** Kills the writer with no clean shutdown, as a crash would. For tests only. */
  crashForTesting(): Promise<void> {
    this.closing ??= this.shutdown(async () => {
      this.outbox = [];
      await this.worker.terminate();
    });
    return this.closing;
  }

  private async shutdown(stopWriter: () => Promise<void>): Promise<void> {
    if (this.down === undefined) await stopWriter();
    this.fail('closed');
    this.reader.close();
  }

  private readSide<T>(fn: () => T): Promise<T> {
    if (this.down !== undefined) return Promise.reject(unavailable(this.down));
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e instanceof CausewayError ? e : unavailable(e instanceof Error ? e.message : String(e), e));
    }
  }

  private write(op: WriteOp): Promise<WriteResult & { ok: true }> {
    if (this.down !== undefined) return Promise.reject(unavailable(this.down));
    if (this.closing !== undefined) return Promise.reject(unavailable('closing'));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      // Calls made in the same event-loop turn travel to the writer as one message: under load
      // every HTTP request is its own I/O callback, and a message per request cost a clone and a
      // wake-up of the writer each. setImmediate runs right after this turn's I/O callbacks.
      if (this.outbox.push({ ...op, id }) === 1) setImmediate(() => this.sendOutbox());
    });
  }

  private sendOutbox(): void {
    if (this.outbox.length === 0 || this.down !== undefined) return;
    const requests = this.outbox;
    this.outbox = [];
    this.worker.postMessage({ type: 'write', requests });
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'failed') return this.fail(m.error.message);
    if (m.type !== 'results') return;
    this.transactions = m.transactions;
    const highs = new Map<string, number>();
    for (const r of m.results) {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (!r.ok) {
        p?.reject(fromWire(r.error));
        continue;
      }
      p?.resolve(r);
      for (const pos of r.positions ?? []) {
        const k = waitKey(pos.topic, pos.partition);
        highs.set(k, Math.max(highs.get(k) ?? 0, pos.offset + 1));
      }
    }
    for (const [k, high] of highs) this.highs.emit(k, high);
  }

  /** The writer is gone: every unanswered write's outcome is unknown, so callers must retry. */
  private fail(reason: string): void {
    if (this.down !== undefined) return;
    this.down = reason;
    const err = unavailable(reason === 'closed' ? 'closed before the write was confirmed' : reason);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.highs.emit('down');
  }
}

export const openEmbeddedLog = (opts: EmbeddedLogOptions): Promise<EmbeddedEventLog> => EmbeddedEventLog.open(opts);
