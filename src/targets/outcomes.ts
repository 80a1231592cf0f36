/**
 * Small helpers every target shares (DESIGN §6): outcome constructors, the wire names of the
 * idempotency key, and the ordering chains of a batch. Targets classify; they never wait or retry.
 */
import type { Delivery, ErrorCode, ItemOutcome, ItemProgress } from '../core/index.js';

/** The header (HTTP) or record header (Kafka) carrying `Delivery.idempotencyKey`. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export const DELIVERED: ItemOutcome = Object.freeze({ status: 'delivered' });

export const retry = (code: ErrorCode, message: string, retryAfterMs?: number): ItemOutcome =>
  retryAfterMs === undefined ? { status: 'retry', code, message } : { status: 'retry', code, message, retryAfterMs };

export const reject = (code: ErrorCode, message: string): ItemOutcome => ({ status: 'reject', code, message });

export const timedOut = (what: string): ItemOutcome =>
  retry('CW_TARGET_TIMEOUT', `${what}: aborted before the target answered (timeout or shutdown)`);

export const closedOutcome = (kind: string): ItemOutcome => retry('CW_TARGET_UNAVAILABLE', `${kind} target is closed`);

/** Size check every target applies before sending (the engine should have caught it already). */
export function tooLarge(d: Delivery, maxEventBytes: number, kind: string): ItemOutcome | undefined {
  return d.bytes > maxEventBytes
    ? reject('CW_TARGET_PAYLOAD_TOO_LARGE', `event of ${d.bytes} bytes exceeds the ${kind} target's limit of ${maxEventBytes} bytes`)
    : undefined;
}

/**
 * The indexes of a batch grouped into chains that must be sent in order (Delivery.orderingKey,
 * else the record key; a null key is a chain of its own). Chains keep batch order.
 */
export function orderingChains(batch: readonly Delivery[]): number[][] {
  const chains = new Map<string, number[]>();
  const out: number[][] = [];
  batch.forEach((d, i) => {
    const key = d.orderingKey ?? (d.fact.key === null ? undefined : Buffer.from(d.fact.key).toString('hex'));
    if (key === undefined) {
      out.push([i]);
      return;
    }
    let chain = chains.get(key);
    if (chain === undefined) {
      chain = [];
      chains.set(key, chain);
      out.push(chain);
    }
    chain.push(i);
  });
  return out;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A message safe to put in an outcome or a log line: printable, at most `max` characters. */
export function printable(text: string, max = 300): string {
  const clean = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * `settle(i, o)` for a send: records item i's outcome in `items` and reports it to the engine at
 * once (ItemProgress), so a slow item holds up only its own key. The engine's callback failing
 * must not turn into a thrown send (Target contract).
 */
export function settler(items: Array<ItemOutcome | undefined>, progress: ItemProgress | undefined): (i: number, o: ItemOutcome) => void {
  return (i, o) => {
    items[i] = o;
    try {
      progress?.(i, o);
    } catch {
      // ignored, see above
    }
  };
}
