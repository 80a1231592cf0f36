/**
 * The Lambda emulator (test/support/lambda/) behaves as Lambda's Invoke API and Runtime API do,
 * with a real Node handler process: raw HTTP for the wire details, the real SDK for how it calls
 * functions by name, ARN and qualifier. The lambda target's tests rely on all of this.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_LIMITS, HANDLERS, startLambdaEmulator, type LambdaEmulator } from '../support/lambda/emulator.js';
import { readRecorded } from '../support/lambda/records.js';

const PATH = '/2015-03-31/functions/function/invocations';
let dir: string;
const running: LambdaEmulator[] = [];
let files = 0;

async function emulator(handler: string, opts: Partial<Parameters<typeof startLambdaEmulator>[0]> = {}) {
  const file = join(dir, `rec-${++files}.jsonl`);
  const emu = await startLambdaEmulator({ handler, ...opts, env: { RECORD_FILE: file, ...opts.env } });
  running.push(emu);
  return { emu, file };
}

const invoke = (emu: LambdaEmulator, body: string | Buffer, headers: Record<string, string> = {}, path = PATH) =>
  fetch(`${emu.url}${path}`, { method: 'POST', body, headers });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambda-emu-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Invoke API (RequestResponse)', () => {
  it('runs the handler in its own process and answers 200 with its result; the function got the bytes, ARN and client context', async () => {
    const { emu, file } = await emulator(HANDLERS.misbehave);
    const body = '{"result":{"ok":true},  "note":"Euro € 😀"}';
    const cc = Buffer.from(JSON.stringify({ custom: { traceparent: '00-abc', 'causeway-route': 'r1' } })).toString('base64');
    const res = await invoke(emu, body, { 'x-amz-client-context': cc });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBeNull();
    expect(res.headers.get('x-amz-executed-version')).toBe('$LATEST');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({ ok: true });
    const [rec] = readRecorded(file);
    expect(rec!.payload.toString('utf8')).toBe(body); // byte for byte, spacing and all
    expect(rec!.requestId).toBe(res.headers.get('x-amzn-requestid'));
    expect(rec!.functionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:function');
    expect(rec!.clientContext).toEqual({ custom: { traceparent: '00-abc', 'causeway-route': 'r1' } });
  });

  it('the deadline is the function timeout from now', async () => {
    const { emu } = await emulator(HANDLERS.misbehave, { timeoutMs: 4_000 });
    const out = (await (await invoke(emu, '{}')).json()) as { remainingMs: number };
    expect(out.remainingMs).toBeGreaterThan(3_000);
    expect(out.remainingMs).toBeLessThanOrEqual(4_000);
  });

  it('a handler that throws: 200 with X-Amz-Function-Error: Unhandled and the error document', async () => {
    const { emu } = await emulator(HANDLERS.throw);
    const res = await invoke(emu, '[{"id":"a"},{"id":"b"}]');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    const doc = (await res.json()) as { errorType: string; errorMessage: string; trace: string[] };
    expect(doc).toMatchObject({ errorType: 'BidRejectedError', errorMessage: 'cannot process 2 events' });
    expect(doc.trace[0]).toContain('BidRejectedError');
  });

  it('one invocation at a time: concurrent invokes queue for the one environment', async () => {
    const { emu, file } = await emulator(HANDLERS.misbehave);
    const started = Date.now();
    const answers = await Promise.all([0, 1, 2].map((n) => invoke(emu, JSON.stringify({ sleepMs: 200, result: n })).then((r) => r.json())));
    expect(answers).toEqual([0, 1, 2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    const at = readRecorded(file).map((r) => r.at);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(190);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(190);
  });

  it('the payload limit: 6,291,456 bytes is invoked, one byte more is 413 RequestEntityTooLargeException', async () => {
    const { emu, file } = await emulator(HANDLERS.record);
    const json = (n: number) => `"${'x'.repeat(n - 2)}"`;
    const ok = await invoke(emu, json(EMULATOR_LIMITS.syncPayloadBytes));
    expect(ok.status).toBe(200);
    const over = await invoke(emu, json(EMULATOR_LIMITS.syncPayloadBytes + 1));
    expect(over.status).toBe(413);
    expect(over.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    expect(((await over.json()) as { message: string }).message).toBe(
      'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    );
    expect(readRecorded(file)).toHaveLength(1);
  });

  it('a body that is not JSON is 400 InvalidRequestContentException, never run', async () => {
    const { emu, file } = await emulator(HANDLERS.record);
    const res = await invoke(emu, 'not json');
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    await emu.idle();
    expect(readRecorded(file)).toEqual([]);
  });

  it('client context: base64 JSON of at most 3,583 bytes, else 400', async () => {
    const { emu } = await emulator(HANDLERS.record);
    const big = Buffer.from(JSON.stringify({ custom: { x: 'y'.repeat(2_700) } })).toString('base64');
    expect(big.length).toBeGreaterThan(EMULATOR_LIMITS.clientContextBytes);
    expect((await invoke(emu, '{}', { 'x-amz-client-context': big })).status).toBe(400);
    expect((await invoke(emu, '{}', { 'x-amz-client-context': Buffer.from('nope').toString('base64') })).status).toBe(400);
  });

  it('DryRun is 204 and runs nothing', async () => {
    const { emu, file } = await emulator(HANDLERS.record);
    expect((await invoke(emu, '{}', { 'x-amz-invocation-type': 'DryRun' })).status).toBe(204);
    await emu.idle();
    expect(readRecorded(file)).toEqual([]);
  });
});

describe('Invoke API (Event)', () => {
  it('202 with an empty body at once; the invocation still runs, without the client context', async () => {
    const { emu, file } = await emulator(HANDLERS.misbehave);
    const cc = Buffer.from('{"custom":{"a":"b"}}').toString('base64');
    const started = Date.now();
    const res = await invoke(emu, '{"sleepMs":300}', { 'x-amz-invocation-type': 'Event', 'x-amz-client-context': cc });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    expect(Date.now() - started).toBeLessThan(250);
    await emu.idle();
    const [rec] = readRecorded(file);
    expect(rec!.payload.toString()).toBe('{"sleepMs":300}');
    expect(rec!.clientContext).toBeNull();
  });

  it('the async limit is 1,048,576 bytes', async () => {
    const { emu } = await emulator(HANDLERS.record);
    const json = (n: number) => `"${'x'.repeat(n - 2)}"`;
    expect((await invoke(emu, json(EMULATOR_LIMITS.asyncPayloadBytes), { 'x-amz-invocation-type': 'Event' })).status).toBe(202);
    const over = await invoke(emu, json(EMULATOR_LIMITS.asyncPayloadBytes + 1), { 'x-amz-invocation-type': 'Event' });
    expect(over.status).toBe(413);
    expect(over.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    expect(((await over.json()) as { message: string }).message).toBe(
      '1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)',
    );
    await emu.idle();
  });
});

describe('the function process', () => {
  it('a crash fails its invocation with Runtime.ExitError; the next invocation gets a fresh process', async () => {
    const { emu } = await emulator(HANDLERS.misbehave);
    const res = await invoke(emu, '{"crash":3}');
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await res.json()).toMatchObject({ errorType: 'Runtime.ExitError', errorMessage: expect.stringContaining('exit status 3') });
    expect(await (await invoke(emu, '{"result":"again"}')).json()).toBe('again');
  });

  it('a timeout kills the process (Sandbox.Timedout); the next invocation works', async () => {
    const { emu } = await emulator(HANDLERS.misbehave, { timeoutMs: 300 });
    const res = await invoke(emu, '{"sleepMs":5000}');
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await res.json()).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringContaining('Task timed out after 0.30 seconds'),
    });
    expect(await (await invoke(emu, '{"result":1}')).json()).toBe(1);
  });

  it('a handler that cannot be loaded: init error (Runtime.ImportModuleError) as a function error', async () => {
    const { emu } = await emulator(join(dir, 'no-such-handler.mjs'));
    const res = await invoke(emu, '{}');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await res.json()).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
  });

  it('a response over 6 MB is a Function.ResponseSizeTooLarge function error', async () => {
    const { emu } = await emulator(HANDLERS.misbehave);
    const res = await invoke(emu, JSON.stringify({ big: EMULATOR_LIMITS.syncPayloadBytes }));
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await res.json()).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
  });
});

describe('function names, through the real SDK', () => {
  const client = (emu: LambdaEmulator) =>
    new LambdaClient({ region: 'eu-west-1', endpoint: emu.url, maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

  it('by name, ARN, partial ARN and qualifier (path or Qualifier); the function sees the invoked ARN', async () => {
    const { emu, file } = await emulator(HANDLERS.record, { functionName: 'bids', region: 'eu-west-1', qualifiers: ['live', '3'] });
    const c = client(emu);
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:bids';
    try {
      for (const [FunctionName, Qualifier] of [
        ['bids', undefined],
        ['function', undefined],
        [arn, undefined],
        ['123456789012:function:bids', undefined],
        [arn, 'live'],
        [`${arn}:3`, undefined],
        ['bids:live', undefined],
      ] as const) {
        const out = await c.send(new InvokeCommand({ FunctionName, Qualifier, Payload: Buffer.from('{}') }));
        expect(out.StatusCode, `${FunctionName} ${Qualifier}`).toBe(200);
      }
      expect(readRecorded(file).map((r) => r.functionArn)).toEqual([arn, arn, arn, arn, `${arn}:live`, `${arn}:3`, `${arn}:live`]);
      expect(emu.invocations.map((i) => [i.name, i.qualifier])).toContainEqual([arn, 'live']);
    } finally {
      c.destroy();
    }
  });

  it('unknown function, region, account or qualifier: ResourceNotFoundException (404)', async () => {
    const { emu, file } = await emulator(HANDLERS.record, { functionName: 'bids', region: 'eu-west-1' });
    const c = client(emu);
    try {
      for (const [FunctionName, Qualifier] of [
        ['other', undefined],
        ['arn:aws:lambda:us-east-1:123456789012:function:bids', undefined],
        ['arn:aws:lambda:eu-west-1:999999999999:function:bids', undefined],
        ['bids', 'nope'],
      ] as const) {
        const err = await c.send(new InvokeCommand({ FunctionName, Qualifier, Payload: Buffer.from('{}') })).catch((e: unknown) => e);
        expect(err, String(FunctionName)).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
      }
      await emu.idle();
      expect(readRecorded(file)).toEqual([]);
    } finally {
      c.destroy();
    }
  });
});
