/**
 * The sending half of a route (DESIGN §6): lanes (key-scheduler.ts) → batches within the route's
 * and the target's limits → rate limit → `Target.send` under a timeout, at most `concurrency`
 * batches in flight; then per item: delivered, retried after a backoff (only the failed items),
 * or dead-lettered. A retrying item keeps its lane busy and nothing else: other keys keep flowing.
 */
import type { BatchOutcome, Fact, ItemOutcome } from '../core/index.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { BatchBuilder, batchDue, batchLimits, type BatchLimits } from './batcher.js';
import { timeoutSignal, type Clock } from './clock.js';
import { deadLetterRecord, type DeadLetterWriter } from './dead-letter.js';
import type { DeliverLogger, DeliverMetrics } from './deliver-metrics.js';
import { toDelivery, type DeliveryItem, type ItemError } from './delivery-item.js';
import { KeyScheduler } from './key-scheduler.js';
import { TokenBucket } from './rate-limiter.js';
import type { DispatchRoute } from './types.js';

export interface DeliveryPumpDeps {
  readonly clock: Clock;
  readonly random: () => number;
  readonly metrics: DeliverMetrics;
  readonly logger: DeliverLogger;
  readonly backoff: Pick<BackoffOptions, 'jitter' | 'retryAfterCapMs'>;
  readonly dlq: DeadLetterWriter;
  /** Aborts sends in flight (crash, or a drain that ran out of time). */
  readonly sendSignal: AbortSignal;
  /** A fact is done for good (delivered or dead-lettered): it may be committed. */
  complete(fact: Fact): void;
  /** The target said it is gone (HTTP 410): the route must stop. */
  disable(reason: string): void;
}

export interface PumpCounters {
  delivered: number;
  deadLettered: number;
  retried: number;
}

type Retry = Extract<ItemOutcome, { status: 'retry' }>;

export class DeliveryPump {
  readonly counters: PumpCounters = { delivered: 0, deadLettered: 0, retried: 0 };
  private readonly scheduler: KeyScheduler<DeliveryItem>;
  private readonly limits: BatchLimits;
  private readonly bucket: TokenBucket | undefined;
  private readonly labels: Readonly<Record<string, string>>;
  private readonly work = new Set<Promise<void>>();
  private readonly backoffTimers = new Set<() => void>();
  private timer: { at: number; cancel: () => void } | undefined;
  private pumpQueued = false;
  private halted = false;
  private batchesInFlight = 0;
  private eventsInFlight = 0;

  constructor(
    private readonly route: DispatchRoute,
    private readonly deps: DeliveryPumpDeps,
  ) {
    const d = route.delivery;
    this.scheduler = KeyScheduler.forOrdering<DeliveryItem>(d.ordering);
    this.limits = batchLimits(d.batch, route.target.limits);
    this.bucket = d.rateLimit === undefined ? undefined : new TokenBucket(d.rateLimit.perSecond, d.rateLimit.burst, () => deps.clock.now());
    this.labels = { route: route.id, target: route.targetKind };
  }

  get inFlight(): number {
    return this.eventsInFlight;
  }

  get batchLimits(): BatchLimits {
    return this.limits;
  }

  enqueue(item: DeliveryItem): void {
    if (this.halted) return;
    this.scheduler.enqueue(item, this.deps.clock.now());
    this.schedulePump();
  }

  /** Writes the fact to the dead letter topic; it is completed once that is durable. */
  deadLetter(fact: Fact, error: ItemError, attempts: number, item?: DeliveryItem): void {
    const record = deadLetterRecord(fact, {
      ...error,
      route: this.route.id,
      target: this.route.targetKind,
      attempts,
      time: this.deps.clock.now(),
    });
    this.deps.logger.warn('event dead-lettered', {
      route: this.route.id,
      code: error.code,
      message: error.message,
      fact: `${fact.topic}/${fact.partition}/${fact.offset}`,
      attempts,
    });
    this.track(
      this.deps.dlq.write(record).then(
        () => {
          this.counters.deadLettered++;
          this.deps.metrics.deadLettered.inc({ ...this.labels, code: error.code });
          this.finish(fact, item);
        },
        // The route stopped first: the fact stays incomplete, is not committed, comes back later.
        () => undefined,
      ),
    );
  }

  /** Stops scheduling: queued and backing-off items are abandoned (uncommitted, so redelivered later). */
  halt(): void {
    this.halted = true;
    this.timer?.cancel();
    this.timer = undefined;
    for (const cancel of this.backoffTimers) cancel();
    this.backoffTimers.clear();
    this.scheduler.clear();
  }

  /** Resolves when no send and no dead letter is in progress. */
  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  private track(p: Promise<void>): void {
    this.work.add(p);
    void p.finally(() => this.work.delete(p));
  }

  private finish(fact: Fact, item: DeliveryItem | undefined): void {
    if (item !== undefined) this.scheduler.done(item, this.deps.clock.now());
    this.deps.complete(fact);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpQueued || this.halted) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private armTimer(ms: number): void {
    const at = this.deps.clock.now() + Math.max(0, ms);
    if (this.timer !== undefined && this.timer.at <= at) return;
    this.timer?.cancel();
    const cancel = this.deps.clock.setTimer(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(0, ms),
    );
    this.timer = { at, cancel };
  }

  private pump(): void {
    const { clock } = this.deps;
    const d = this.route.delivery;
    while (!this.halted && this.batchesInFlight < d.concurrency) {
      if (!this.scheduler.hasReady()) return;
      let limits = this.limits;
      if (this.bucket !== undefined) {
        const tokens = this.bucket.available();
        if (tokens < 1) return this.armTimer(this.bucket.msUntil(1));
        limits = { ...limits, maxEvents: Math.min(limits.maxEvents, tokens) };
      }
      // Requeued retries are ready "since 0": due at once, they do not wait for companions.
      const now = clock.now();
      const oldest = this.scheduler.oldestReadyAt();
      if (!batchDue({ full: this.scheduler.wouldFill(limits), oldestReadyAt: oldest, now, maxWaitMs: d.batch.maxWaitMs })) {
        return this.armTimer((oldest ?? now) + d.batch.maxWaitMs - now);
      }
      const batch = new BatchBuilder<DeliveryItem>(limits);
      this.scheduler.take(batch);
      if (batch.items.length === 0) return;
      this.bucket?.take(batch.items.length);
      this.track(this.send(batch.items));
    }
  }

  private async send(items: readonly DeliveryItem[]): Promise<void> {
    const { clock } = this.deps;
    const d = this.route.delivery;
    for (const it of items) it.attempts++;
    const deliveries = items.map((it) => toDelivery(it, this.route.id, it.attempts));
    this.batchesInFlight++;
    this.eventsInFlight += items.length;
    const t = timeoutSignal(clock, d.timeoutMs, this.deps.sendSignal);
    /** Outcomes reported early (ItemProgress): delivered and rejected items are done at once. */
    const early: Array<ItemOutcome | undefined> = new Array(items.length);
    let open = true;
    const progress = (i: number, o: ItemOutcome): void => {
      if (!open || !Number.isInteger(i) || i < 0 || i >= items.length || early[i] !== undefined || this.deps.sendSignal.aborted) return;
      early[i] = o;
      if (o.status === 'retry') return; // acted on with the rest of its lane when the batch ends
      this.eventsInFlight--;
      this.settle(items[i]!, o);
    };
    let outcome: BatchOutcome | undefined;
    let failure: ItemError | undefined;
    try {
      outcome = await untilAborted(this.route.target.send(deliveries, t.signal, progress), t.signal);
    } catch (e) {
      failure = t.timedOut()
        ? { code: 'CW_TARGET_TIMEOUT', message: `target did not answer within ${d.timeoutMs} ms` }
        : { code: 'CW_TARGET_UNAVAILABLE', message: `target send failed: ${(e as Error).message}` };
    } finally {
      open = false;
      t.dispose();
      this.batchesInFlight--;
      this.eventsInFlight -= items.filter((_, i) => early[i] === undefined || early[i]!.status === 'retry').length;
    }
    // Crash or drain timeout: outcomes are not acted on; the items stay uncommitted.
    if (this.deps.sendSignal.aborted) return;
    const gone = outcome?.disableRoute;
    const retries: Array<{ item: DeliveryItem; o: Retry }> = [];
    items.forEach((item, i) => {
      const reported = early[i];
      if (reported !== undefined && reported.status !== 'retry') return; // already settled
      const o: ItemOutcome =
        reported ??
        (failure !== undefined
          ? { status: 'retry', ...failure }
          : (outcome!.items[i] ?? {
              status: 'retry',
              code: 'CW_INTERNAL',
              message: `target answered ${outcome!.items.length} outcomes for ${items.length} events`,
            }));
      if (o.status === 'delivered') return this.delivered(item);
      if (gone !== undefined) return this.deadLetter(item.fact, { code: 'CW_TARGET_GONE', message: gone.reason }, item.attempts, item);
      if (o.status === 'reject') return this.deadLetter(item.fact, { code: o.code, message: o.message }, item.attempts, item);
      // A timed-out call gives no clue which item was slow: each retries alone, so a slow key
      // delays its batch companions once, not on every attempt.
      item.solo = o.code === 'CW_TARGET_TIMEOUT';
      retries.push({ item, o });
    });
    this.retryLater(retries);
    if (gone !== undefined) {
      this.deps.metrics.routesDisabled.inc(this.labels);
      this.deps.disable(gone.reason);
    }
    this.schedulePump();
  }

  private settle(item: DeliveryItem, o: Exclude<ItemOutcome, Retry>): void {
    if (o.status === 'delivered') this.delivered(item);
    else this.deadLetter(item.fact, { code: o.code, message: o.message }, item.attempts, item);
  }

  private delivered(item: DeliveryItem): void {
    this.counters.delivered++;
    this.deps.metrics.delivered.inc(this.labels);
    this.deps.metrics.deliveryLatency.observe(this.labels, Math.max(0, this.deps.clock.now() - item.fact.timestamp) / 1000);
    this.finish(item.fact, item);
  }

  /**
   * Failed items whose attempts are left wait out a backoff, then go back to the front of their
   * lane. Items of one lane share one timer (the longest of their delays) so they come back
   * together and in order: a retry never lets a key's later event overtake an earlier one.
   */
  private retryLater(failed: ReadonlyArray<{ item: DeliveryItem; o: Retry }>): void {
    const d = this.route.delivery;
    const opts: BackoffOptions = { policy: d.backoffPolicy, baseMs: d.backoffDelayMs, maxMs: d.backoffMaxMs, ...this.deps.backoff };
    const groups = new Map<string | DeliveryItem, { items: DeliveryItem[]; delay: number }>();
    for (const { item, o } of failed) {
      item.lastError = { code: o.code, message: o.message };
      if (this.halted) continue; // stopping: abandoned, redelivered after restart
      if (item.attempts > d.retry) {
        const message = `${item.attempts} attempt(s) failed; last: ${o.code}: ${o.message}`;
        this.deadLetter(item.fact, { code: 'CW_RETRIES_EXHAUSTED', message }, item.attempts, item);
        continue;
      }
      this.counters.retried++;
      this.deps.metrics.deliveryRetries.inc({ ...this.labels, code: o.code });
      const delay = backoffDelay(opts, item.attempts, this.deps.random, o.retryAfterMs);
      const g = groups.get(item.lane ?? item) ?? { items: [], delay: 0 };
      g.items.push(item);
      g.delay = Math.max(g.delay, delay);
      groups.set(item.lane ?? item, g);
    }
    for (const g of groups.values()) {
      const cancel = this.deps.clock.setTimer(() => {
        this.backoffTimers.delete(cancel);
        this.scheduler.requeue(g.items);
        this.schedulePump();
      }, g.delay);
      this.backoffTimers.add(cancel);
    }
  }
}

/** A target that ignores its signal must not hold a lane forever: the abort wins the race. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
