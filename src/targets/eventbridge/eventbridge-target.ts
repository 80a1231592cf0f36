/**
 * The `eventbridge` target: PutEvents to an event bus through @aws-sdk/client-eventbridge (issue
 * #5). Credentials come from the SDK's default provider chain only (environment, shared files,
 * container or instance roles), never from route files. The SDK makes one attempt (`maxAttempts:
 * 1`): the delivery engine does the waiting and retrying (DESIGN §6).
 *
 * A batch becomes PutEvents calls of at most `maxEntriesPerCall` entries and `maxRequestBytes`
 * (entry sizes counted as AWS counts them), sent one after another in batch order. The answer is
 * read entry by entry (partial failures); a call refused as invalid as a whole is retried entry by
 * entry so one bad entry does not take its neighbours to the dead letter topic. EventBridge keeps
 * no order between events, but the target still does not send an event after an earlier one with
 * the same ordering key got `retry` in an earlier call of the batch (Delivery.orderingKey).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { BatchOutcome, Delivery, ErrorCode, ItemOutcome, ItemProgress, Target, TargetLimits, TargetPlugin } from '../../core/index.js';
import { awsClientConfig } from '../aws-client.js';
import { InFlight } from '../in-flight.js';
import { closedOutcome, orderingChains, retry, settler, timedOut, tooLarge } from '../outcomes.js';
import { chunkEntries } from './chunk-entries.js';
import {
  eventbridgeConfigSchema,
  resolveEventBridgeConfig,
  type EventBridgeTargetConfig,
  type ResolvedEventBridgeConfig,
} from './eventbridge-config.js';
import { entryOutcome, requestFailure } from './eventbridge-errors.js';
import { putEventsEntry, type PutEventsEntry } from './put-events-entry.js';

/** close() lets in-flight calls finish for this long, then destroys the client's sockets. */
const CLOSE_GRACE_MS = 5_000;
/** Keep-alive sockets to the endpoint (the SDK's own default); route concurrency bounds what is used. */
const MAX_SOCKETS = 50;

interface CallResult {
  readonly items: readonly ItemOutcome[];
  /** A whole-call retriable failure the rest of the batch would meet too: it is not sent. */
  readonly stop?: ItemOutcome;
}

const notSent = (o: ItemOutcome, why: string): ItemOutcome =>
  o.status === 'retry' ? retry(o.code as ErrorCode, `not sent: ${why} (${o.message})`, o.retryAfterMs) : o;

export class EventBridgeTarget implements Target {
  readonly limits: TargetLimits;
  private readonly client: EventBridgeClient;
  private readonly inFlight = new InFlight();
  private closing: Promise<void> | undefined;
  /** After throttling nothing is sent before this time (ms): the next call would be throttled too. */
  private holdUntil = 0;

  constructor(private readonly cfg: ResolvedEventBridgeConfig) {
    this.limits = cfg.limits;
    this.client = new EventBridgeClient(awsClientConfig({ region: cfg.region, endpoint: cfg.endpoint, maxSockets: MAX_SOCKETS }));
  }

  async send(batch: readonly Delivery[], outer: AbortSignal, progress?: ItemProgress): Promise<BatchOutcome> {
    if (this.closing !== undefined) return { items: batch.map(() => closedOutcome('eventbridge')) };
    return this.inFlight.run(outer, (signal) => this.sendAll(batch, signal, progress));
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      await this.inFlight.settle(CLOSE_GRACE_MS);
      this.client.destroy(); // destroys the agents: every socket to the endpoint is closed
    })();
    return this.closing;
  }

  private async sendAll(batch: readonly Delivery[], signal: AbortSignal, progress: ItemProgress | undefined): Promise<BatchOutcome> {
    const items: Array<ItemOutcome | undefined> = new Array<ItemOutcome | undefined>(batch.length);
    const settle = settler(items, progress);
    const mapped: Array<{ readonly i: number; readonly entry: PutEventsEntry; readonly size: number }> = [];
    batch.forEach((d, i) => {
      const big = tooLarge(d, this.cfg.maxEntryBytes, 'eventbridge');
      if (big !== undefined) return settle(i, big);
      const m = putEventsEntry(d, this.cfg);
      if (m.ok) mapped.push({ i, entry: m.entry, size: m.size });
      else settle(i, m.outcome);
    });

    const chainOf = new Map<number, number>();
    orderingChains(batch).forEach((chain, c) => chain.forEach((i) => chainOf.set(i, c)));
    const blocked = new Map<number, ItemOutcome>();
    let stop: ItemOutcome | undefined;

    for (const chunk of chunkEntries(
      mapped.map((m) => m.size),
      this.cfg.maxEntriesPerCall,
      this.cfg.maxRequestBytes,
    )) {
      const todo: typeof mapped = [];
      for (const k of chunk) {
        const m = mapped[k]!;
        const before = stop ?? this.preflight(signal) ?? blocked.get(chainOf.get(m.i) ?? -1);
        if (before !== undefined) settle(m.i, before);
        else todo.push(m);
      }
      if (todo.length === 0) continue;
      const r = await this.call(
        todo.map((m) => m.entry),
        signal,
      );
      todo.forEach((m, j) => {
        const o = r.items[j]!;
        settle(m.i, o);
        const chain = chainOf.get(m.i);
        // Later events of the chain must not overtake this one (DESIGN §6 ordering).
        if (o.status === 'retry' && chain !== undefined && !blocked.has(chain)) {
          blocked.set(chain, notSent(o, 'an earlier event with the same ordering key failed'));
        }
      });
      if (r.stop !== undefined) stop = notSent(r.stop, 'an earlier PutEvents call of this batch failed');
    }
    return { items: items as ItemOutcome[] };
  }

  /** Why nothing more may be sent right now, if anything. */
  private preflight(signal: AbortSignal): ItemOutcome | undefined {
    if (this.closing !== undefined) return closedOutcome('eventbridge');
    if (signal.aborted) return timedOut('eventbridge PutEvents');
    const left = this.holdUntil - Date.now();
    return left > 0
      ? retry('CW_TARGET_THROTTLED', `not sent: EventBridge throttled an earlier call; waiting ${left} ms more`, left)
      : undefined;
  }

  private hold(o: ItemOutcome): void {
    if (o.status === 'retry' && o.code === 'CW_TARGET_THROTTLED' && (o.retryAfterMs ?? 0) > 0) {
      this.holdUntil = Math.max(this.holdUntil, Date.now() + (o.retryAfterMs ?? 0));
    }
  }

  /** One PutEvents call; a call refused as invalid as a whole is tried again entry by entry. */
  private async call(entries: readonly PutEventsEntry[], signal: AbortSignal): Promise<CallResult> {
    const throttleMs = this.cfg.throttleRetryAfterMs;
    try {
      const out = await this.client.send(new PutEventsCommand({ Entries: [...entries] }), { abortSignal: signal });
      const items = entries.map((_, j) => entryOutcome(out.Entries?.[j], throttleMs));
      for (const o of items) this.hold(o);
      return { items };
    } catch (e) {
      const f = requestFailure(e, signal.aborted, throttleMs);
      this.hold(f.outcome);
      if (f.validation && entries.length > 1) return this.oneByOne(entries, signal);
      return f.outcome.status === 'retry'
        ? { items: entries.map(() => f.outcome), stop: f.outcome }
        : { items: entries.map(() => f.outcome) };
    }
  }

  private async oneByOne(entries: readonly PutEventsEntry[], signal: AbortSignal): Promise<CallResult> {
    const items: ItemOutcome[] = [];
    let stop: ItemOutcome | undefined;
    for (const entry of entries) {
      const before = stop ?? this.preflight(signal);
      if (before !== undefined) {
        items.push(before);
        continue;
      }
      const r = await this.call([entry], signal);
      items.push(r.items[0]!);
      if (r.stop !== undefined) stop = notSent(r.stop, 'an earlier PutEvents call of this batch failed');
    }
    return stop === undefined ? { items } : { items, stop };
  }
}

export const eventbridgeTarget: TargetPlugin<EventBridgeTargetConfig> = {
  kind: 'eventbridge',
  configSchema: eventbridgeConfigSchema,
  create: (config) => new EventBridgeTarget(resolveEventBridgeConfig(config)),
};
