import { createServer, type IncomingMessage, type RequestListener, type ServerOptions, type ServerResponse } from 'node:http';
import { CausewayError, isCausewayError } from '../../core/index.js';
import { acceptedBody, intakeGuard, transportMeta, type HttpAppDeps } from './create-http-app.js';
import { problemParts } from './problem.js';
import { readBody } from './read-body.js';

/**
 * A `createServer` for @hono/node-server's `serve` that answers `POST /events` (the hot path:
 * every CloudEvent in binary, structured or batch mode) straight on node:http and hands every
 * other request to Hono. Same checks, same answers as the Hono route (intakeGuard, readBody,
 * acceptHttp, the 202 body, problem+json on errors, `connection: close` while draining); what it
 * skips is the Hono machinery per request (request wrapper, router, middleware chain, context,
 * Response object), ~30 µs of CPU per request in bench/accept-path.ts profiles: a fifth of a
 * single-event POST.
 */
export function fastIntakeServer(deps: HttpAppDeps): typeof createServer {
  const make = (options: ServerOptions, hono: RequestListener) =>
    createServer(options, (req, res) => {
      const url = req.url;
      if (req.method === 'POST' && (url === '/events' || url?.startsWith('/events?') === true)) {
        // intake answers every error itself; this only guards against a throwing logger.
        intake(deps, req, res).catch(() => res.destroy());
      } else hono(req, res);
    });
  return make as typeof createServer;
}

async function intake(deps: HttpAppDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let status = 202;
  let headers: Record<string, string | number>;
  let body: string;
  try {
    intakeGuard(deps);
    const h = req.headersDistinct as Record<string, string[]>;
    const bytes = await readBody(req, deps.bodyLimit).catch((e: unknown) => {
      if (isCausewayError(e)) deps.onRejected(e.code);
      throw e;
    });
    const { mode, accepted } = await deps.accept.acceptHttp({ headers: h, body: bytes }, transportMeta(h));
    headers = { 'content-type': 'application/json' };
    body = JSON.stringify(acceptedBody(mode, accepted));
  } catch (err) {
    // As the Hono app's onError: unexpected errors are logged, every error is a problem answer.
    if (!(err instanceof CausewayError) || err.code === 'CW_INTERNAL') deps.onInternalError?.(err, 'POST /events');
    ({ status, headers, body } = problemParts(err, deps.retryAfterSeconds));
  }
  // Drain (issue 3): as the Hono app's middleware, answers close their connection once intake stops.
  if (!deps.accepting()) headers.connection = 'close';
  headers['content-length'] = Buffer.byteLength(body);
  if (!res.headersSent && !res.destroyed) res.writeHead(status, headers).end(body);
}
