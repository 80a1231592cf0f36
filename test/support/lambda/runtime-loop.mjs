// A minimal AWS Lambda Runtime API client (a custom runtime's bootstrap), plain Node, no
// dependencies: `node runtime-loop.mjs <handler file>`. It talks only to AWS_LAMBDA_RUNTIME_API
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), so it runs unchanged under
// the AWS Lambda Runtime Interface Emulator or our emulator (emulator.ts):
//
//   GET  /2018-06-01/runtime/invocation/next            (long poll: the next event)
//   POST /2018-06-01/runtime/invocation/{id}/response   (the handler's result, JSON)
//   POST /2018-06-01/runtime/invocation/{id}/error      (the handler threw)
//   POST /2018-06-01/runtime/init/error                 (the handler could not be loaded)
//
// The handler is `export async function handler(event, context)`. The context has what Node's
// runtime gives (awsRequestId, invokedFunctionArn, functionName, clientContext,
// getRemainingTimeInMillis) plus one test-only extra that Lambda does not have:
// `rawPayload`, the event's bytes exactly as received (for byte-for-byte checks).
import { request, Agent } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const api = process.env.AWS_LAMBDA_RUNTIME_API;
if (!api) {
  console.error('AWS_LAMBDA_RUNTIME_API is not set');
  process.exit(1);
}
const [host, port] = api.split(':');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const BASE = '/2018-06-01/runtime';

/** One HTTP exchange with the Runtime API; no timeout (the next call is a long poll). */
function call(method, path, body, headers = {}) {
  return new Promise((done, fail) => {
    const req = request({ host, port: Number(port), method, path: BASE + path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

const errorDoc = (e) =>
  JSON.stringify({
    errorType: (e && e.name) || 'Error',
    errorMessage: (e && e.message) || String(e),
    trace: String((e && e.stack) || '').split('\n'),
  });

let handler;
try {
  const mod = await import(pathToFileURL(resolve(process.argv[2] ?? '')).href);
  handler = mod.handler;
  if (typeof handler !== 'function')
    throw Object.assign(new Error(`${process.argv[2]} exports no handler function`), { name: 'Runtime.HandlerNotFound' });
} catch (e) {
  const type = e && e.name === 'Runtime.HandlerNotFound' ? e.name : 'Runtime.ImportModuleError';
  await call('POST', '/init/error', errorDoc(Object.assign(e, { name: type })), { 'Lambda-Runtime-Function-Error-Type': type });
  process.exit(1);
}

for (;;) {
  const next = await call('GET', '/invocation/next');
  const id = next.headers['lambda-runtime-aws-request-id'];
  const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
  const cc = next.headers['lambda-runtime-client-context'];
  process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] ?? '';
  const context = {
    awsRequestId: id,
    invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    clientContext: cc === undefined ? undefined : JSON.parse(cc),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    rawPayload: next.body,
  };
  let out;
  try {
    const result = await handler(JSON.parse(next.body.toString('utf8')), context);
    out = await call('POST', `/invocation/${id}/response`, JSON.stringify(result === undefined ? null : result));
  } catch (e) {
    out = await call('POST', `/invocation/${id}/error`, errorDoc(e), { 'Lambda-Runtime-Function-Error-Type': (e && e.name) || 'Error' });
  }
  if (out.status === 413) console.error(`invocation ${id}: response too large for the Runtime API`);
}
