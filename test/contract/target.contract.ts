/**
 * The Target contract (DESIGN §6): every delivery target plug-in — http, kafka, and those to come
 * — passes these tests unchanged, each against its real far end (a local HTTP server, the Kafka
 * broker). A harness may leave out a fault its far end cannot be made to produce; it says so in
 * its own file.
 *
 * Lifecycle: `create()` is called once for the shared instance (beforeAll; the suite calls the
 * harness's `close()` in afterAll) and once more for the close() test. Read `harness.target`
 * again after `fault()`: a harness may swap in a target configured to meet the fault (a Kafka
 * target pointed at a dead port) when the real far end cannot fail in place.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES, type BatchOutcome, type ErrorCode, type Target } from '../../src/core/index.js';
import { expectReceived, idOf, sleep, variedBatch, type ReceivedEvent } from './target-helpers.js';

export type { ReceivedEvent } from './target-helpers.js';
export type TargetFault = 'none' | 'unavailable' | 'throttle' | 'reject' | 'slow';

export interface TargetHarness {
  readonly target: Target;
  /** Every event that reached the far end so far (whatever it answered), decoded. */
  received(): Promise<ReceivedEvent[]>;
  /** Makes the far end misbehave from now on ('none' heals it). */
  fault(kind: TargetFault): void | Promise<void>;
  /** Connections the target holds to the far end; 0 after close(). */
  openConnections(): Promise<number>;
  /** Releases the harness (sink, consumer, swapped-in targets). */
  close(): Promise<void>;
}

export interface TargetFactory {
  create(): Promise<TargetHarness>;
}

export interface TargetContractOptions {
  /** The faults the far end can produce (default: all four). */
  readonly faults?: readonly Exclude<TargetFault, 'none'>[];
  /** How long the far end may take to show a delivery (a Kafka consumer needs a moment). */
  readonly receiveTimeoutMs?: number;
}

const TEST_TIMEOUT = 60_000;
/** How long after the abort a send may take to return. */
const ABORT_BOUND_MS = 1_500;
/** The slow fault's abort comes after this. */
const ABORT_AFTER_MS = 300;

const retriable = (code: string): boolean => ERROR_CODES[code as ErrorCode]?.retriable === true;

export function targetContract(name: string, factory: TargetFactory, opts: TargetContractOptions = {}): void {
  const faults = opts.faults ?? ['unavailable', 'throttle', 'reject', 'slow'];
  const receiveTimeout = opts.receiveTimeoutMs ?? 10_000;

  describe(`Target contract: ${name}`, () => {
    let h: TargetHarness;
    beforeAll(async () => {
      h = await factory.create();
    }, TEST_TIMEOUT);
    afterAll(async () => {
      await h?.close();
    }, TEST_TIMEOUT);

    const arrived = async (ids: readonly string[]): Promise<Map<string, ReceivedEvent>> => {
      let byId = new Map<string, ReceivedEvent>();
      await vi.waitFor(
        async () => {
          byId = new Map((await h.received()).map((r) => [idOf(r), r]));
          expect(ids.filter((id) => !byId.has(id))).toEqual([]);
        },
        { timeout: receiveTimeout, interval: 100 },
      );
      return byId;
    };

    const expectAllDelivered = async (): Promise<void> => {
      const batch = variedBatch(3);
      const out = await h.target.send(batch, AbortSignal.timeout(20_000));
      expect(out.items.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
      await arrived(batch.map((d) => String(d.event.attributes['id'])));
    };

    it(
      'delivers a batch: one outcome per item, in order; the far end gets every event intact with lineage and idempotency key',
      async () => {
        const batch = variedBatch(8);
        const reported: Array<[number, unknown]> = [];
        const out = await h.target.send(batch, AbortSignal.timeout(20_000), (i, o) => reported.push([i, o]));
        expect(out.items).toHaveLength(batch.length);
        // Progress is optional; what is reported is reported once per item and agrees with the result.
        expect(new Set(reported.map(([i]) => i)).size).toBe(reported.length);
        for (const [i, o] of reported) expect(o).toEqual(out.items[i]);
        expect(out.items).toEqual(batch.map(() => ({ status: 'delivered' })));
        expect(out.disableRoute).toBeUndefined();
        const byId = await arrived(batch.map((d) => String(d.event.attributes['id'])));
        for (const d of batch) expectReceived(byId.get(String(d.event.attributes['id']))!, d);
      },
      TEST_TIMEOUT,
    );

    it('an empty batch gives an empty outcome list', async () => {
      expect((await h.target.send([], AbortSignal.timeout(5_000))).items).toEqual([]);
    });

    it('declares usable limits', () => {
      const l = h.target.limits;
      for (const v of [l.maxBatchEvents, l.maxBatchBytes, l.maxEventBytes]) expect(Number.isInteger(v) && v > 0).toBe(true);
      expect(l.maxEventBytes).toBeLessThanOrEqual(l.maxBatchBytes);
    });

    it(
      'an event over maxEventBytes is rejected with CW_TARGET_PAYLOAD_TOO_LARGE and never sent; the rest are delivered',
      async () => {
        const [small, big] = variedBatch(2);
        const huge = { ...big!, bytes: h.target.limits.maxEventBytes + 1 };
        const out = await h.target.send([small!, huge], AbortSignal.timeout(20_000));
        expect(out.items[0]).toEqual({ status: 'delivered' });
        expect(out.items[1]).toMatchObject({ status: 'reject', code: 'CW_TARGET_PAYLOAD_TOO_LARGE' });
        await arrived([String(small!.event.attributes['id'])]);
        await sleep(300);
        expect((await h.received()).some((r) => idOf(r) === String(big!.event.attributes['id']))).toBe(false);
      },
      TEST_TIMEOUT,
    );

    it(
      'an already aborted signal: nothing is sent, every item is retry CW_TARGET_TIMEOUT, at once',
      async () => {
        const batch = variedBatch(3);
        const ac = new AbortController();
        ac.abort();
        const started = Date.now();
        const out = await h.target.send(batch, ac.signal);
        expect(Date.now() - started).toBeLessThan(ABORT_BOUND_MS);
        expect(out.items).toHaveLength(3);
        for (const o of out.items) expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_TIMEOUT' });
        await sleep(500);
        const ids = new Set(batch.map((d) => String(d.event.attributes['id'])));
        expect((await h.received()).filter((r) => ids.has(idOf(r)))).toEqual([]);
      },
      TEST_TIMEOUT,
    );

    describe('classifies failures of the far end', () => {
      const sendFaulty = async (kind: TargetFault, signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<BatchOutcome> => {
        await h.fault(kind);
        try {
          return await h.target.send(variedBatch(3), signal);
        } finally {
          await h.fault('none');
        }
      };

      if (faults.includes('unavailable'))
        it(
          'unavailable: every item retry with a retriable CW_TARGET_UNAVAILABLE; delivers again once healed',
          async () => {
            const out = await sendFaulty('unavailable');
            expect(out.items).toHaveLength(3);
            for (const o of out.items) {
              expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_UNAVAILABLE' });
              if (o.status === 'retry') expect(retriable(o.code)).toBe(true);
            }
            await expectAllDelivered();
          },
          TEST_TIMEOUT,
        );

      if (faults.includes('throttle'))
        it(
          'throttle: every item retry CW_TARGET_THROTTLED with retryAfterMs; delivers again after that wait',
          async () => {
            const out = await sendFaulty('throttle');
            expect(out.items).toHaveLength(3);
            let wait = 0;
            for (const o of out.items) {
              expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_THROTTLED' });
              if (o.status === 'retry') {
                expect(o.retryAfterMs).toBeGreaterThan(0);
                wait = Math.max(wait, o.retryAfterMs ?? 0);
              }
            }
            await sleep(wait + 50);
            await expectAllDelivered();
          },
          TEST_TIMEOUT,
        );

      if (faults.includes('reject'))
        it(
          'reject: every item reject with a non-retriable CW_TARGET_* code; delivers again once healed',
          async () => {
            const out = await sendFaulty('reject');
            expect(out.items).toHaveLength(3);
            for (const o of out.items) {
              expect(o.status).toBe('reject');
              if (o.status === 'reject') {
                expect(o.code).toMatch(/^CW_TARGET_/);
                expect(retriable(o.code)).toBe(false);
                expect(o.message.length).toBeGreaterThan(0);
              }
            }
            await expectAllDelivered();
          },
          TEST_TIMEOUT,
        );

      if (faults.includes('slow'))
        it(
          'slow far end + abort: returns soon after the abort with retry CW_TARGET_TIMEOUT (no hang); delivers again once healed',
          async () => {
            const started = Date.now();
            const out = await sendFaulty('slow', AbortSignal.timeout(ABORT_AFTER_MS));
            expect(Date.now() - started).toBeLessThan(ABORT_AFTER_MS + ABORT_BOUND_MS);
            expect(out.items).toHaveLength(3);
            for (const o of out.items) expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_TIMEOUT' });
            await expectAllDelivered();
          },
          TEST_TIMEOUT,
        );
    });

    it(
      'close(): resolves, is idempotent, releases its connections; a later send returns retry outcomes and sends nothing',
      async () => {
        const own = await factory.create();
        try {
          const out = await own.target.send(variedBatch(4), AbortSignal.timeout(20_000));
          expect(out.items.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
          expect(await own.openConnections()).toBeGreaterThan(0);
          await own.target.close();
          await own.target.close();
          await vi.waitFor(async () => expect(await own.openConnections()).toBe(0), { timeout: 5_000, interval: 50 });
          const after = await own.target.send(variedBatch(2), AbortSignal.timeout(5_000));
          expect(after.items).toHaveLength(2);
          for (const o of after.items) expect(o.status).toBe('retry');
          expect(await own.openConnections()).toBe(0);
        } finally {
          await own.close();
        }
      },
      TEST_TIMEOUT,
    );
  });
}
