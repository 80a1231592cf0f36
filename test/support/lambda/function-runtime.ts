/**
 * The execution environment half of the Lambda emulator (emulator.ts): the Runtime API
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) on its own port, and the
 * function as a real child process (`node runtime-loop.mjs <handler>`, AWS_LAMBDA_RUNTIME_API
 * pointing here). One invocation at a time, queued, as in one Lambda execution environment (and
 * one RIE). Behaviour kept from Lambda/RIE:
 *
 * - `next` long-polls; the event goes out with Lambda-Runtime-Aws-Request-Id, -Deadline-Ms,
 *   -Invoked-Function-Arn, -Trace-Id and (when the invoker sent one) -Client-Context, the
 *   decoded JSON of X-Amz-Client-Context, which is what runtimes JSON.parse.
 * - `response` → 202; a response over 6 MB → 413 to the runtime and a
 *   Function.ResponseSizeTooLarge function error to the invoker.
 * - `error` → 202; the invoker gets the error document as a function error.
 * - `init/error` → 202; the invocations waiting get it as a function error; the process exits
 *   and the next invocation starts a new one (Lambda re-initializes a failed environment).
 * - A timeout kills the process (Sandbox.Timedout), a crash fails the invocation
 *   (Runtime.ExitError); the next invocation starts a fresh process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { listenLocal, type Listening } from '../listen-local.js';

export interface InvocationResult {
  /** The function's result (JSON), or its error document when `error` is set. */
  readonly body: Buffer;
  /** Set when the invocation failed (the invoker sees X-Amz-Function-Error: Unhandled). */
  readonly error?: string;
}

export interface Invocation {
  readonly id: string;
  readonly payload: Buffer;
  /** Decoded client context JSON (sync invocations only). */
  readonly clientContext?: string;
  readonly invokedArn: string;
  readonly done: (r: InvocationResult) => void;
}

export interface RuntimeOptions {
  readonly handler: string;
  readonly functionName: string;
  readonly region: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly responseLimitBytes: number;
}

const RUNTIME_LOOP = new URL('./runtime-loop.mjs', import.meta.url).pathname;
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const traceId = (): string =>
  `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;

export class FunctionRuntime {
  private server: Listening | undefined;
  private child: ChildProcess | undefined;
  private readonly queue: Invocation[] = [];
  private current: { inv: Invocation; timer: NodeJS.Timeout } | undefined;
  /** The runtime's parked `next` request. */
  private waiting: ServerResponse | undefined;
  private closed = false;
  /** Everything the function process wrote (stdout and stderr), for debugging a failing test. */
  readonly output: string[] = [];
  address = '';

  constructor(private readonly opts: RuntimeOptions) {}

  async start(): Promise<void> {
    this.server = await listenLocal(createServer((req, res) => void this.route(req, res).catch(() => res.destroy())));
    this.address = `127.0.0.1:${this.server.port}`;
    this.spawn(); // init ahead of the first invoke, as a warm environment
  }

  enqueue(inv: Invocation): void {
    if (this.closed) return inv.done({ body: json({ errorType: 'Runtime.Closed', errorMessage: 'emulator closed' }), error: 'Unhandled' });
    this.queue.push(inv);
    if (this.child === undefined) this.spawn();
    this.pump();
  }

  /** Invocations queued or running. */
  get busy(): number {
    return this.queue.length + (this.current === undefined ? 0 : 1);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.child?.kill('SIGKILL');
    for (const inv of this.queue.splice(0))
      inv.done({ body: json({ errorType: 'Runtime.Closed', errorMessage: 'emulator closed' }), error: 'Unhandled' });
    await this.server?.close();
  }

  private spawn(): void {
    if (this.closed) return;
    const o = this.opts;
    const child = spawn(process.execPath, [RUNTIME_LOOP, o.handler], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        AWS_LAMBDA_RUNTIME_API: this.address,
        AWS_LAMBDA_FUNCTION_NAME: o.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
        AWS_REGION: o.region,
        AWS_DEFAULT_REGION: o.region,
        ...o.env,
      },
    });
    const keep = (b: Buffer): void => {
      this.output.push(b.toString('utf8'));
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code, signal) => this.exited(child, code, signal));
    this.child = child;
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.waiting = undefined;
    if (this.current !== undefined) {
      const { inv, timer } = this.current;
      clearTimeout(timer);
      this.current = undefined;
      const why = signal === null ? `exit status ${code}` : `signal: ${signal}`;
      inv.done({
        body: json({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${inv.id} Error: Runtime exited with error: ${why}` }),
        error: 'Unhandled',
      });
    }
    if (this.queue.length > 0) this.spawn();
  }

  /** Hands the next queued invocation to a waiting runtime. */
  private pump(): void {
    if (this.current !== undefined || this.waiting === undefined) return;
    const inv = this.queue.shift();
    if (inv === undefined) return;
    const res = this.waiting;
    this.waiting = undefined;
    const deadline = Date.now() + this.opts.timeoutMs;
    const timer = setTimeout(() => this.timedOut(inv), this.opts.timeoutMs);
    this.current = { inv, timer };
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': inv.id,
      'lambda-runtime-deadline-ms': String(deadline),
      'lambda-runtime-invoked-function-arn': inv.invokedArn,
      'lambda-runtime-trace-id': traceId(),
      ...(inv.clientContext === undefined ? {} : { 'lambda-runtime-client-context': inv.clientContext }),
    });
    res.end(inv.payload);
  }

  private timedOut(inv: Invocation): void {
    if (this.current?.inv !== inv) return;
    this.current = undefined;
    const secs = (this.opts.timeoutMs / 1000).toFixed(2);
    inv.done({
      body: json({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${inv.id} Error: Task timed out after ${secs} seconds` }),
      error: 'Unhandled',
    });
    this.child?.kill('SIGKILL'); // exited() starts a new process for what is queued
  }

  private finish(id: string, result: InvocationResult): boolean {
    if (this.current?.inv.id !== id) return false;
    const { inv, timer } = this.current;
    clearTimeout(timer);
    this.current = undefined;
    inv.done(result);
    return true;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await buffer(req);
    const url = req.url ?? '';
    const answer = (status: number, doc: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(json(doc));
    };
    const badId = (): void => answer(400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      this.waiting = res;
      res.on('close', () => {
        if (this.waiting === res) this.waiting = undefined;
      });
      return this.pump();
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && m) {
      const id = decodeURIComponent(m[1]!);
      if (m[2] === 'response') {
        if (body.length > this.opts.responseLimitBytes) {
          const limit = this.opts.responseLimitBytes;
          const failed = this.finish(id, {
            body: json({
              errorType: 'Function.ResponseSizeTooLarge',
              errorMessage: `Response payload size exceeded maximum allowed payload size (${limit} bytes).`,
            }),
            error: 'Unhandled',
          });
          return failed
            ? answer(413, { errorMessage: `Exceeded maximum allowed payload size (${limit} bytes).`, errorType: 'RequestEntityTooLarge' })
            : badId();
        }
        return this.finish(id, { body }) ? answer(202, { status: 'OK' }) : badId();
      }
      const type = String(req.headers['lambda-runtime-function-error-type'] ?? 'Unhandled');
      const doc = (() => {
        try {
          return JSON.parse(body.toString('utf8')) as unknown;
        } catch {
          return { errorType: type, errorMessage: body.toString('utf8') };
        }
      })();
      return this.finish(id, { body: json(doc), error: 'Unhandled' }) ? answer(202, { status: 'OK' }) : badId();
    }
    if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
      const doc = body.length > 0 ? body : json({ errorType: 'Runtime.Unknown', errorMessage: 'init failed' });
      for (const inv of this.queue.splice(0)) inv.done({ body: doc, error: 'Unhandled' });
      return answer(202, { status: 'OK' });
    }
    answer(404, { errorMessage: `no such Runtime API path: ${req.method} ${url}`, errorType: 'NotFound' });
  }
}

export const newRequestId = (): string => randomUUID();
