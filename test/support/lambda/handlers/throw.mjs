// Records what it received, then throws: every invocation ends in a FunctionError
// (Lambda answers 200 with X-Amz-Function-Error: Unhandled and the error document).
import { recordInvocation } from './recording.mjs';

class BidRejectedError extends Error {
  name = 'BidRejectedError';
}

export async function handler(event, context) {
  recordInvocation(context);
  const n = Array.isArray(event) ? event.length : Object.values(event?.records ?? {}).flat().length;
  throw new BidRejectedError(`cannot process ${n} events`);
}
