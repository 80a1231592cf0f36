/**
 * `waitFor` for the Kafka log. Kafka has no "tell me when this partition grows" request, so the
 * high watermarks of a topic are polled (ListOffsets) by one shared loop per topic while anyone
 * waits on it, backing off from 50 ms to 500 ms while nothing changes. Appends made through this
 * log report their new high watermark directly, which wakes local waiters at once.
 */
export type FetchHighs = (topic: string) => Promise<ReadonlyMap<number, number>>;

interface Waiter {
  readonly partition: number;
  readonly offset: number;
  done(v: boolean): void;
}

interface TopicWatch {
  readonly waiters: Set<Waiter>;
  timer: NodeJS.Timeout | undefined;
  polling: boolean;
  delay: number;
}

export const MIN_POLL_MS = 50;
export const MAX_POLL_MS = 500;

export class HighWatermarks {
  /** Highest watermark seen per topic and partition (they only grow). */
  private readonly highs = new Map<string, Map<number, number>>();
  private readonly watches = new Map<string, TopicWatch>();
  private closed = false;

  constructor(private readonly fetchHighs: FetchHighs) {}

  wait(topic: string, partition: number, offset: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.closed || signal?.aborted) return Promise.resolve(false);
    if (this.known(topic, partition) > offset) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const watch = this.watch(topic);
      const onAbort = (): void => waiter.done(false);
      const timer = setTimeout(onAbort, Math.max(0, timeoutMs));
      const waiter: Waiter = {
        partition,
        offset,
        done: (v) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          watch.waiters.delete(waiter);
          resolve(v);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      watch.waiters.add(waiter);
      // A new waiter deserves a fresh look now, whatever the backoff had reached.
      watch.delay = MIN_POLL_MS;
      if (watch.timer !== undefined) {
        clearTimeout(watch.timer);
        watch.timer = undefined;
      }
      if (!watch.polling) this.schedule(topic, watch, 0);
    });
  }

  /** Records a high watermark (from our own append or a poll) and wakes whoever it satisfies. */
  observe(topic: string, partition: number, high: number): boolean {
    let byPartition = this.highs.get(topic);
    if (byPartition === undefined) this.highs.set(topic, (byPartition = new Map()));
    if ((byPartition.get(partition) ?? -1) >= high) return false;
    byPartition.set(partition, high);
    for (const w of this.watches.get(topic)?.waiters ?? []) if (w.partition === partition && high > w.offset) w.done(true);
    return true;
  }

  /** Resolves every waiter with false and stops polling. */
  close(): void {
    this.closed = true;
    for (const watch of this.watches.values()) {
      if (watch.timer !== undefined) clearTimeout(watch.timer);
      for (const w of [...watch.waiters]) w.done(false);
    }
    this.watches.clear();
  }

  private known(topic: string, partition: number): number {
    return this.highs.get(topic)?.get(partition) ?? -1;
  }

  private watch(topic: string): TopicWatch {
    let watch = this.watches.get(topic);
    if (watch === undefined)
      this.watches.set(topic, (watch = { waiters: new Set(), timer: undefined, polling: false, delay: MIN_POLL_MS }));
    return watch;
  }

  private schedule(topic: string, watch: TopicWatch, delay: number): void {
    watch.timer = setTimeout(() => void this.poll(topic, watch), delay);
  }

  private async poll(topic: string, watch: TopicWatch): Promise<void> {
    watch.timer = undefined;
    if (this.closed) return;
    if (watch.waiters.size === 0) {
      this.watches.delete(topic);
      return;
    }
    watch.polling = true;
    let grew = false;
    try {
      for (const [p, high] of await this.fetchHighs(topic)) grew = this.observe(topic, p, high) || grew;
    } catch {
      // Broker unreachable or topic not there yet: keep waiting until the caller's timeout.
    }
    watch.polling = false;
    if (this.closed) return;
    if (watch.waiters.size === 0) {
      this.watches.delete(topic);
      return;
    }
    watch.delay = grew ? MIN_POLL_MS : Math.min(watch.delay * 2, MAX_POLL_MS);
    if (watch.timer === undefined) this.schedule(topic, watch, watch.delay);
  }
}
