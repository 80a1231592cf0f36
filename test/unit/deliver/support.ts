/** Helpers of the delivery engine tests: a fake clock, a scripted Target, facts and routes. */
import type { BatchOutcome, Delivery, ItemOutcome, ItemProgress, LogRecord, Target, TargetLimits } from '../../../src/core/index.js';
import { encodeKafkaBinary } from '../../../src/codec/index.js';
import type { Clock, DeliveryPolicy, DispatchRoute } from '../../../src/deliver/index.js';

export const enc = new TextEncoder();
export const text = (b: Uint8Array | null | undefined): string => (b == null ? '' : Buffer.from(b).toString('utf8'));

/** Lets promise chains (and setImmediate callbacks) run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A manual clock: timers fire only from advance(), in time order, with promise chains settled between. */
export class FakeClock implements Clock {
  private t = 1_700_000_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const id = this.seq++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return () => this.timers.delete(id);
  }

  get pending(): number {
    return this.timers.size;
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
      await settle();
    }
    this.t = end;
    await settle();
  }

  /** Advances in steps until `cond` holds (or `maxMs` passed). */
  async until(cond: () => boolean, maxMs = 600_000, step = 10): Promise<void> {
    for (let waited = 0; !cond(); waited += step) {
      if (waited >= maxMs) throw new Error(`condition not met within ${maxMs} fake ms`);
      await this.advance(step);
    }
  }
}

export interface SentCall {
  readonly at: number;
  readonly deliveries: readonly Delivery[];
}

export type Behaviour = (d: Delivery, call: number) => ItemOutcome | Promise<ItemOutcome>;

/** A Target whose answers are scripted per delivery; records every call. */
export class ScriptedTarget implements Target {
  readonly calls: SentCall[] = [];
  readonly delivered: Delivery[] = [];
  inFlight = 0;
  maxInFlight = 0;
  closed = false;
  disable: ((batch: readonly Delivery[]) => string | undefined) | undefined;

  constructor(
    private readonly now: () => number,
    public behaviour: Behaviour = () => ({ status: 'delivered' }),
    readonly limits: TargetLimits = { maxBatchEvents: 1000, maxBatchBytes: 10_000_000, maxEventBytes: 1_000_000 },
  ) {}

  /**
   * true: items complete independently and are reported as they finish (ItemProgress), like the
   * http target's one request per event; false: the batch is one call, like a Lambda invocation.
   */
  progressive = true;

  async send(batch: readonly Delivery[], _signal: AbortSignal, progress?: ItemProgress): Promise<BatchOutcome> {
    const call = this.calls.length;
    this.calls.push({ at: this.now(), deliveries: batch });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const items = await Promise.all(
        batch.map(async (d, i) => {
          const o = await this.behaviour(d, call);
          if (o.status === 'delivered') this.delivered.push(d);
          if (this.progressive) progress?.(i, o);
          return o;
        }),
      );
      const reason = this.disable?.(batch);
      return reason === undefined ? { items } : { items, disableRoute: { reason } };
    } finally {
      this.inFlight--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Ids of delivered events, in the order the target finished them. */
  ids(): string[] {
    return this.delivered.map((d) => String(d.event.attributes.id));
  }

  /** Every attempt of an event id, in order. */
  attemptsOf(id: string): SentCall[] {
    return this.calls.filter((c) => c.deliveries.some((d) => d.event.attributes.id === id));
  }
}

/** A binary-mode fact record like the accept side writes (DESIGN §3). */
export function factRecord(
  id: string,
  opts: { key?: string | null; type?: string; data?: string; headers?: Record<string, string>; partition?: number } = {},
): LogRecord {
  const ev = {
    attributes: { specversion: '1.0', id, source: '/test', type: opts.type ?? 'com.example.test', datacontenttype: 'application/json' },
    data: enc.encode(opts.data ?? JSON.stringify({ id })),
  };
  const key = opts.key === undefined || opts.key === null ? null : enc.encode(opts.key);
  const m = encodeKafkaBinary(ev, key);
  return {
    key: m.key,
    value: m.value,
    headers: { ...m.headers, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', ...opts.headers },
    ...(opts.partition === undefined ? {} : { partition: opts.partition }),
  };
}

export function policy(over: Partial<DeliveryPolicy> = {}): DeliveryPolicy {
  return {
    ordering: 'key',
    concurrency: 4,
    batch: { maxEvents: 10, maxBytes: 1_000_000, maxWaitMs: 0 },
    retry: 3,
    backoffPolicy: 'exponential',
    backoffDelayMs: 100,
    backoffMaxMs: 10_000,
    timeoutMs: 5_000,
    deadLetterTopic: 'dlq.r',
    maxHops: 5,
    enabled: true,
    ...over,
  };
}

export function route(
  target: Target,
  over: Partial<Omit<DispatchRoute, 'delivery'>> & { delivery?: Partial<DeliveryPolicy> } = {},
): DispatchRoute {
  const { delivery, ...rest } = over;
  return {
    id: 'r',
    from: ['facts'],
    matches: () => true,
    target,
    targetKind: 'scripted',
    ...rest,
    delivery: policy(delivery),
  };
}
