/**
 * Who may go next (DESIGN §6 "Ordering"). Events are grouped in lanes:
 * - `key`: one lane per record key within its partition. A lane sends one event at a time, and
 *   its next event only after the previous one is done (delivered or dead-lettered). So a batch
 *   holds at most one event per key and per-key order survives partial batch failures and targets
 *   that send a batch's items in parallel. Different keys go in parallel: a slow or failing key
 *   holds up only its own lane (the headline feature).
 * - `partition`: one lane per partition; a lane has at most one batch in flight, made of
 *   consecutive events. Every delivery of the batch carries the lane as `orderingKey`, so the
 *   target sends them in order and stops at the first retry (core/target-port.ts); retried items
 *   go back to the front of their lane, in order (`requeue`).
 * A retrying event keeps its lane busy through its backoff, and nothing else.
 * - `none`: no lanes, fully parallel.
 * Events without a key under `key` ordering are their own lane: a keyless record was placed
 * round robin, so its producer asked for no order (Kafka's own semantics for null keys).
 *
 * Ready lanes wait in one FIFO (round robin between keys: a hot key cannot starve the others).
 */
import type { Fact } from '../core/index.js';
import { BatchBuilder, type BatchLimits } from './batcher.js';
import { Fifo } from './fifo.js';
import type { Ordering } from './types.js';

export interface Schedulable {
  /** undefined: unordered, goes alone. */
  readonly lane: string | undefined;
  readonly bytes: number;
  /** Goes in a batch of its own. */
  readonly solo?: boolean;
}

interface Lane<T> {
  readonly id: string;
  readonly queue: Fifo<T>;
  /** Items of this lane taken and not yet done. */
  busy: number;
}

type Entry<T> = { readonly lane: Lane<T>; readonly readyAt: number } | { readonly item: T; readonly readyAt: number };

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The lane of a fact under an ordering mode. */
export function laneOf(ordering: Ordering, fact: Pick<Fact, 'topic' | 'partition' | 'key'>): string | undefined {
  if (ordering === 'none') return undefined;
  if (ordering === 'partition') return `${fact.topic}/${fact.partition}`;
  return fact.key === null ? undefined : `${fact.topic}/${fact.partition}/${hex(fact.key)}`;
}

export class KeyScheduler<T extends Schedulable> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly ready = new Fifo<Entry<T>>();
  private waiting = 0;

  /** `perLane`: events of one lane per batch (1 for `key`, unbounded for `partition`). */
  constructor(private readonly perLane: number) {}

  static forOrdering<T extends Schedulable>(ordering: Ordering): KeyScheduler<T> {
    return new KeyScheduler<T>(ordering === 'partition' ? Number.POSITIVE_INFINITY : 1);
  }

  /** Events queued and not yet taken. */
  get queued(): number {
    return this.waiting;
  }

  /** Lanes with queued or busy events. */
  get laneCount(): number {
    return this.lanes.size;
  }

  enqueue(item: T, now: number): void {
    this.waiting++;
    if (item.lane === undefined) {
      this.ready.push({ item, readyAt: now });
      return;
    }
    let lane = this.lanes.get(item.lane);
    if (lane === undefined) {
      lane = { id: item.lane, queue: new Fifo<T>(), busy: 0 };
      this.lanes.set(item.lane, lane);
    }
    lane.queue.push(item);
    // A lane enters the ready FIFO when it gets its first event while idle.
    if (lane.busy === 0 && lane.queue.length === 1) this.ready.push({ lane, readyAt: now });
  }

  hasReady(): boolean {
    return this.ready.length > 0;
  }

  /** When the longest-waiting ready entry became ready. */
  oldestReadyAt(): number | undefined {
    return this.ready.peek()?.readyAt;
  }

  /** Would `take` fill a batch within `limits` (by events or bytes) right now? */
  wouldFill(limits: BatchLimits, already: readonly T[] = []): boolean {
    const b = new BatchBuilder<T>(limits);
    for (const it of already) b.add(it);
    for (const entry of this.ready) {
      if ('item' in entry) {
        if (entry.item.solo === true || !b.add(entry.item)) return true;
      } else {
        let n = 0;
        for (const it of entry.lane.queue) {
          if (n >= this.perLane) break;
          if (it.solo === true || !b.add(it)) return true;
          n++;
        }
      }
      if (b.full) return true;
    }
    return b.full;
  }

  /** Moves ready events into `batch` while they fit; their lanes become busy. A solo event goes alone. */
  take(batch: BatchBuilder<T>): T[] {
    const taken: T[] = [];
    let closed = false;
    const fits = (it: T): boolean => {
      if (closed || (it.solo === true && batch.items.length > 0) || !batch.add(it)) return false;
      closed = it.solo === true;
      return true;
    };
    for (;;) {
      const entry = this.ready.peek();
      if (entry === undefined || batch.full || closed) break;
      if ('item' in entry) {
        if (!fits(entry.item)) break;
        this.ready.shift();
        taken.push(entry.item);
        continue;
      }
      const lane = entry.lane;
      let n = 0;
      while (n < this.perLane && lane.queue.length > 0 && fits(lane.queue.peek()!)) {
        taken.push(lane.queue.shift()!);
        n++;
      }
      if (n === 0) break;
      lane.busy += n;
      this.ready.shift();
    }
    this.waiting -= taken.length;
    return taken;
  }

  /**
   * Taken events that must be sent again (a retry after backoff): they go back to the front of
   * their lane, in the order given, and the lane to the front of the ready FIFO (due at once) unless
   * some of its events are still out (a dead letter being written).
   * Give all of a lane's failed events of a batch in one call, in the order they were taken, as
   * DeliveryPump.retryLater does: since a lane has one batch out at a time, that keeps the lane's order.
   * Two calls for parts of one batch would put the later part first.
   */
  requeue(items: readonly T[]): void {
    const byLane = new Map<Lane<T>, T[]>();
    const free: T[] = [];
    for (const it of items) {
      const lane = it.lane === undefined ? undefined : this.lanes.get(it.lane);
      if (lane === undefined) free.push(it);
      else byLane.set(lane, [...(byLane.get(lane) ?? []), it]);
    }
    for (let i = free.length - 1; i >= 0; i--) this.ready.unshift({ item: free[i]!, readyAt: 0 });
    for (const [lane, its] of byLane) {
      for (let i = its.length - 1; i >= 0; i--) lane.queue.unshift(its[i]!);
      lane.busy = Math.max(0, lane.busy - its.length);
      if (lane.busy === 0) this.ready.unshift({ lane, readyAt: 0 });
    }
    this.waiting += items.length;
  }

  /** An event is done for good: its lane may send its next event. */
  done(item: T, now: number): void {
    if (item.lane === undefined) return;
    const lane = this.lanes.get(item.lane);
    if (lane === undefined || lane.busy === 0) return;
    lane.busy--;
    if (lane.busy > 0) return;
    if (lane.queue.length > 0) this.ready.push({ lane, readyAt: now });
    else this.lanes.delete(lane.id);
  }

  /** Forgets every queued event (route stopping); returns them. */
  clear(): T[] {
    const out: T[] = [];
    for (const entry of this.ready) if ('item' in entry) out.push(entry.item);
    for (const lane of this.lanes.values()) out.push(...lane.queue);
    this.ready.clear();
    this.lanes.clear();
    this.waiting = 0;
    return out;
  }
}
