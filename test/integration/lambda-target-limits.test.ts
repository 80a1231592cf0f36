/**
 * The lambda target's limits, API errors and ordering, through the real SDK → fault proxy →
 * Lambda emulator → a real Node handler process (test/support/lambda/). The contract and the
 * payload shapes are in targets-lambda.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchOutcome, Delivery, Target } from '../../src/core/index.js';
import { lambdaTarget } from '../../src/targets/index.js';
import { variedBatch } from '../contract/target-helpers.js';
import type { FaultSpec } from '../support/fault-proxy.js';
import { HANDLERS } from '../support/lambda/emulator.js';
import { closedPort } from '../support/listen-local.js';
import { THROTTLED, lambdaError, lambdaTargets } from '../support/lambda/far-end.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const send = (t: Target, batch: readonly Delivery[], ms = 20_000) => t.send(batch, AbortSignal.timeout(ms));
const statuses = (o: BatchOutcome) => o.items.map((i) => i.status);

describe('lambda target: limits, errors, ordering', () => {
  const { setup, cleanup } = lambdaTargets();
  const extra: Target[] = [];
  afterEach(async () => {
    for (const t of extra.splice(0)) await t.close();
    await cleanup();
  });

  describe('payload limits', () => {
    const big = (i: number, bytes: number, contentType = 'application/json') =>
      contentType === 'application/json'
        ? { contentType, bytes: utf8(JSON.stringify({ i, pad: 'x'.repeat(bytes - 20) })) }
        : { contentType, bytes: new Uint8Array(randomBytes(bytes)) };

    it('async (1,048,576 bytes): a batch over the limit becomes several invocations, each within it, in order', async () => {
      const { end, target } = await setup({ invocation: 'async' });
      const batch = variedBatch(12, { data: (i) => big(i, 200_000), key: () => null });
      expect(statuses(await send(target, batch))).toEqual(batch.map(() => 'delivered'));
      await end.emulator.idle();
      const calls = end.proxy.requests.filter((r) => r.path.includes('/invocations'));
      expect(calls.length).toBe(3); // 12 × ~200 KB: five per invocation
      expect(end.emulator.invocations.every((i) => i.status === 202)).toBe(true);
      for (const inv of end.recorded()) expect(inv.payload.length).toBeLessThanOrEqual(1_048_576);
      expect(end.received('cloudevents').map((r) => r.event.attributes['id'])).toEqual(batch.map((d) => d.event.attributes['id']));
    });

    it('sync aws:kafka (6,291,456 bytes) is split by the encoded size: base64 and header byte arrays count', async () => {
      const { end, target } = await setup({ payload: 'aws:kafka' });
      // 8 × 1 MB of raw bytes is 8 MB as the engine counts it, ~10.7 MB once base64-encoded.
      const batch = variedBatch(8, { data: (i) => big(i, 1_000_000, 'application/octet-stream'), key: () => null });
      expect(batch.reduce((n, d) => n + d.bytes, 0)).toBeGreaterThan(8_000_000);
      expect(statuses(await send(target, batch))).toEqual(batch.map(() => 'delivered'));
      const recorded = end.recorded();
      expect(recorded).toHaveLength(2);
      for (const inv of recorded) expect(inv.payload.length).toBeLessThanOrEqual(6_291_456);
      expect(end.emulator.invocations.map((i) => i.status)).toEqual([200, 200]);
      expect(end.received('aws:kafka')).toHaveLength(8);
    });

    it('one event whose encoding alone is over the limit: CW_TARGET_PAYLOAD_TOO_LARGE, never sent; the others are delivered', async () => {
      const { end, target } = await setup({ invocation: 'async' });
      // 900,000 raw bytes pass the engine's estimate (under 1 MiB) but are 1.2 MB as data_base64.
      const batch = variedBatch(3, { data: (i) => (i === 1 ? big(i, 900_000, 'application/octet-stream') : big(i, 1_000)) });
      expect(batch[1]!.bytes).toBeLessThan(target.limits.maxEventBytes);
      const out = await send(target, batch);
      expect(statuses(out)).toEqual(['delivered', 'reject', 'delivered']);
      expect(out.items[1]).toMatchObject({
        code: 'CW_TARGET_PAYLOAD_TOO_LARGE',
        message: expect.stringMatching(/cloudevents payload of 12\d{5} bytes .* exceeds the async invocation limit of 1048576 bytes/),
      });
      await end.emulator.idle();
      expect(end.emulator.invocations.map((i) => i.status)).toEqual([202]);
      expect(end.received('cloudevents').map((r) => r.event.attributes['id'])).toEqual(
        [batch[0], batch[2]].map((d) => d!.event.attributes['id']),
      );
    });

    it('when Lambda answers 413 anyway (a limit set above the real one), the invocation is halved until it fits; a lone event is rejected', async () => {
      const { end, target } = await setup({ invocation: 'async', maxPayloadBytes: 4_000_000 });
      const batch = variedBatch(6, { data: (i) => big(i, i === 5 ? 1_100_000 : 300_000), key: () => null });
      const out = await send(target, batch);
      expect(statuses(out)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'reject']);
      expect(out.items[5]).toMatchObject({
        code: 'CW_TARGET_PAYLOAD_TOO_LARGE',
        message: expect.stringContaining('RequestEntityTooLargeException'),
      });
      await end.emulator.idle();
      const answered = end.emulator.invocations.map((i) => i.status);
      // [0..5] → 413 → [0,1,2] fits; [3,4,5] → 413 → [3,4] fits, [5] alone → 413 → rejected.
      expect(answered).toEqual([413, 202, 413, 202, 413]);
      expect(end.received('cloudevents')).toHaveLength(5);
    });
  });

  describe('API errors', () => {
    it.each([
      ['500 ServiceException', 'retry', 'CW_TARGET_UNAVAILABLE', lambdaError(500, 'ServiceException', 'internal')],
      ['502 EC2ThrottledException', 'retry', 'CW_TARGET_UNAVAILABLE', lambdaError(502, 'EC2ThrottledException', 'ec2')],
      [
        '409 ResourceConflictException (function being updated)',
        'retry',
        'CW_TARGET_UNAVAILABLE',
        lambdaError(409, 'ResourceConflictException', 'The operation cannot be performed at this time.'),
      ],
      ['a reset connection', 'retry', 'CW_TARGET_UNAVAILABLE', { kind: 'reset' } as FaultSpec],
      [
        '400 InvalidRequestContentException',
        'reject',
        'CW_TARGET_REJECTED',
        lambdaError(400, 'InvalidRequestContentException', 'Could not parse request body into json'),
      ],
      [
        '403 AccessDeniedException',
        'reject',
        'CW_TARGET_REJECTED',
        lambdaError(403, 'AccessDeniedException', 'not authorized to perform: lambda:InvokeFunction'),
      ],
      [
        '404 ResourceNotFoundException',
        'reject',
        'CW_TARGET_REJECTED',
        lambdaError(404, 'ResourceNotFoundException', 'Function not found'),
      ],
      [
        '413 RequestEntityTooLargeException on one event',
        'reject',
        'CW_TARGET_PAYLOAD_TOO_LARGE',
        lambdaError(413, 'RequestEntityTooLargeException', 'Request must be smaller than 6291456 bytes for the InvokeFunction operation'),
      ],
    ])('%s → %s %s', async (_what, status, code, fault) => {
      const { end, target } = await setup();
      end.proxy.set(fault);
      const out = await send(target, variedBatch(1));
      expect(out.items[0]).toMatchObject({ status, code });
      if (out.items[0]!.status !== 'delivered') expect(out.items[0]!.message.length).toBeGreaterThan(0);
    });

    it('throttling: the Retry-After hint becomes retryAfterMs, and nothing is invoked until it has passed', async () => {
      const { end, target } = await setup();
      end.proxy.set(THROTTLED(2), { times: 1 });
      const first = await send(target, variedBatch(2));
      for (const o of first.items)
        expect(o).toMatchObject({
          status: 'retry',
          code: 'CW_TARGET_THROTTLED',
          retryAfterMs: 2_000,
          message: expect.stringContaining('ReservedFunctionConcurrentInvocationLimitExceeded'),
        });
      const held = await send(target, variedBatch(2));
      for (const o of held.items) {
        expect(o).toMatchObject({ status: 'retry', code: 'CW_TARGET_THROTTLED' });
        if (o.status === 'retry') expect(o.retryAfterMs).toBeLessThanOrEqual(2_000);
      }
      expect(end.proxy.requests).toHaveLength(1);
    });

    it('throttling without a hint waits 1 s by default', async () => {
      const { end, target } = await setup();
      end.proxy.set(THROTTLED(), { times: 1 });
      expect((await send(target, variedBatch(1))).items[0]).toMatchObject({ code: 'CW_TARGET_THROTTLED', retryAfterMs: 1_000 });
    });

    it('connection refused is CW_TARGET_UNAVAILABLE', async () => {
      const t = lambdaTarget.create(
        { function: 'bids', region: 'eu-west-1', endpoint: `http://127.0.0.1:${await closedPort()}` },
        { env: {}, kafkaBrokers: [] },
      );
      extra.push(t);
      expect((await send(t, variedBatch(1))).items[0]).toMatchObject({ status: 'retry', code: 'CW_TARGET_UNAVAILABLE' });
    });
  });

  describe('ordering across invocations', () => {
    it('once an event gets retry, later events with its ordering key are not sent; other keys go on', async () => {
      // Each event alone fills an invocation (limit ~1.5 events), so the batch takes five invocations.
      const batch = variedBatch(5, {
        key: (i) => (i === 3 ? 'other' : 'same'),
        data: (i) => ({ contentType: 'application/json', bytes: utf8(JSON.stringify({ i, pad: 'x'.repeat(600) })) }),
      });
      const failing = String(batch[1]!.event.attributes['id']);
      const { end, target } = await setup({ maxPayloadBytes: 1_500 }, { handler: HANDLERS.partial, env: { PARTIAL_FAIL_IDS: failing } });
      const out = await send(target, batch);
      expect(statuses(out)).toEqual(['delivered', 'retry', 'retry', 'delivered', 'retry']);
      expect(out.items[2]).toMatchObject({
        code: 'CW_TARGET_FUNCTION_ERROR',
        message: expect.stringMatching(/^not sent: an earlier event with the same ordering key failed/),
      });
      const sent = end.received('cloudevents').map((r) => r.event.attributes['id']);
      expect(sent).toEqual([0, 1, 3].map((i) => batch[i]!.event.attributes['id']));
    });

    it('reports each invocation’s events as soon as it is answered', async () => {
      const batch = variedBatch(3, {
        key: () => null,
        data: (i) => ({ contentType: 'application/json', bytes: utf8(JSON.stringify({ i, pad: 'x'.repeat(600) })) }),
      });
      const { target } = await setup({ maxPayloadBytes: 1_500 });
      const seen: number[] = [];
      const out = await target.send(batch, AbortSignal.timeout(20_000), (i) => seen.push(i));
      expect(seen).toEqual([0, 1, 2]);
      expect(statuses(out)).toEqual(['delivered', 'delivered', 'delivered']);
    });
  });

  it('function by ARN with a qualifier: the function is invoked as that alias', async () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:bids';
    const { end, target } = await setup({ function: arn, qualifier: 'live' }, { qualifiers: ['live'] });
    expect(statuses(await send(target, variedBatch(1)))).toEqual(['delivered']);
    expect(end.recorded()[0]!.functionArn).toBe(`${arn}:live`);
    expect(end.emulator.invocations[0]).toMatchObject({ name: arn, qualifier: 'live' });
  });
});
