/**
 * The AWS SDK client settings every AWS target uses (lambda, eventbridge): one attempt per call
 * (`maxAttempts: 1`: the delivery engine does the waiting and retrying, DESIGN §6), keep-alive
 * sockets, and a connect timeout so an unreachable endpoint fails fast instead of at the route's
 * timeout. Credentials are not set here: the SDK's default provider chain finds them.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

const CONNECT_TIMEOUT_MS = 5_000;

export function awsClientConfig(o: { region: string; endpoint: string | undefined; maxSockets: number }) {
  const agent = { keepAlive: true, maxSockets: o.maxSockets };
  return {
    region: o.region,
    ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
    maxAttempts: 1,
    requestHandler: { httpAgent: new HttpAgent(agent), httpsAgent: new HttpsAgent(agent), connectionTimeout: CONNECT_TIMEOUT_MS },
  };
}
