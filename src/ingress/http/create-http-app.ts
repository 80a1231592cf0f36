import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { CausewayError, isCausewayError, type Accepted, type AcceptService, type TransportMeta } from '../../core/index.js';
import type { AdminService } from './admin-port.js';
import { problemResponse } from './problem.js';
import { readBody } from './read-body.js';

export interface HttpAppDeps {
  readonly accept: AcceptService;
  readonly admin: AdminService;
  readonly bodyLimit: number;
  readonly retryAfterSeconds: number;
  readonly metricsText: () => Promise<string>;
  readonly ready: () => Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  /** Counts a request rejected before it reached the accept side (body limit, bad query). */
  readonly onRejected: (code: string) => void;
  /** GET /admin/routes (absent when this instance does not run the dispatch role). */
  readonly routes?: () => Promise<unknown>;
  /** False when this instance runs only the dispatch role: POST /events* answer 404. */
  readonly intake: boolean;
  /** Called with every unexpected error (answered 500 CW_INTERNAL) so it is logged, never silent. */
  readonly onInternalError?: (err: unknown, where: string) => void;
  /** False once shutdown began: intake stops with 503 CW_SHUTTING_DOWN. */
  readonly accepting: () => boolean;
}

type Env = { Bindings: HttpBindings };

function meta(c: Context<Env>): TransportMeta {
  return transportMeta(c.env.incoming.headersDistinct);
}

/** Lineage inputs from the request headers (DESIGN §7); shared with fast-intake.ts. */
export function transportMeta(h: NodeJS.Dict<string[]>): TransportMeta {
  const tp = h.traceparent;
  const hops = h['causeway-hops']?.length === 1 ? Number(h['causeway-hops'][0]) : NaN;
  return {
    ingress: 'http',
    traceparent: tp?.length === 1 ? tp[0] : undefined,
    authtype: 'unauthenticated',
    ...(Number.isInteger(hops) && hops >= 0 ? { hops } : {}),
  };
}

/** The request as the accept side takes it; the body is read by readBody (why: see there). */
async function message(c: Context<Env>, limit: number, onRejected: (code: string) => void) {
  const incoming = c.env.incoming;
  const body = await readBody(incoming, limit).catch((e: unknown) => {
    if (isCausewayError(e)) onRejected(e.code);
    throw e;
  });
  return { headers: incoming.headersDistinct as Record<string, string[]>, body };
}

function intParam(c: Context<Env>, name: string, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) > max) {
    throw new CausewayError('CW_INVALID_REQUEST', `query parameter ${name} must be an integer between 0 and ${max}`, {
      errors: [{ path: name, message: `got ${JSON.stringify(raw)}` }],
    });
  }
  return Number(raw);
}

/** Refuses intake on a dispatch-only instance and once shutdown began; shared with fast-intake.ts. */
export function intakeGuard(deps: Pick<HttpAppDeps, 'intake' | 'accepting'>): void {
  if (!deps.intake) throw new CausewayError('CW_NOT_FOUND', 'this instance runs the dispatch role only; send events to an accept instance');
  if (!deps.accepting()) throw new CausewayError('CW_SHUTTING_DOWN', 'Causeway is shutting down; retry against another instance');
}

/** The 202 body: one answer per event, or the one answer of a single event. */
export function acceptedBody(mode: string, accepted: readonly Accepted[]): unknown {
  const body = accepted.map(({ id, source, topic, partition, offset, duplicate }) => ({ id, source, topic, partition, offset, duplicate }));
  return mode === 'batch' ? body : body[0];
}

/** The HTTP ingress and the operational endpoints (DESIGN §8). Transport only: decoding lives behind AcceptService. */
export function createHttpApp(deps: HttpAppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const guard = () => intakeGuard(deps);

  app.onError((err, c) => {
    if (!(err instanceof CausewayError) || err.code === 'CW_INTERNAL') deps.onInternalError?.(err, `${c.req.method} ${c.req.path}`);
    return problemResponse(err, deps.retryAfterSeconds);
  });
  // Drain (issue 3): once intake stops, every answer (202s of requests in flight, 503
  // CW_SHUTTING_DOWN) closes its connection. Node's server.close() waits for every open
  // connection, and busy keep-alive clients would otherwise hold theirs open until the
  // shutdown timeout killed the process mid-flush.
  app.use(async (c, next) => {
    await next();
    if (!deps.accepting()) c.header('connection', 'close');
  });
  app.notFound((c) => problemResponse(new CausewayError('CW_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), 1));

  app.post('/events', async (c) => {
    guard();
    const { mode, accepted } = await deps.accept.acceptHttp(await message(c, deps.bodyLimit, deps.onRejected), meta(c));
    return c.json(acceptedBody(mode, accepted), 202);
  });

  app.post('/events/:type', async (c) => {
    guard();
    const a = await deps.accept.acceptPlain(c.req.param('type'), await message(c, deps.bodyLimit, deps.onRejected), meta(c));
    return c.json({ id: a.id, source: a.source, topic: a.topic, partition: a.partition, offset: a.offset, duplicate: a.duplicate }, 202);
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const r = await deps.ready();
    return c.json({ status: r.ok ? 'ready' : 'not ready', ...r.checks }, r.ok ? 200 : 503);
  });
  app.get('/metrics', async (c) => c.body(await deps.metricsText(), 200, { 'content-type': 'text/plain; version=0.0.4' }));

  app.get('/admin/routes', async (c) => {
    if (!deps.routes) throw new CausewayError('CW_NOT_FOUND', 'this instance does not run the dispatch role');
    return c.json(await deps.routes());
  });
  app.get('/admin/topics', async (c) => c.json({ topics: await deps.admin.topics() }));
  app.get('/admin/topics/:topic/events', async (c) => {
    const topic = c.req.param('topic');
    const partition = intParam(c, 'partition', 0);
    const from = intParam(c, 'from', 0);
    const lim = intParam(c, 'limit', 100, 1000);
    const partitions = await deps.admin.partitions(topic);
    if (partitions === undefined) throw new CausewayError('CW_NOT_FOUND', `no topic ${topic}`);
    if (partition >= partitions) {
      throw new CausewayError('CW_INVALID_REQUEST', `topic ${topic} has ${partitions} partitions`, {
        errors: [{ path: 'partition', message: `must be below ${partitions}` }],
      });
    }
    return c.json({ topic, partition, from, events: await deps.admin.events(topic, partition, from, lim) });
  });
  return app;
}
