// Shared by the test handlers: appends one JSON line per invocation to the file named by
// RECORD_FILE (when set) with what the function received: the request id, the invoked ARN, the
// client context, and the payload bytes exactly as received (base64; `rawPayload` is the test
// runtime's extra, see ../runtime-loop.mjs).
import { appendFileSync } from 'node:fs';

export function recordInvocation(context) {
  const file = process.env.RECORD_FILE;
  if (!file) return;
  const line = {
    requestId: context.awsRequestId,
    functionArn: context.invokedFunctionArn,
    clientContext: context.clientContext ?? null,
    payload: Buffer.from(context.rawPayload).toString('base64'),
    at: Date.now(),
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}
