/**
 * Dead letters are facts too (DESIGN §6): the DLQ record is the whole original record — its key,
 * its value (the data bytes) and every original header, so in Kafka binary mode it IS the
 * original event — plus `causewayerror*` headers saying what went wrong, where and when.
 * A fact is completed (and may be committed) only once its dead letter is durable; a failing
 * append is retried, never dropped (DESIGN §10.10).
 */
import type { EventLog, Fact, LogRecord } from '../core/index.js';
import { sleep, type Clock } from './clock.js';
import type { DeliverLogger } from './deliver-metrics.js';

export const DLQ_HEADERS = {
  code: 'causewayerrorcode',
  message: 'causewayerrormessage',
  target: 'causewayerrortarget',
  attempts: 'causewayerrorattempts',
  topic: 'causewayerrortopic',
  partition: 'causewayerrorpartition',
  offset: 'causewayerroroffset',
  route: 'causewayerrorroute',
  time: 'causewayerrortime',
} as const;

/** Long target answers stay readable in a header without bloating the DLQ record. */
const MAX_MESSAGE = 2048;

export interface DeadLetterContext {
  readonly code: string;
  readonly message: string;
  readonly route: string;
  readonly target: string;
  readonly attempts: number;
  readonly time: number;
}

export function deadLetterRecord(fact: Fact, ctx: DeadLetterContext): LogRecord {
  const message = ctx.message.length > MAX_MESSAGE ? `${ctx.message.slice(0, MAX_MESSAGE - 1)}…` : ctx.message;
  return {
    key: fact.key,
    value: fact.value,
    headers: {
      ...fact.headers,
      [DLQ_HEADERS.code]: ctx.code,
      [DLQ_HEADERS.message]: message,
      [DLQ_HEADERS.target]: ctx.target,
      [DLQ_HEADERS.attempts]: String(ctx.attempts),
      [DLQ_HEADERS.topic]: fact.topic,
      [DLQ_HEADERS.partition]: String(fact.partition),
      [DLQ_HEADERS.offset]: String(fact.offset),
      [DLQ_HEADERS.route]: ctx.route,
      [DLQ_HEADERS.time]: new Date(ctx.time).toISOString(),
    },
  };
}

interface PendingLetter {
  readonly record: LogRecord;
  resolve(): void;
  reject(e: Error): void;
}

/** Appends dead letters to one topic, coalescing those of the same moment into one append. */
export class DeadLetterWriter {
  private pending: PendingLetter[] = [];
  private flushing = false;

  constructor(
    private readonly log: EventLog,
    private readonly topic: string,
    private readonly clock: Clock,
    private readonly logger: DeliverLogger,
    private readonly signal: AbortSignal,
    private readonly maxRetryDelayMs = 5_000,
  ) {
    signal.addEventListener('abort', () => this.abandon(), { once: true });
  }

  /** Resolves once the record is durable; rejects only when the route stops first. */
  write(record: LogRecord): Promise<void> {
    if (this.signal.aborted) return Promise.reject(new Error('route stopped'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ record, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    let delay = 100;
    while (this.pending.length > 0 && !this.signal.aborted) {
      const batch = this.pending.slice(0, 500);
      try {
        await this.log.append(
          this.topic,
          batch.map((p) => p.record),
        );
      } catch (e) {
        this.logger.warn('dead letter append failed; retrying', { topic: this.topic, error: (e as Error).message, records: batch.length });
        await sleep(this.clock, delay, this.signal);
        delay = Math.min(this.maxRetryDelayMs, delay * 2);
        continue;
      }
      delay = 100;
      // abandon() may have emptied the list meanwhile; only settle what is still ours.
      const done = new Set(batch);
      this.pending = this.pending.filter((p) => !done.has(p));
      for (const p of batch) p.resolve();
    }
    this.flushing = false;
  }

  private abandon(): void {
    const left = this.pending;
    this.pending = [];
    for (const p of left) p.reject(new Error('route stopped before the dead letter was written'));
  }
}
