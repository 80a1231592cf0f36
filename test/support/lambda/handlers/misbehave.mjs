// For the emulator's own tests: does what the event asks. {"sleepMs": n} waits first;
// {"crash": code} exits the process mid-invocation; {"result": v} is returned; {"big": n}
// returns a string of n characters. Records what it received, like the others.
import { recordInvocation } from './recording.mjs';

export async function handler(event, context) {
  recordInvocation(context);
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  if (event.crash !== undefined) process.exit(event.crash);
  if (event.big) return 'x'.repeat(event.big);
  return event.result ?? { remainingMs: context.getRemainingTimeInMillis(), clientContext: context.clientContext ?? null };
}
