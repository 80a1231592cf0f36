/**
 * A small HTTP reverse proxy that injects faults in front of a real far end (moto, the Lambda
 * emulator) for what the far end cannot be made to do itself: throttling, 5xx, slow answers,
 * dropped connections. The target under test talks to the proxy exactly as it would to the far
 * end (the SDK's endpoint override); with no fault set, every request and answer passes through
 * unchanged. Each harness maps a contract fault to the answer its service really gives (e.g.
 * Lambda's TooManyRequestsException with Retry-After), so the SDK parses a genuine error shape.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { listenLocal } from './listen-local.js';

export type FaultSpec =
  /** Answer with this response instead of forwarding. */
  | { readonly kind: 'respond'; readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  /** Destroy the client's connection without an answer. */
  | { readonly kind: 'reset' }
  /** Never answer (the client must abort). */
  | { readonly kind: 'hang' }
  /** Forward, but only after this delay. */
  | { readonly kind: 'delay'; readonly ms: number };

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly faulted: boolean;
  /** When the request arrived (ms since the epoch), to measure the waits between attempts. */
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body?: Buffer;
}

export interface FaultProxyOptions {
  /** Keep each request's body in `requests` (off by default: a benchmark sends many). */
  readonly recordBodies?: boolean;
}

export interface FaultProxy {
  /** e.g. http://127.0.0.1:43121 — give it to the SDK as `endpoint`. */
  readonly url: string;
  /** The fault for requests from now on; `undefined` passes everything through. */
  set(fault: FaultSpec | undefined, opts?: { readonly match?: (req: IncomingMessage) => boolean; readonly times?: number }): void;
  /** Requests seen so far (forwarded or faulted): method, path, headers, and the body when `recordBodies`. */
  readonly requests: readonly ProxiedRequest[];
  /** Client connections currently open to the proxy. */
  openConnections(): number;
  close(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection: a proxy does not pass them on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const endToEnd = (headers: IncomingHttpHeaders): IncomingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));

export async function startFaultProxy(upstream: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const target = new URL(upstream);
  let fault: FaultSpec | undefined;
  let match: ((req: IncomingMessage) => boolean) | undefined;
  let remaining = Infinity;
  const requests: ProxiedRequest[] = [];
  const hanging = new Set<ServerResponse>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const up = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...endToEnd(req.headers), host: target.host },
      },
      (upRes) => {
        // Each side keeps its own connection (moto's server closes every one; the client's stays alive).
        res.writeHead(upRes.statusCode ?? 502, endToEnd(upRes.headers));
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    up.end(body);
  };

  const server = createServer((req, res) => {
    void buffer(req)
      .then((body) => {
        const active = fault !== undefined && remaining > 0 && (match === undefined || match(req)) ? fault : undefined;
        if (active !== undefined) remaining -= 1;
        requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          faulted: active !== undefined,
          at: Date.now(),
          headers: req.headers,
          ...(options.recordBodies === true && { body }),
        });
        if (active === undefined) return forward(req, res, body);
        switch (active.kind) {
          case 'respond':
            res.writeHead(active.status, { 'content-type': 'application/json', ...(active.headers ?? {}) });
            res.end(active.body ?? '');
            return;
          case 'reset':
            req.socket.destroy();
            return;
          case 'hang':
            hanging.add(res);
            res.on('close', () => hanging.delete(res));
            return;
          case 'delay':
            setTimeout(() => forward(req, res, body), active.ms).unref();
            return;
        }
      })
      .catch(() => res.destroy()); // the client went away mid-request
  });
  const listening = await listenLocal(server);

  return {
    url: listening.url,
    set(f, opts = {}) {
      fault = f;
      match = opts.match;
      remaining = opts.times ?? Infinity;
    },
    requests,
    openConnections: () => listening.sockets.size,
    async close() {
      for (const res of hanging) res.destroy();
      await listening.close();
    },
  };
}
