// Records what it received (./recording.mjs) and returns null: a function that always succeeds.
import { recordInvocation } from './recording.mjs';

export async function handler(_event, context) {
  recordInvocation(context);
  return null;
}
