/**
 * EventBridge rows of `npm run bench:route` (issue #5): the delivery engine (createDispatcher, from
 * dist/ when built, else src/) reads a backlog of 1 KiB facts from a temp embedded log and delivers
 * them with the eventbridge target to a bus of its own in moto (scripts/moto.sh, started or reused
 * here). One row per batch size (1 and 10 by default), each a fresh route (consumer group) over the
 * same backlog for `seconds`.
 *
 * By default the bus has no rule: moto then only ingests (~9 ms per PutEvents call here, whether
 * it holds 1 or 10 entries), which is what batching changes. With `deliverToQueue` a rule sends
 * every event on to an SQS queue as in the tests; moto spends ~10 ms per event on that (Python,
 * one event at a time), so those rows measure moto's SQS, not the target.
 *
 * - events/s: events the target reported delivered / time from route start to the last of them.
 * - p99Ms: per event, send() start → its outcome, i.e. the PutEvents round trip as the engine saw
 *   it (moto's; not AWS's).
 * - apiCallsPer1000: PutEvents calls per 1,000 delivered events (EventBridge's PutEvents quota
 *   counts requests per second). Counted by a pass-through proxy (test/support/fault-proxy.ts)
 *   between the SDK and moto, which adds one local hop.
 *
 * Prints nothing itself: bench/route.ts formats the rows. Env fallbacks: MOTO_ENDPOINT, MOTO_PORT.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatchOutcome, Delivery, ItemProgress, LogRecord, Target } from '../src/core/index.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import { MOTO_REGION, MotoBus } from '../test/support/moto-bus.js';

import type { TargetRow as Row } from './route-aws.js';
import { benchDelivery, routeModules } from './route-modules.js';

export interface EventBridgeRowsOptions {
  /** moto's URL; default MOTO_ENDPOINT, else scripts/moto.sh start on MOTO_PORT (5055). */
  readonly endpoint?: string;
  /** Engine batch sizes, one row each (default [1, 10]). */
  readonly batches?: readonly number[];
  /** Measured time per row (default 3 s). */
  readonly seconds?: number;
  /** Facts in the backlog (default 6,000); a row ends when all are delivered or after `seconds`. */
  readonly events?: number;
  /** Route concurrency: batches in flight (default 16). */
  readonly concurrency?: number;
  /** Give the bus a rule that delivers every event to an SQS queue (default false, see above). */
  readonly deliverToQueue?: boolean;
}

const KEYS = 1_000;
const PARTITIONS = 3;
const EVENT_BYTES = 1024;
const TYPE = 'com.example.auction.bid.placed';

function startMoto(): Promise<string> {
  const script = fileURLToPath(new URL('../scripts/moto.sh', import.meta.url));
  return new Promise((resolve, reject) =>
    execFile('bash', [script, 'start'], { timeout: 600_000 }, (err, _out, stderr) =>
      err
        ? reject(new Error(`scripts/moto.sh start failed: ${stderr || err.message}`))
        : resolve(`http://127.0.0.1:${process.env.MOTO_PORT ?? '5055'}`),
    ),
  );
}

const enc = new TextEncoder();
function record(i: number): LogRecord {
  const k = `k${i % KEYS}`;
  const head = `{"k":"${k}","itemId":"${k}","bidId":"b${i}","bidder":"alice","amount":150,"currency":"EUR","note":"`;
  return {
    key: enc.encode(k),
    value: enc.encode(`${head}${'x'.repeat(EVENT_BYTES - head.length - 2)}"}`),
    headers: {
      ce_specversion: '1.0',
      ce_id: `bench-eb-${i}`,
      ce_source: '/bench/eventbridge',
      ce_type: TYPE,
      ce_time: new Date().toISOString(),
      'content-type': 'application/json',
      traceparent: `00-${'1'.repeat(32)}-${(i + 1).toString(16).padStart(16, '0')}-01`,
    },
  };
}

/** Wraps the target: counts delivered events and each one's send → outcome time. */
class Measured implements Target {
  delivered = 0;
  lastAt = 0;
  readonly latencies: number[] = [];
  constructor(private readonly inner: Target) {}
  get limits() {
    return this.inner.limits;
  }
  async send(batch: readonly Delivery[], signal: AbortSignal, progress?: ItemProgress): Promise<BatchOutcome> {
    const t0 = performance.now();
    const out = await this.inner.send(batch, signal, progress);
    const t = performance.now();
    for (const o of out.items) {
      if (o.status !== 'delivered') continue;
      this.delivered++;
      this.latencies.push(t - t0);
    }
    this.lastAt = t;
    return out;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const p99 = (xs: number[]): number => {
  const s = Float64Array.from(xs).sort();
  return s.length === 0 ? 0 : (s[Math.min(s.length - 1, Math.floor(0.99 * s.length))] as number);
};

export async function eventbridgeRows(opts: EventBridgeRowsOptions = {}): Promise<Row[]> {
  // The SDK's default chain reads credentials from the environment; moto accepts any.
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const endpoint = opts.endpoint ?? process.env.MOTO_ENDPOINT ?? (await startMoto());
  const seconds = opts.seconds ?? 3;
  const [{ createDispatcher }, { eventbridgeTarget }, { openEmbeddedLog }] = await routeModules();

  const dir = mkdtempSync(join(tmpdir(), 'causeway-bench-eb-'));
  const log = await openEmbeddedLog({ dir, defaultPartitions: PARTITIONS });
  const proxy = await startFaultProxy(endpoint);
  const rows: Row[] = [];
  const bus = await MotoBus.create(endpoint, 'cw-bench', opts.deliverToQueue === true ? { source: ['/bench/eventbridge'] } : undefined);
  try {
    const n = opts.events ?? 6_000;
    await log.ensureTopic('bench.eb', PARTITIONS);
    for (let i = 0; i < n; i += 500)
      await log.append(
        'bench.eb',
        Array.from({ length: Math.min(500, n - i) }, (_, j) => record(i + j)),
      );

    let routeNo = 0;
    for (const batch of opts.batches ?? [1, 10]) {
      const target = new Measured(
        eventbridgeTarget.create(
          { bus: bus.name, region: MOTO_REGION, endpoint: proxy.url, maxBatchEvents: Math.max(batch, 10) },
          { env: {}, kafkaBrokers: [] },
        ),
      );
      const d = createDispatcher({ log });
      const callsBefore = proxy.requests.length;
      const startedAt = performance.now();
      await d.start([
        {
          id: `bench-eb-${++routeNo}`,
          from: ['bench.eb'],
          matches: () => true,
          target,
          targetKind: 'eventbridge',
          delivery: benchDelivery({
            ordering: 'key',
            concurrency: opts.concurrency ?? 16,
            maxEvents: batch,
            maxBytes: 1024 * 1024,
            deadLetterTopic: `bench.dlq.eb-${routeNo}`,
          }),
        },
      ]);
      while (performance.now() - startedAt < seconds * 1000 && target.delivered < n) await new Promise((r) => setTimeout(r, 50));
      await d.stop();
      await target.close();
      const calls = proxy.requests.length - callsBefore;
      rows.push({
        target: opts.deliverToQueue === true ? 'eventbridge (moto, rule → SQS)' : 'eventbridge (moto)',
        batch,
        events: target.delivered,
        eventsPerSec: Math.round(target.delivered / Math.max(0.001, (target.lastAt - startedAt) / 1000)),
        p99Ms: Math.round(p99(target.latencies) * 10) / 10,
        apiCallsPer1000: target.delivered === 0 ? 0 : Math.round((calls / target.delivered) * 1000),
      });
    }
  } finally {
    await bus.delete();
    await proxy.close();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
