/**
 * The lambda target driven by the delivery engine (createDispatcher over the embedded log), with
 * the real SDK → fault proxy → Lambda emulator → Node handler: partial batch failures are
 * redelivered precisely, throttling's retry hint holds the next attempt back, and events too
 * large for an invocation end in the dead letter topic with CW_TARGET_PAYLOAD_TOO_LARGE.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventLog, LogRecord } from '../../src/core/index.js';
import { createDispatcher, DLQ_HEADERS, type Dispatcher } from '../../src/deliver/index.js';
import { openEmbeddedLog } from '../../src/eventlog/index.js';
import { lambdaTarget, type LambdaTargetConfig } from '../../src/targets/index.js';
import { readTopic } from '../contract/event-log-helpers.js';
import { HANDLERS } from '../support/lambda/emulator.js';
import { THROTTLED, startLambdaFarEnd, type LambdaFarEnd } from '../support/lambda/far-end.js';
import { factRecord, route } from '../unit/deliver/support.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('lambda target under the delivery engine', () => {
  let dir: string;
  let log: EventLog;
  const dispatchers: Dispatcher[] = [];
  const farEnds: LambdaFarEnd[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-lambda-delivery-'));
    log = await openEmbeddedLog({ dir, defaultPartitions: 1 });
  });
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    for (const f of farEnds.splice(0)) await f.close();
  });
  afterAll(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A route from a fresh topic to the emulator's function through the proxy; returns what to append to. */
  async function deliver(
    config: Partial<LambdaTargetConfig>,
    far: Parameters<typeof startLambdaFarEnd>[0],
    delivery: Record<string, unknown> = {},
  ) {
    const tag = randomBytes(4).toString('hex');
    const topic = `lambda.it.${tag}`;
    const dlq = `lambda.dlq.${tag}`;
    await log.ensureTopic(topic, 1);
    const end = await startLambdaFarEnd({ functionName: 'bids', region: 'eu-west-1', ...far });
    farEnds.push(end);
    const target = lambdaTarget.create(
      { function: 'bids', region: 'eu-west-1', endpoint: end.proxy.url, ...config },
      { env: {}, kafkaBrokers: [] },
    );
    const d = createDispatcher({ log, commitIntervalMs: 50, idleWaitMs: 200 });
    dispatchers.push(d);
    const r = route(target, {
      id: `lambda-${tag}`,
      from: [topic],
      targetKind: 'lambda',
      delivery: {
        deadLetterTopic: dlq,
        retry: 3,
        backoffDelayMs: 50,
        backoffMaxMs: 100,
        batch: { maxEvents: 10, maxBytes: 6_291_456, maxWaitMs: 100 },
        ...delivery,
      },
    });
    await d.start([r]);
    return {
      end,
      dispatcher: d,
      dlq,
      append: async (records: LogRecord[]) => void (await log.append(topic, records)),
      status: async () => (await d.status())[0]!,
    };
  }

  it('batchItemFailures: only the events the function named are delivered again, once, as attempt 2', async () => {
    const h = await deliver({}, { handler: HANDLERS.partial, env: { PARTIAL_FAIL_ATTEMPTS: '1' } });
    const ids = Array.from({ length: 6 }, (_, i) => `pbf-${i}`);
    await h.append(ids.map((id, i) => factRecord(id, { key: 'one-key', headers: i === 1 || i === 4 ? { ce_partialfail: 'true' } : {} })));
    await waitUntil(async () => (await h.status()).delivered === 6, 'six deliveries');
    await sleep(300); // nothing more may come
    const got = h.end.received('cloudevents');
    const times = (id: string) => got.filter((r) => r.event.attributes['id'] === id).map((r) => r.lineage['causeway-attempt']);
    expect(ids.map(times)).toEqual([['1'], ['1', '2'], ['1'], ['1'], ['1', '2'], ['1']]);
    expect(await h.status()).toMatchObject({ delivered: 6, deadLettered: 0, retried: 2 });
  });

  it('throttling: the next attempt waits for the Retry-After hint (measured at the proxy)', async () => {
    const h = await deliver({}, {});
    h.end.proxy.set(THROTTLED(1), { times: 1 });
    await h.append([factRecord('throttled-1')]);
    await waitUntil(async () => (await h.status()).delivered === 1, 'the delivery after the throttle');
    const [first, second] = h.end.proxy.requests;
    expect(first!.faulted).toBe(true);
    expect(second!.faulted).toBe(false);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
    expect(h.end.received('cloudevents').map((r) => r.lineage['causeway-attempt'])).toEqual(['2']);
  });

  it('an event too large once encoded goes to the dead letter topic with CW_TARGET_PAYLOAD_TOO_LARGE; the others are delivered', async () => {
    const h = await deliver({ invocation: 'async' }, {}, { batch: { maxEvents: 10, maxBytes: 1_048_576, maxWaitMs: 100 } });
    // 900,000 random bytes: under the engine's 1 MiB estimate, 1.2 MB as data_base64 in the payload.
    const big: LogRecord = {
      ...factRecord('too-big'),
      value: new Uint8Array(randomBytes(900_000)),
      headers: { ...factRecord('too-big').headers, 'content-type': 'application/octet-stream' },
    };
    await h.append([factRecord('small-1'), big, factRecord('small-2')]);
    await waitUntil(
      async () => (await h.status()).deadLettered === 1 && (await h.status()).delivered === 2,
      'one dead letter, two deliveries',
    );
    const [dead] = await readTopic(log, h.dlq, 1);
    expect(dead!.headers[DLQ_HEADERS.code]).toBe('CW_TARGET_PAYLOAD_TOO_LARGE');
    expect(dead!.headers[DLQ_HEADERS.message]).toMatch(/exceeds the async invocation limit of 1048576 bytes/);
    expect(dead!.headers['ce_id']).toBe('too-big');
    expect(Buffer.from(dead!.value!).equals(Buffer.from(big.value!))).toBe(true);
    await h.end.emulator.idle();
    expect(h.end.received('cloudevents').map((r) => r.event.attributes['id'])).toEqual(['small-1', 'small-2']);
    expect(h.end.emulator.invocations.every((i) => i.status === 202)).toBe(true);
  });

  it('a function that keeps failing: retried per the route, then dead-lettered with the function’s error', async () => {
    const h = await deliver({}, { handler: HANDLERS.throw }, { retry: 2 });
    await h.append([factRecord('doomed')]);
    await waitUntil(async () => (await h.status()).deadLettered === 1, 'the dead letter');
    const [dead] = await readTopic(log, h.dlq, 1);
    expect(dead!.headers[DLQ_HEADERS.code]).toBe('CW_RETRIES_EXHAUSTED');
    expect(dead!.headers[DLQ_HEADERS.attempts]).toBe('3');
    expect(dead!.headers[DLQ_HEADERS.target]).toBe('lambda');
    expect(dead!.headers[DLQ_HEADERS.message]).toMatch(/CW_TARGET_FUNCTION_ERROR.*BidRejectedError: cannot process 1 events/);
    expect(h.end.recorded()).toHaveLength(3);
  });
});
