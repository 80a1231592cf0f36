/**
 * How Invoke answers and SDK errors become outcomes (src/targets/lambda/lambda-response.ts),
 * and the client context (client-context.ts).
 */
import {
  RequestTooLargeException,
  ResourceConflictException,
  ResourceNotFoundException,
  ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DELIVERED } from '../../../src/targets/outcomes.js';
import { clientContextFor } from '../../../src/targets/lambda/client-context.js';
import { classifyInvokeError, judgeSyncAnswer, verdictOutcomes, type ItemIdentity } from '../../../src/targets/lambda/lambda-response.js';
import { variedBatch } from '../../contract/target-helpers.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const items: ItemIdentity[] = [
  { id: 'a', kafka: { partition: 'bids-0', offset: 10 } },
  { id: 'b', kafka: { partition: 'bids-0', offset: 11 } },
  { id: 'a', kafka: { partition: 'bids-1', offset: 10 } }, // same CloudEvents id from another source
];
const judge = (payload: string, functionError?: string) =>
  judgeSyncAnswer({ payload: bytes(payload), ...(functionError === undefined ? {} : { functionError }) }, items);

describe('judgeSyncAnswer', () => {
  it('a FunctionError fails the invocation, with the function’s error type and message', () => {
    expect(judge('{"errorType":"BidRejectedError","errorMessage":"no","trace":["x"]}', 'Unhandled')).toEqual({
      kind: 'function-error',
      message: 'function error (Unhandled) BidRejectedError: no',
    });
    expect(judge('"oops"', 'Handled')).toEqual({ kind: 'function-error', message: 'function error (Handled): "oops"' });
  });

  it.each(['null', '{}', '"ok"', '[1,2]', '{"result":1}', 'not json at all', '', '{"batchItemFailures":[]}', '{"batchItemFailures":null}'])(
    '%j is a success for every event',
    (payload) => expect(judge(payload)).toEqual({ kind: 'delivered' }),
  );

  it('batchItemFailures by CloudEvents id names every event with that id', () => {
    expect(judge('{"batchItemFailures":[{"itemIdentifier":"a"}]}')).toEqual({ kind: 'partial', failed: new Set([0, 2]) });
    expect(judge('{"batchItemFailures":[{"itemIdentifier":"b"},{"itemIdentifier":"b"}]}')).toEqual({
      kind: 'partial',
      failed: new Set([1]),
    });
  });

  it('Lambda’s Kafka identifier {partition, offset} names one record (offset as number or numeric string)', () => {
    expect(judge('{"batchItemFailures":[{"itemIdentifier":{"partition":"bids-1","offset":10}}]}')).toEqual({
      kind: 'partial',
      failed: new Set([2]),
    });
    expect(judge('{"batchItemFailures":[{"itemIdentifier":{"partition":"bids-0","offset":"11"}}]}')).toEqual({
      kind: 'partial',
      failed: new Set([1]),
    });
  });

  it.each([
    ['{"batchItemFailures":[{"itemIdentifier":""}]}', 'an empty identifier'],
    ['{"batchItemFailures":[{"itemIdentifier":null}]}', 'a null identifier'],
    ['{"batchItemFailures":[{"itemIdentifer":"a"}]}', 'a bad key name'],
    ['{"batchItemFailures":[{"itemIdentifier":"zzz"}]}', 'an identifier of no event'],
    ['{"batchItemFailures":[{"itemIdentifier":{"partition":"bids-9","offset":10}}]}', 'a Kafka identifier of no record'],
    ['{"batchItemFailures":[{"itemIdentifier":{"partition":"bids-0"}}]}', 'a Kafka identifier without offset'],
    ['{"batchItemFailures":[{"itemIdentifier":12}]}', 'a number'],
    ['{"batchItemFailures":["a"]}', 'an entry that is not an object'],
    ['{"batchItemFailures":{"itemIdentifier":"a"}}', 'a list that is not a list'],
  ])('%s (%s) fails the whole invocation', (payload) => {
    const v = judge(payload);
    expect(v.kind).toBe('invalid-partial');
    if (v.kind === 'invalid-partial') expect(v.message).toMatch(/^malformed batchItemFailures .*the whole invocation is retried/);
  });

  it('without Kafka identities (cloudevents payload) a Kafka identifier names nothing', () => {
    const v = judgeSyncAnswer({ payload: bytes('{"batchItemFailures":[{"itemIdentifier":{"partition":"bids-0","offset":10}}]}') }, [
      { id: 'a' },
    ]);
    expect(v.kind).toBe('invalid-partial');
  });

  it('verdictOutcomes: one outcome per event', () => {
    expect(verdictOutcomes({ kind: 'partial', failed: new Set([1]) }, 3, DELIVERED).map((o) => o.status)).toEqual([
      'delivered',
      'retry',
      'delivered',
    ]);
    for (const o of verdictOutcomes({ kind: 'function-error', message: 'm' }, 2, DELIVERED))
      expect(o).toEqual({ status: 'retry', code: 'CW_TARGET_FUNCTION_ERROR', message: 'm' });
  });

  it('never throws, whatever the function answers', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), fc.option(fc.constantFrom('Unhandled', 'Handled', '')), (payload, fe) => {
        const v = judgeSyncAnswer({ payload: bytes(payload), ...(fe === null ? {} : { functionError: fe }) }, items);
        expect(['delivered', 'function-error', 'partial', 'invalid-partial']).toContain(v.kind);
      }),
    );
  });
});

describe('classifyInvokeError', () => {
  const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

  it('throttling: retry CW_TARGET_THROTTLED after retryAfterSeconds (the Retry-After header), else the default', () => {
    const withHint = new TooManyRequestsException({
      ...meta(429),
      message: 'Rate Exceeded.',
      retryAfterSeconds: '3',
      Reason: 'ConcurrentInvocationLimitExceeded',
    });
    expect(classifyInvokeError(withHint, false, 1_000).outcome).toMatchObject({
      status: 'retry',
      code: 'CW_TARGET_THROTTLED',
      retryAfterMs: 3_000,
      message: expect.stringContaining('[ConcurrentInvocationLimitExceeded]'),
    });
    const noHint = new TooManyRequestsException({ ...meta(429), message: 'Rate Exceeded.' });
    expect(classifyInvokeError(noHint, false, 1_000).outcome).toMatchObject({ code: 'CW_TARGET_THROTTLED', retryAfterMs: 1_000 });
    expect(classifyInvokeError({ name: 'Whatever', ...meta(429) }, false, 700).outcome).toMatchObject({
      code: 'CW_TARGET_THROTTLED',
      retryAfterMs: 700,
    });
  });

  it('413: reject CW_TARGET_PAYLOAD_TOO_LARGE and ask for a split', () => {
    const e = new RequestTooLargeException({
      ...meta(413),
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
    expect(classifyInvokeError(e, false, 1_000)).toEqual({
      outcome: expect.objectContaining({ status: 'reject', code: 'CW_TARGET_PAYLOAD_TOO_LARGE' }),
      tooLarge: true,
    });
  });

  it('413 as Lambda sends it (x-amzn-ErrorType: RequestEntityTooLargeException, not in the SDK model) is the same', () => {
    const e = {
      name: 'RequestEntityTooLargeException',
      message: '1100000 byte payload is too large for the Event invocation type (limit 1048576 bytes)',
      $metadata: { httpStatusCode: 413 },
    };
    expect(classifyInvokeError(e, false, 1_000)).toEqual({
      outcome: expect.objectContaining({ code: 'CW_TARGET_PAYLOAD_TOO_LARGE' }),
      tooLarge: true,
    });
  });

  it.each([
    [new ServiceException({ ...meta(500), message: 'internal' }), 'retry', 'CW_TARGET_UNAVAILABLE'],
    [new ResourceConflictException({ ...meta(409), message: 'function is being updated' }), 'retry', 'CW_TARGET_UNAVAILABLE'],
    [{ name: 'ExpiredTokenException', message: 'expired', ...meta(403) }, 'retry', 'CW_TARGET_UNAVAILABLE'],
    [{ name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'retry', 'CW_TARGET_UNAVAILABLE'],
    [{ name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' }, 'retry', 'CW_TARGET_UNAVAILABLE'],
    [{ name: 'TimeoutError', message: 'socket timed out' }, 'retry', 'CW_TARGET_TIMEOUT'],
    [{ name: 'X', ...meta(408) }, 'retry', 'CW_TARGET_TIMEOUT'],
    [new ResourceNotFoundException({ ...meta(404), message: 'Function not found' }), 'reject', 'CW_TARGET_REJECTED'],
    [{ name: 'InvalidRequestContentException', message: 'bad json', ...meta(400) }, 'reject', 'CW_TARGET_REJECTED'],
    [{ name: 'AccessDeniedException', message: 'denied', ...meta(403) }, 'reject', 'CW_TARGET_REJECTED'],
  ])('%o → %s %s', (err, status, code) => {
    const { outcome } = classifyInvokeError(err, false, 1_000);
    expect(outcome).toMatchObject({ status, code });
    if (outcome.status !== 'delivered') expect(outcome.message.length).toBeGreaterThan(0);
  });

  it('an abort (the engine’s timeout or shutdown) is CW_TARGET_TIMEOUT whatever the error', () => {
    expect(classifyInvokeError(new ServiceException({ ...meta(500), message: 'x' }), true, 1_000).outcome).toMatchObject({
      code: 'CW_TARGET_TIMEOUT',
    });
    expect(classifyInvokeError({ name: 'AbortError', message: 'aborted' }, false, 1_000).outcome).toMatchObject({
      code: 'CW_TARGET_TIMEOUT',
    });
  });
});

describe('clientContextFor', () => {
  const decode = (b64: string | undefined) => (b64 === undefined ? undefined : JSON.parse(Buffer.from(b64, 'base64').toString('utf8')));

  it('the first delivery’s lineage and the number of events, as base64 JSON', () => {
    const batch = variedBatch(4);
    expect(decode(clientContextFor(batch, 3_583))).toEqual({ custom: { ...batch[0]!.lineage, 'causeway-events': '4' } });
    expect(clientContextFor([], 3_583)).toBeUndefined();
  });

  it('stays within the limit: drops to traceparent and route, then to nothing', () => {
    const [d] = variedBatch(1, { route: 'r'.repeat(2_550) });
    const full = clientContextFor([d!], 3_583)!;
    expect(full.length).toBeLessThanOrEqual(3_583);
    expect(Object.keys(decode(full).custom)).toEqual(['traceparent', 'causeway-route']);
    const [huge] = variedBatch(1, { route: 'r'.repeat(3_000) });
    expect(clientContextFor([huge!], 3_583)).toBeUndefined();
  });
});
