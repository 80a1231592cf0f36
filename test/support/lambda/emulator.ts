/**
 * A Lambda emulator for tests: the two APIs the AWS Lambda Runtime Interface Emulator (RIE)
 * implements, the Invoke API here and the Runtime API in function-runtime.ts, with a real Node
 * handler process behind them (runtime-loop.mjs + handlers/). The real RIE cannot be installed
 * on this machine (its Go module is not reachable through the module proxy here), so this
 * stands in for it and behaves as RIE and Lambda do, so the same handler loop would run
 * unchanged under the real RIE. Where it knowingly differs from RIE or Lambda:
 *
 * - `Event` invocations answer 202 and run later, as Lambda does; RIE does not implement them.
 *   Lambda would retry a failed async invocation twice; this does not.
 * - Invocations queue for one execution environment; Lambda would run them concurrently.
 * - Function names: `function` (RIE's only name), the configured name, its ARN or partial ARN,
 *   with `$LATEST` or a configured qualifier. Lambda has real versions and aliases.
 * - The request limits (6,291,456 bytes sync, 1,048,576 async), client context check
 *   (base64 JSON of at most 3,583 bytes) and error shapes follow AWS's documentation; exact
 *   error messages may differ from Lambda's. No signature check (RIE does none either).
 *
 * With CAUSEWAY_LAMBDA_RIE naming an `aws-lambda-rie` binary, `startLambdaEmulator` starts that
 * instead (untested here, for the reason above): only the name `function`, no Event, no limits,
 * and `invocations` stays empty.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { listenLocal } from '../listen-local.js';
import { FunctionRuntime, newRequestId, type InvocationResult } from './function-runtime.js';

export const HANDLERS = {
  record: new URL('./handlers/record.mjs', import.meta.url).pathname,
  throw: new URL('./handlers/throw.mjs', import.meta.url).pathname,
  partial: new URL('./handlers/partial.mjs', import.meta.url).pathname,
  /** The emulator's own tests: sleeps, crashes, big answers on demand. */
  misbehave: new URL('./handlers/misbehave.mjs', import.meta.url).pathname,
} as const;

export const EMULATOR_LIMITS = { syncPayloadBytes: 6_291_456, asyncPayloadBytes: 1_048_576, clientContextBytes: 3_583 } as const;

export interface EmulatorOptions {
  /** Path of the handler module (HANDLERS.record, …). */
  readonly handler: string;
  /** Default `function`, the only name RIE knows. */
  readonly functionName?: string;
  readonly region?: string;
  readonly accountId?: string;
  /** Qualifiers besides `$LATEST` that exist (versions, aliases). */
  readonly qualifiers?: readonly string[];
  /** Environment of the function process (RECORD_FILE, PARTIAL_* …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Function timeout (RIE's default: 300 s). */
  readonly timeoutMs?: number;
}

export interface InvocationRecord {
  readonly requestId: string;
  readonly type: string;
  /** The function name as it was in the path (decoded), and the Qualifier query parameter. */
  readonly name: string;
  readonly qualifier: string | undefined;
  readonly bytes: number;
  readonly clientContext: string | undefined;
  /** What the Invoke API answered. */
  readonly status: number;
  readonly errorType?: string;
  readonly functionError?: string;
  readonly at: number;
}

export interface LambdaEmulator {
  /** Invoke API base URL: the SDK's `endpoint`. */
  readonly url: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** Every Invoke API request answered so far. */
  readonly invocations: readonly InvocationRecord[];
  /** Lines the function process wrote. */
  output(): string;
  /** Resolves once no invocation is queued or running (async ones included). */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaEmulator(opts: EmulatorOptions): Promise<LambdaEmulator> {
  const rie = process.env.CAUSEWAY_LAMBDA_RIE;
  if (rie !== undefined && rie !== '') return startRealRie(rie, opts);
  const name = opts.functionName ?? 'function';
  const region = opts.region ?? 'us-east-1';
  const account = opts.accountId ?? '123456789012';
  const arn = `arn:aws:lambda:${region}:${account}:function:${name}`;
  const qualifiers = new Set(['$LATEST', ...(opts.qualifiers ?? [])]);
  const runtime = new FunctionRuntime({
    handler: opts.handler,
    functionName: name,
    region,
    env: opts.env ?? {},
    timeoutMs: opts.timeoutMs ?? 300_000,
    responseLimitBytes: EMULATOR_LIMITS.syncPayloadBytes,
  });
  await runtime.start();
  const invocations: InvocationRecord[] = [];

  /** The qualifier a path names (`name`, `name:q`, partial or full ARN), or undefined when it is not this function. */
  const resolveName = (raw: string): { qualifier: string | undefined } | undefined => {
    const m =
      /^arn:aws[a-zA-Z-]*:lambda:([^:]+):(\d{12}):function:([^:]+)(?::(.+))?$/.exec(raw) ??
      /^()(\d{12}):function:([^:]+)(?::(.+))?$/.exec(raw) ??
      /^()()([^:]+)(?::(.+))?$/.exec(raw);
    if (!m) return undefined;
    const [, r, acct, fn, q] = m;
    if ((r && r !== region) || (acct && acct !== account)) return undefined;
    if (fn !== name && !(fn === 'function' && r === '' && acct === '')) return undefined;
    return { qualifier: q };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await buffer(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const requestId = newRequestId();
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const cc = req.headers['x-amz-client-context'];
    const base = {
      requestId,
      type,
      name: '',
      qualifier: url.searchParams.get('Qualifier') ?? undefined,
      bytes: body.length,
      clientContext: typeof cc === 'string' ? cc : undefined,
    };
    const fail = (status: number, errorType: string, message: string): void => {
      invocations.push({ ...base, status, errorType, at: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': errorType, 'x-amzn-requestid': requestId });
      res.end(JSON.stringify({ Type: 'User', message }));
    };
    const m = PATH.exec(url.pathname);
    if (req.method !== 'POST' || !m) return fail(404, 'UnknownOperationException', `no such operation: ${req.method} ${url.pathname}`);
    const raw = decodeURIComponent(m[1]!);
    Object.assign(base, { name: raw });
    const target = resolveName(raw);
    const pathQ = target?.qualifier;
    const queryQ = base.qualifier;
    if (pathQ !== undefined && queryQ !== undefined && pathQ !== queryQ)
      return fail(
        400,
        'InvalidParameterValueException',
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    const qualifier = pathQ ?? queryQ;
    if (target === undefined || (qualifier !== undefined && !qualifiers.has(qualifier)))
      return fail(404, 'ResourceNotFoundException', `Function not found: ${arn}${qualifier === undefined ? '' : `:${qualifier}`}`);
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type))
      return fail(
        400,
        'InvalidParameterValueException',
        `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint`,
      );
    const limit = type === 'Event' ? EMULATOR_LIMITS.asyncPayloadBytes : EMULATOR_LIMITS.syncPayloadBytes;
    // The error type Lambda sends is RequestEntityTooLargeException (its API reference models it
    // as RequestTooLargeException); the messages are the ones Lambda answers.
    if (body.length > limit) {
      const message =
        type === 'Event'
          ? `${body.length} byte payload is too large for the Event invocation type (limit ${limit} bytes)`
          : `Request must be smaller than ${limit} bytes for the InvokeFunction operation`;
      return fail(413, 'RequestEntityTooLargeException', message);
    }
    const payload = body.length === 0 ? Buffer.from('{}') : body;
    try {
      JSON.parse(payload.toString('utf8'));
    } catch (e) {
      return fail(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(e as Error).message}`);
    }
    let clientContext: string | undefined;
    if (typeof cc === 'string') {
      if (cc.length > EMULATOR_LIMITS.clientContextBytes)
        return fail(400, 'InvalidParameterValueException', `Client context must be at most ${EMULATOR_LIMITS.clientContextBytes} bytes`);
      clientContext = Buffer.from(cc, 'base64').toString('utf8');
      try {
        JSON.parse(clientContext);
      } catch {
        return fail(400, 'InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.');
      }
    }
    const done = (status: number, r?: InvocationResult): void => {
      invocations.push({ ...base, status, ...(r?.error === undefined ? {} : { functionError: r.error }), at: Date.now() });
    };
    if (type === 'DryRun') {
      done(204);
      res.writeHead(204, { 'x-amzn-requestid': requestId });
      return void res.end();
    }
    const invokedArn = qualifier === undefined ? arn : `${arn}:${qualifier}`;
    if (type === 'Event') {
      // Lambda passes the client context to the function for synchronous invocations only.
      done(202);
      runtime.enqueue({ id: requestId, payload, invokedArn, done: () => undefined });
      res.writeHead(202, { 'x-amzn-requestid': requestId, 'content-length': '0' });
      return void res.end();
    }
    runtime.enqueue({
      id: requestId,
      payload,
      invokedArn,
      ...(clientContext === undefined ? {} : { clientContext }),
      done: (r) => {
        done(200, r);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amz-executed-version': '$LATEST',
          ...(r.error === undefined ? {} : { 'x-amz-function-error': r.error }),
        };
        res.writeHead(200, headers);
        res.end(r.body);
      },
    });
  };

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  const listening = await listenLocal(server);
  return {
    url: listening.url,
    functionName: name,
    functionArn: arn,
    invocations,
    output: () => runtime.output.join(''),
    async idle(timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (runtime.busy > 0) {
        if (Date.now() > end) throw new Error(`lambda emulator still busy after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await runtime.close();
      await listening.close();
    },
  };
}

/** The real RIE, when CAUSEWAY_LAMBDA_RIE names its binary. Untested here: RIE cannot be installed on this machine. */
async function startRealRie(binary: string, opts: EmulatorOptions): Promise<LambdaEmulator> {
  const probe = netServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const loop = new URL('./runtime-loop.mjs', import.meta.url).pathname;
  const args = ['--runtime-interface-emulator-address', `127.0.0.1:${port}`, process.execPath, loop, opts.handler];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  const out: string[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => out.push(b.toString()));
  await new Promise((r) => setTimeout(r, 500));
  return {
    url: `http://127.0.0.1:${port}`,
    functionName: 'function',
    functionArn: `arn:aws:lambda:us-east-1:012345678912:function:function`,
    invocations: [],
    output: () => out.join(''),
    idle: async () => undefined,
    close: async () => void child.kill(),
  };
}
