/**
 * One partition's reader loop: reads pages from the route's next offset, hands them over, and
 * waits for the log to grow when caught up (`waitFor`: no hot polling). It pauses while the
 * route's buffer is full (backpressure: a slow target must not pull the whole log into memory)
 * and outlives log outages (a failed read is retried after a pause, never fatal).
 */
import type { EventLog, Fact } from '../core/index.js';
import { sleep, type Clock } from './clock.js';
import type { DeliverLogger } from './deliver-metrics.js';

export interface FactReaderDeps {
  readonly log: EventLog;
  readonly clock: Clock;
  readonly logger: DeliverLogger;
  readonly signal: AbortSignal;
  readonly pageSize: number;
  /** How long one `waitFor` may park before looking again (a bound, not a poll interval). */
  readonly idleWaitMs: number;
  /** Reserves room for up to `want` events in the route's buffer; returns how many were granted (0: full). */
  claim(want: number): number;
  /** Gives back room claimed and not used. */
  unclaim(n: number): void;
  /** Resolves when `room()` may have become positive (or on abort). */
  waitForRoom(signal: AbortSignal): Promise<void>;
  onFacts(facts: readonly Fact[]): void;
}

export class FactReader {
  private nextOffset: number;

  constructor(
    readonly topic: string,
    readonly partition: number,
    start: number,
    private readonly deps: FactReaderDeps,
  ) {
    this.nextOffset = start;
  }

  /** The next offset this reader will ask for. */
  get next(): number {
    return this.nextOffset;
  }

  async run(): Promise<void> {
    const { log, signal, logger, clock } = this.deps;
    let errorDelay = 100;
    let wokeEmpty = false;
    while (!signal.aborted) {
      // Claimed before the read, so readers of several partitions cannot overshoot the bound together.
      const room = this.deps.claim(this.deps.pageSize);
      if (room <= 0) {
        await this.deps.waitForRoom(signal);
        continue;
      }
      let facts: Fact[];
      try {
        facts = await log.read(this.topic, this.partition, this.nextOffset, room);
        errorDelay = 100;
      } catch (e) {
        this.deps.unclaim(room);
        if (signal.aborted) break;
        logger.warn('reading facts failed; retrying', {
          topic: this.topic,
          partition: this.partition,
          offset: this.nextOffset,
          error: (e as Error).message,
        });
        await sleep(clock, errorDelay, signal);
        errorDelay = Math.min(5_000, errorDelay * 2);
        continue;
      }
      this.deps.unclaim(room);
      if (signal.aborted) break;
      if (facts.length > 0) {
        wokeEmpty = false;
        this.nextOffset = facts[facts.length - 1]!.offset + 1;
        this.deps.onFacts(facts);
        continue;
      }
      // The high watermark said "more" but the read found none (e.g. a Kafka log whose readers
      // lag its watermarks): pause briefly rather than spin.
      if (wokeEmpty) await sleep(clock, 50, signal);
      try {
        wokeEmpty = await log.waitFor(this.topic, this.partition, this.nextOffset, this.deps.idleWaitMs, signal);
      } catch (e) {
        if (signal.aborted) break;
        logger.warn('waiting for facts failed; retrying', { topic: this.topic, partition: this.partition, error: (e as Error).message });
        await sleep(clock, errorDelay, signal);
        errorDelay = Math.min(5_000, errorDelay * 2);
      }
    }
  }
}
