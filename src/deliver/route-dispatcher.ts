/**
 * One route's dispatch loop (DESIGN §5–6): its own consumer group `causeway.route.<id>`, one
 * reader per partition of its `from` topics, the delivery pump, and at-least-once commits: a
 * partition's offset is committed only up to the last fact delivered, dead-lettered or skipped
 * (commit-tracker.ts), every `commitIntervalMs` and on stop. It only uses the EventLog port, so
 * it runs the same on the embedded log and on Kafka.
 */
import { setMaxListeners } from 'node:events';
import type { EventLog, Fact } from '../core/index.js';
import type { Jitter } from './backoff.js';
import { sleep, type Clock } from './clock.js';
import { CommitTracker } from './commit-tracker.js';
import { DeadLetterWriter } from './dead-letter.js';
import type { DeliverLogger, DeliverMetrics } from './deliver-metrics.js';
import { prepareFact } from './delivery-item.js';
import { DeliveryPump } from './delivery-pump.js';
import { FactReader } from './fact-reader.js';
import { routeGroup, type DispatchRoute, type PartitionStatus, type RouteState, type RouteStatus } from './types.js';

export type StartPosition = 'earliest' | 'latest';

export interface RouteDispatcherOptions {
  readonly log: EventLog;
  readonly clock: Clock;
  readonly random: () => number;
  readonly metrics: DeliverMetrics;
  readonly logger: DeliverLogger;
  /** Where a route without committed offsets starts (default `earliest`: a new route sees the whole log). */
  readonly start: StartPosition;
  readonly commitIntervalMs: number;
  readonly readPageSize: number;
  /** Bound on events read and not done; default max(10 × concurrency × batch events, readPageSize × partitions), at most 100 000. */
  readonly maxBufferedEvents: number | undefined;
  readonly idleWaitMs: number;
  /** How long stop() lets sends in flight finish; default the route's timeout (at most 30 s). */
  readonly drainTimeoutMs: number | undefined;
  readonly jitter: Jitter;
  readonly retryAfterCapMs: number;
  /** Called once when the target says it is gone and the route disables itself. */
  readonly onDisabled?: (routeId: string, reason: string) => void;
}

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly tracker: CommitTracker;
  readonly reader: FactReader;
  /** Next offset known durable in the group (or equivalent: the start of a fresh route). */
  committedPos: number;
  committed: number | null;
}

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class RouteDispatcher {
  readonly group: string;
  private stateNow: RouteState = 'starting';
  private disabledReason: string | undefined;
  private readonly parts = new Map<string, PartitionState>();
  private readonly readStop = new AbortController();
  private readonly sendStop = new AbortController();
  private readonly pump: DeliveryPump;
  private maxBuffered: number;
  private buffered = 0;
  /** Room claimed by readers with a read in progress. */
  private claimed = 0;
  private skipped = 0;
  private roomWaiters: Array<() => void> = [];
  private readers: Promise<void>[] = [];
  private cancelCommitTimer: (() => void) | undefined;
  private committing: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private crashed = false;

  constructor(
    readonly route: DispatchRoute,
    private readonly opts: RouteDispatcherOptions,
  ) {
    this.group = routeGroup(route.id);
    // Every send in flight (up to `concurrency`) and every partition's reader listens on these
    // route-long signals and removes its listener when done: past 10, Node printed a false
    // "possible EventTarget memory leak" warning (seen in bench/route.ts at concurrency 16).
    setMaxListeners(0, this.readStop.signal, this.sendStop.signal);
    const d = route.delivery;
    const dlq = new DeadLetterWriter(opts.log, d.deadLetterTopic, opts.clock, opts.logger, this.sendStop.signal);
    this.pump = new DeliveryPump(route, {
      clock: opts.clock,
      random: opts.random,
      metrics: opts.metrics,
      logger: opts.logger,
      backoff: { jitter: opts.jitter, retryAfterCapMs: opts.retryAfterCapMs },
      dlq,
      sendSignal: this.sendStop.signal,
      complete: (fact) => this.complete(fact),
      disable: (reason) => this.disable(reason),
    });
    const perBatch = this.pump.batchLimits.maxEvents;
    this.maxBuffered = opts.maxBufferedEvents ?? Math.min(100_000, Math.max(opts.readPageSize, 10 * d.concurrency * perBatch));
  }

  get state(): RouteState {
    return this.stateNow;
  }

  /** Resolves once every partition has its start offset and its reader runs; rejects when the log cannot tell. */
  async start(): Promise<void> {
    const { log } = this.opts;
    if (!this.route.delivery.enabled) {
      this.stateNow = 'off';
      return;
    }
    // Fail at start, not at the first dead letter, when the DLQ topic cannot exist (Kafka without topic creation).
    await log.ensureTopic(this.route.delivery.deadLetterTopic);
    for (const topic of this.route.from) {
      const info = await log.ensureTopic(topic);
      const highs = this.opts.start === 'latest' ? new Map((await log.offsets(topic)).map((o) => [o.partition, o.high])) : undefined;
      for (let p = 0; p < info.partitions; p++) {
        const committed = await log.committed(this.group, topic, p);
        const startAt = committed ?? highs?.get(p) ?? 0;
        if (committed === null && highs !== undefined) {
          // Remember "latest" at once: a restart before the first commit must not skip what arrived since.
          await log.commit(this.group, topic, p, startAt);
        }
        this.parts.set(tpKey(topic, p), this.partitionState(topic, p, startAt, committed ?? (highs !== undefined ? startAt : null)));
      }
    }
    // Room for one page per partition at least, so readers of several partitions do not take turns.
    this.maxBuffered =
      this.opts.maxBufferedEvents ?? Math.min(100_000, Math.max(this.maxBuffered, this.opts.readPageSize * this.parts.size));
    if (this.stateNow !== 'starting') return; // stopped while starting
    this.stateNow = 'running';
    this.readers = [...this.parts.values()].map((ps) =>
      ps.reader.run().catch((e: unknown) =>
        this.opts.logger.error('fact reader ended', {
          route: this.route.id,
          topic: ps.topic,
          partition: ps.partition,
          error: (e as Error).message,
        }),
      ),
    );
    this.scheduleCommit();
    this.opts.logger.info('route started', { route: this.route.id, group: this.group, partitions: this.parts.size });
  }

  /**
   * Graceful stop: reading ends, queued and backing-off events are abandoned (uncommitted, so the
   * next start redelivers them), sends in flight may finish for `drainTimeoutMs`, then what
   * completed is committed. The target is not closed here (see Dispatcher).
   */
  stop(): Promise<void> {
    this.stopping ??= this.halt(this.stateNow === 'disabled' ? 'disabled' : 'stopped');
    return this.stopping;
  }

  /** Abandons everything at once, as a crashed process would: nothing more is sent or committed. */
  crashForTesting(): void {
    this.crashed = true;
    this.stateNow = 'stopped';
    this.stopping ??= Promise.resolve();
    this.readStop.abort();
    this.sendStop.abort();
    this.pump.halt();
    this.cancelCommitTimer?.();
  }

  async status(): Promise<RouteStatus> {
    const highs = new Map<string, number>();
    for (const topic of new Set([...this.parts.values()].map((p) => p.topic))) {
      try {
        for (const o of await this.opts.log.offsets(topic)) highs.set(tpKey(topic, o.partition), o.high);
      } catch {
        // The log is down: lag is unknown, the rest still tells something.
      }
    }
    const partitions: PartitionStatus[] = [...this.parts.values()].map((p) => {
      const high = highs.get(tpKey(p.topic, p.partition)) ?? null;
      return {
        topic: p.topic,
        partition: p.partition,
        next: p.reader.next,
        committed: p.committed,
        high,
        lag: high === null ? null : Math.max(0, high - (p.committed ?? 0)),
      };
    });
    return {
      id: this.route.id,
      group: this.group,
      state: this.stateNow,
      ...(this.disabledReason === undefined ? {} : { disabledReason: this.disabledReason }),
      partitions,
      buffered: this.buffered,
      inFlight: this.pump.inFlight,
      ...this.pump.counters,
      skipped: this.skipped,
    };
  }

  private partitionState(topic: string, partition: number, start: number, committed: number | null): PartitionState {
    const o = this.opts;
    const reader = new FactReader(topic, partition, start, {
      log: o.log,
      clock: o.clock,
      logger: o.logger,
      signal: this.readStop.signal,
      pageSize: o.readPageSize,
      idleWaitMs: o.idleWaitMs,
      claim: (want) => {
        const n = Math.max(0, Math.min(want, this.maxBuffered - this.buffered - this.claimed));
        this.claimed += n;
        return n;
      },
      unclaim: (n) => {
        this.claimed -= n;
        this.wakeReaders();
      },
      waitForRoom: (signal) => this.waitForRoom(signal),
      onFacts: (facts) => this.intake(facts),
    });
    return { topic, partition, tracker: new CommitTracker(start), reader, committedPos: start, committed };
  }

  private intake(facts: readonly Fact[]): void {
    for (const fact of facts) {
      const ps = this.parts.get(tpKey(fact.topic, fact.partition));
      if (ps === undefined) continue;
      ps.tracker.track(fact.offset);
      this.buffered++;
      const prepared = prepareFact(fact, this.route);
      if (prepared.kind === 'deliver') this.pump.enqueue(prepared.item);
      else if (prepared.kind === 'dead-letter') this.pump.deadLetter(fact, prepared.error, 0);
      else {
        if (prepared.filterError !== undefined) {
          this.opts.logger.warn('route filter failed on an event; treated as no match', {
            route: this.route.id,
            fact: `${fact.topic}/${fact.partition}/${fact.offset}`,
            error: prepared.filterError,
          });
        }
        this.skipped++;
        this.complete(fact);
      }
    }
  }

  private complete(fact: Fact): void {
    const ps = this.parts.get(tpKey(fact.topic, fact.partition));
    if (ps === undefined) return;
    ps.tracker.complete(fact.offset);
    this.buffered--;
    this.wakeReaders();
  }

  /**
   * When a reader waiting for room may go on: a quarter of the buffer (at most a page) is free.
   * Found by bench/route.ts: waking on "any room", a full buffer woke the readers on every
   * completed event and each read one fact, so a backlog cost a log query per event.
   */
  private hasRoom(): boolean {
    const lowWater = Math.max(1, Math.min(this.opts.readPageSize, Math.floor(this.maxBuffered / 4)));
    return this.maxBuffered - this.buffered - this.claimed >= lowWater;
  }

  private wakeReaders(): void {
    if (this.roomWaiters.length > 0 && this.hasRoom()) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const w of waiters) w();
    }
  }

  private waitForRoom(signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.roomWaiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private disable(reason: string): void {
    if (this.stateNow === 'disabled') return;
    this.disabledReason = reason;
    this.opts.logger.error('target is gone: route disabled until the rules are reloaded', {
      route: this.route.id,
      target: this.route.targetKind,
      reason,
    });
    this.stateNow = 'disabled';
    this.opts.onDisabled?.(this.route.id, reason);
    void this.stop();
  }

  private async halt(finalState: RouteState): Promise<void> {
    if (this.stateNow !== 'disabled') this.stateNow = 'stopping';
    this.readStop.abort();
    this.pump.halt();
    this.cancelCommitTimer?.();
    const limit = this.opts.drainTimeoutMs ?? Math.min(30_000, this.route.delivery.timeoutMs);
    const drained = new AbortController();
    await Promise.race([this.pump.idle().then(() => drained.abort()), sleep(this.opts.clock, limit, drained.signal)]);
    drained.abort();
    this.sendStop.abort();
    await Promise.allSettled(this.readers);
    await this.commitAll();
    this.stateNow = finalState;
    this.opts.logger.info('route stopped', { route: this.route.id, state: finalState });
  }

  private scheduleCommit(): void {
    this.cancelCommitTimer = this.opts.clock.setTimer(() => {
      void this.commitAll().finally(() => {
        if (!this.readStop.signal.aborted) this.scheduleCommit();
      });
    }, this.opts.commitIntervalMs);
  }

  /** Commits every partition whose committable offset moved; failures wait for the next round. */
  private async commitAll(): Promise<void> {
    while (this.committing !== undefined) await this.committing;
    if (this.crashed) return;
    this.committing = (async () => {
      await Promise.all(
        [...this.parts.values()].map(async (ps) => {
          const next = ps.tracker.committable();
          if (next <= ps.committedPos) return;
          try {
            await this.opts.log.commit(this.group, ps.topic, ps.partition, next);
            ps.committedPos = Math.max(ps.committedPos, next);
            ps.committed = ps.committedPos;
          } catch (e) {
            this.opts.logger.warn('commit failed; will retry', {
              route: this.route.id,
              topic: ps.topic,
              partition: ps.partition,
              offset: next,
              error: (e as Error).message,
            });
          }
        }),
      );
    })();
    try {
      await this.committing;
    } finally {
      this.committing = undefined;
    }
  }
}
