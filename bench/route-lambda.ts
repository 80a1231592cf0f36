/**
 * Lambda rows for `npm run bench:route`: the delivery engine (createDispatcher) reading a backlog
 * of 1 KiB facts from a temp embedded log and delivering them with the lambda target (sync,
 * cloudevents payload) through the real SDK to the Lambda emulator (test/support/lambda/), whose
 * function is a real Node process answering null (handlers/record.mjs without a record file).
 *
 * One row per batch size (1, 10, 100): a fresh route (its own consumer group) drains the backlog
 * for at most `seconds`. events/s = events delivered / time to the last one; p99 = the 99th
 * percentile of one Target.send (sign, Invoke round trip, the function, the answer); API calls per
 * 1,000 events = Invoke requests the emulator answered per 1,000 events delivered.
 *
 * The emulator is one execution environment (invocations queue), so the route runs with
 * concurrency 1 by default: the rows show the cost per invocation, not Lambda's scale-out.
 * Credentials: dummy AWS_* values are set for the run (the SDK's default chain reads them) and
 * restored after; nothing leaves this machine. Prints nothing; bench/route.ts prints the rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchOutcome, Delivery, ItemProgress, LogRecord, Target } from '../src/core/index.js';
import { HANDLERS, startLambdaEmulator } from '../test/support/lambda/emulator.js';

import type { TargetRow as Row } from './route-aws.js';
import { benchDelivery, routeModules } from './route-modules.js';

export interface LambdaBenchOptions {
  /** Batch sizes, one row each (default 1, 10, 100). */
  readonly batches?: readonly number[];
  /** Cap per row (default 3 s). */
  readonly seconds?: number;
  /** Facts in the backlog (default 20,000; a row stops when it has delivered them all). */
  readonly events?: number;
  /** In-flight batches of the route (default 1: the emulator is one execution environment). */
  readonly concurrency?: number;
}

const enc = new TextEncoder();
const TOPIC = 'bench.lambda';

function record(i: number): LogRecord {
  const head = `{"itemId":"k${i % 1000}","bidId":"b${i}","bidder":"alice","amount":150,"currency":"EUR","note":"`;
  return {
    key: enc.encode(`k${i % 1000}`),
    value: enc.encode(`${head}${'x'.repeat(1024 - head.length - 2)}"}`),
    headers: {
      ce_specversion: '1.0',
      ce_id: `bench-${i}`,
      ce_source: '/bench',
      ce_type: 'com.example.auction.bid.placed',
      'content-type': 'application/json',
      traceparent: `00-${'1'.repeat(32)}-${(i + 1).toString(16).padStart(16, '0')}-01`,
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const p99 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[Math.min(s.length - 1, Math.floor(0.99 * s.length))] as number);
};

export async function lambdaRows(opts: LambdaBenchOptions = {}): Promise<Row[]> {
  const batches = opts.batches ?? [1, 10, 100];
  const capMs = (opts.seconds ?? 3) * 1000;
  const total = opts.events ?? 20_000;
  const concurrency = opts.concurrency ?? 1;
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const [{ createDispatcher }, { lambdaTarget }, { openEmbeddedLog }] = await routeModules();
  const dir = mkdtempSync(join(tmpdir(), 'causeway-bench-lambda-'));
  const log = await openEmbeddedLog({ dir, defaultPartitions: 1 });
  const emulator = await startLambdaEmulator({ handler: HANDLERS.record, functionName: 'bench' });
  const rows: Row[] = [];
  try {
    await log.ensureTopic(TOPIC, 1);
    for (let i = 0; i < total; i += 500)
      await log.append(
        TOPIC,
        Array.from({ length: Math.min(500, total - i) }, (_, j) => record(i + j)),
      );
    let n = 0;
    for (const batch of batches) {
      const target = lambdaTarget.create(
        { function: 'bench', region: 'us-east-1', endpoint: emulator.url, invocation: 'sync', payload: 'cloudevents' },
        { env: {}, kafkaBrokers: [] },
      );
      const sendMs: number[] = [];
      let delivered = 0;
      let lastAt = 0;
      const timed: Target = {
        limits: target.limits,
        async send(b: readonly Delivery[], signal: AbortSignal, progress?: ItemProgress): Promise<BatchOutcome> {
          const t0 = performance.now();
          const out = await target.send(b, signal, progress);
          sendMs.push(performance.now() - t0);
          delivered += out.items.filter((o) => o.status === 'delivered').length;
          lastAt = performance.now();
          return out;
        },
        close: () => target.close(),
      };
      const d = createDispatcher({ log });
      const callsBefore = emulator.invocations.length;
      const startedAt = performance.now();
      await d.start([
        {
          id: `bench-lambda-${++n}`,
          from: [TOPIC],
          matches: () => true,
          target: timed,
          targetKind: 'lambda',
          delivery: benchDelivery({
            ordering: 'key',
            concurrency,
            maxEvents: batch,
            maxBytes: 6_291_456,
            deadLetterTopic: `bench.dlq.lambda-${n}`,
          }),
        },
      ]);
      while (delivered < total && performance.now() - startedAt < capMs) await sleep(20);
      await d.stop();
      const calls = emulator.invocations.length - callsBefore;
      rows.push({
        target: 'lambda (emulator, sync, cloudevents)',
        batch,
        events: delivered,
        eventsPerSec: Math.round(delivered / ((lastAt - startedAt) / 1000)),
        p99Ms: Math.round(p99(sendMs) * 10) / 10,
        apiCallsPer1000: Math.round((calls / Math.max(1, delivered)) * 1000 * 10) / 10,
      });
    }
  } finally {
    await emulator.close();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  return rows;
}
