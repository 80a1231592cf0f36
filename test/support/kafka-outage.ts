/**
 * Helpers of test/integration/kafka-outage.test.ts (its private broker comes from kafkaSh in ./kafka.ts):
 * clients that post continuously and retry 503s with the same event (as the docs tell clients to), and an
 * independent count of what reached the topic.
 */
import { bidData, bidEvent } from './events.js';
import { TopicReader } from './kafka-records.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One HTTP exchange as the client saw it. */
export interface Exchange {
  readonly id: string;
  readonly started: number;
  readonly ended: number;
  readonly status: number; // 0: no HTTP answer (connection refused or reset)
  readonly code?: string;
  readonly retryAfter: string | null;
  readonly error?: string;
}

/**
 * Clients that post single structured events until stopped. A 503 is retried with the SAME event
 * (same source+id), as docs tell clients to; a 202 moves on to a new event. Retries keep going
 * after `stop()` until each pending id is acknowledged or `retryUntil` passes.
 */
export class Posters {
  readonly log: Exchange[] = [];
  readonly acked = new Set<string>();
  /** Ids that got at least one 503 (their first attempt's outcome is unknown). */
  readonly retried = new Set<string>();
  readonly sent = new Set<string>();
  private stopping = false;
  private retryUntil = 0;
  private readonly workers: Promise<void>[];
  private n = 0;

  constructor(
    private readonly url: string,
    clients: number,
    private readonly pauseAfter503Ms: number,
  ) {
    this.workers = Array.from({ length: clients }, () => this.worker());
  }

  private next(): Record<string, unknown> {
    const ev = bidEvent({}, bidData({ itemId: `item-${this.n++ % 7}` }));
    this.sent.add(ev.id as string);
    return ev;
  }

  private async worker(): Promise<void> {
    let ev = this.next();
    for (;;) {
      const id = ev.id as string;
      const started = Date.now();
      let ex: Exchange;
      try {
        const res = await fetch(`${this.url}/events`, {
          method: 'POST',
          body: JSON.stringify(ev),
          headers: { 'content-type': 'application/cloudevents+json' },
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json().catch(() => ({}))) as { code?: string };
        ex = { id, started, ended: Date.now(), status: res.status, code: body.code, retryAfter: res.headers.get('retry-after') };
      } catch (e) {
        ex = { id, started, ended: Date.now(), status: 0, retryAfter: null, error: String((e as Error).cause ?? e) };
      }
      this.log.push(ex);
      if (ex.status === 202) {
        this.acked.add(id);
        if (this.stopping) return;
        ev = this.next();
      } else {
        this.retried.add(id);
        if (this.stopping && Date.now() > this.retryUntil) return;
        await sleep(this.pauseAfter503Ms);
      }
    }
  }

  async stop(retryForMs: number): Promise<void> {
    this.retryUntil = Date.now() + retryForMs;
    this.stopping = true;
    await Promise.all(this.workers);
  }

  /** For failure messages: answers by status and code, and the last few exchanges. */
  summary(): string {
    const by = new Map<string, number>();
    for (const x of this.log) by.set(`${x.status} ${x.code ?? x.error ?? ''}`, (by.get(`${x.status} ${x.code ?? x.error ?? ''}`) ?? 0) + 1);
    return `answers: ${JSON.stringify(Object.fromEntries(by))}; last: ${JSON.stringify(this.log.slice(-4))}`;
  }

  /** Resolves once `pred` holds, polling; rejects after `ms`. */
  async until(pred: () => boolean, ms: number, what: string): Promise<number> {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await sleep(50);
    }
    return Date.now() - t0;
  }
}

export async function readyz(url: string): Promise<{ status: number; body: any; ms: number }> {
  const t0 = Date.now();
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: await res.json(), ms: Date.now() - t0 };
}

/** Reads the topic with an independent consumer until every id in `want` was seen; returns the count per ce_id. */
export async function countsInTopic(brokers: string[], topic: string, want: ReadonlySet<string>): Promise<Map<string, number>> {
  const reader = await TopicReader.start(brokers, [topic]);
  try {
    const seen = () => new Set(reader.records.map((r) => r.headers.ce_id?.[0]?.toString('utf8')));
    await reader
      .until(
        () => {
          const s = seen();
          return [...want].every((id) => s.has(id));
        },
        30_000,
        `${want.size} acknowledged ids`,
      )
      .catch(() => undefined); // the assertions below name what is missing
    await sleep(1_000); // let stragglers (duplicates) arrive too
    const counts = new Map<string, number>();
    for (const r of reader.records) {
      const id = r.headers.ce_id?.[0]?.toString('utf8') ?? '';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  } finally {
    await reader.stop();
  }
}
