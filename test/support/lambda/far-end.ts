/**
 * The far end of the lambda target in tests: the emulator (emulator.ts) running a test handler
 * that records what it gets, behind the fault proxy (../fault-proxy.ts), which answers with
 * Lambda's real error shapes (x-amzn-ErrorType, Retry-After) when a fault is set. The target
 * talks to `proxy.url` through the real SDK (endpoint override).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../../../src/core/index.js';
import { lambdaTarget, type LambdaTargetConfig } from '../../../src/targets/index.js';
import type { TargetFault } from '../../contract/target.contract.js';
import type { ReceivedEvent } from '../../contract/target-helpers.js';
import { startFaultProxy, type FaultProxy, type FaultSpec } from '../fault-proxy.js';
import { HANDLERS, startLambdaEmulator, type EmulatorOptions, type LambdaEmulator } from './emulator.js';
import { readRecorded, receivedFrom, type RecordedInvocation } from './records.js';

/** A Lambda API error answer as Lambda sends it (the SDK reads the type from x-amzn-ErrorType). */
export function lambdaError(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
  extra: object = {},
): FaultSpec {
  return {
    kind: 'respond',
    status,
    headers: { 'x-amzn-errortype': type, 'x-amzn-requestid': 'f00d0000-0000-4000-8000-000000000000', ...headers },
    body: JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message, ...extra }),
  };
}

export const THROTTLED = (retryAfterSeconds?: number): FaultSpec =>
  lambdaError(
    429,
    'TooManyRequestsException',
    'Rate Exceeded.',
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
    { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
  );

/** The contract's faults as Lambda produces them. */
export const LAMBDA_FAULTS: Record<TargetFault, FaultSpec | undefined> = {
  none: undefined,
  unavailable: lambdaError(500, 'ServiceException', 'Lambda encountered an internal error'),
  throttle: THROTTLED(1),
  reject: lambdaError(404, 'ResourceNotFoundException', 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:contract-fn'),
  slow: { kind: 'hang' },
};

export interface LambdaFarEnd {
  readonly emulator: LambdaEmulator;
  readonly proxy: FaultProxy;
  /** The JSONL file the handler records into. */
  readonly file: string;
  recorded(): RecordedInvocation[];
  received(shape: 'cloudevents' | 'aws:kafka'): ReceivedEvent[];
  close(): Promise<void>;
}

export async function startLambdaFarEnd(opts: Partial<EmulatorOptions> = {}): Promise<LambdaFarEnd> {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-lambda-'));
  const file = join(dir, 'received.jsonl');
  const emulator = await startLambdaEmulator({ handler: HANDLERS.record, ...opts, env: { RECORD_FILE: file, ...opts.env } });
  const proxy = await startFaultProxy(emulator.url);
  return {
    emulator,
    proxy,
    file,
    recorded: () => readRecorded(file),
    received: (shape) => readRecorded(file).flatMap((r) => receivedFrom(shape, r.payload)),
    async close() {
      await proxy.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Lambda targets on fresh far ends (function `bids` in eu-west-1 unless told otherwise), for tests:
 * `cleanup()` (afterEach) closes every target and far end made.
 */
export function lambdaTargets() {
  const made: Array<{ end: LambdaFarEnd; target: Target }> = [];
  return {
    async setup(config: Partial<LambdaTargetConfig> = {}, far: Partial<EmulatorOptions> = {}, kafkaBrokers: string[] = []) {
      const end = await startLambdaFarEnd({ functionName: 'bids', region: 'eu-west-1', ...far });
      const target = lambdaTarget.create(
        { function: 'bids', region: 'eu-west-1', endpoint: end.proxy.url, ...config },
        { env: {}, kafkaBrokers },
      );
      made.push({ end, target });
      return { end, target };
    },
    async cleanup() {
      for (const { end, target } of made.splice(0)) {
        await target.close();
        await end.close();
      }
    },
  };
}
