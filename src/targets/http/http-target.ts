/**
 * The `http` target: CloudEvents to a webhook over a keep-alive undici Pool (DESIGN §6, spec
 * digest §3–4). Binary and structured mode send one request per event, ordering chains kept
 * (Delivery.orderingKey) and up to `connections` requests in flight; batch mode sends one
 * request per batch. Redirects are never followed (HOOK-M2): undici 7 follows none unless the
 * redirect interceptor is composed in, which it is not here (request() even rejects a non-zero
 * maxRedirections). Classification is in classify.ts.
 */
import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import type { BatchOutcome, Delivery, ErrorCode, ItemOutcome, ItemProgress, Target, TargetLimits, TargetPlugin } from '../../core/index.js';
import { closedOutcome, forEachLimited, orderingChains, retry, settler, timedOut, tooLarge } from '../outcomes.js';
import { classifyError, classifyStatus, type Classified } from './classify.js';
import { httpConfigSchema, resolveHttpConfig, type HttpTargetConfig, type ResolvedHttpConfig } from './http-config.js';
import { encodeBatch, encodeOne, type WireRequest } from './wire.js';

/** How much of a failure answer's body is read for the outcome message (the rest is discarded). */
const ERROR_BODY_KEEP = 1024;
/** Past this, an error body is not drained: the socket is dropped instead. */
const ERROR_BODY_DRAIN = 64 * 1024;
/** close() waits this long for in-flight requests before destroying the pool. */
const CLOSE_GRACE_MS = 5_000;

type Body = AsyncIterable<Uint8Array> & { dump(opts?: { limit: number; signal?: AbortSignal }): Promise<void>; destroy(): unknown };

/** Reads the start of an error body as text and drains (or drops) the rest: undici needs every body consumed. */
async function readStart(body: Body): Promise<string> {
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < ERROR_BODY_KEEP) kept.push(Buffer.from(chunk.subarray(0, ERROR_BODY_KEEP - size)));
    size += chunk.length;
    if (size > ERROR_BODY_DRAIN) break; // leaving the loop destroys the stream, and undici drops the socket
  }
  return Buffer.concat(kept).toString('utf8');
}

export class HttpTarget implements Target {
  readonly limits: TargetLimits;
  private readonly pool: Pool;
  private readonly path: string;
  private closing: Promise<void> | undefined;
  /** HOOK-M6: after an answer with Retry-After nothing more is sent before this time (ms). */
  private holdUntil = 0;
  private holdCode: 'CW_TARGET_THROTTLED' | 'CW_TARGET_UNAVAILABLE' | 'CW_TARGET_TIMEOUT' = 'CW_TARGET_THROTTLED';

  constructor(private readonly cfg: ResolvedHttpConfig) {
    this.limits = cfg.limits;
    this.path = `${cfg.url.pathname}${cfg.url.search}`;
    // pipelining 1: one request at a time per keep-alive connection (HTTP/1.1 without pipelining).
    this.pool = new Pool(cfg.url.origin, { connections: cfg.connections, pipelining: 1 });
  }

  async send(batch: readonly Delivery[], outer: AbortSignal, progress?: ItemProgress): Promise<BatchOutcome> {
    // One listener on the caller's signal per batch; undici adds one per request to ours, which
    // would trip Node's MaxListeners warning on a signal shared by a whole batch.
    const ac = new AbortController();
    setMaxListeners(0, ac.signal);
    const onAbort = (): void => ac.abort(outer.reason);
    if (outer.aborted) onAbort();
    else outer.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.sendAll(batch, ac.signal, progress);
    } finally {
      outer.removeEventListener('abort', onAbort);
    }
  }

  private async sendAll(batch: readonly Delivery[], signal: AbortSignal, progress: ItemProgress | undefined): Promise<BatchOutcome> {
    const items: Array<ItemOutcome | undefined> = batch.map((d) => tooLarge(d, this.limits.maxEventBytes, 'http'));
    const settle = settler(items, progress);
    let gone: string | undefined;
    const opts = { staticHeaders: this.cfg.headers, signingKeys: this.cfg.signingKeys };
    const mode = this.cfg.mode;
    if (mode === 'batch') {
      const todo = batch.flatMap((d, i) => (items[i] === undefined ? [i] : []));
      if (todo.length > 0) {
        const r = await this.request(
          () =>
            encodeBatch(
              todo.map((i) => batch[i] as Delivery),
              opts,
            ),
          signal,
        );
        for (const i of todo) items[i] = r.outcome;
        if (r.gone) gone = r.outcome.status === 'reject' ? r.outcome.message : 'HTTP 410';
      }
    } else {
      await forEachLimited(orderingChains(batch), this.cfg.connections, async (chain) => {
        let blocked: ItemOutcome | undefined;
        for (const i of chain) {
          if (items[i] !== undefined) continue;
          if (blocked !== undefined || gone !== undefined) {
            settle(i, blocked ?? retry('CW_TARGET_UNAVAILABLE', 'not sent: the target answered 410 Gone to an earlier event'));
            continue;
          }
          const r = await this.request(() => encodeOne(batch[i] as Delivery, mode, opts), signal);
          settle(i, r.outcome);
          if (r.gone) gone = r.outcome.status === 'reject' ? r.outcome.message : 'HTTP 410';
          // Later events of the chain must not overtake this one (DESIGN §6 ordering).
          if (r.outcome.status === 'retry') {
            blocked = retry(
              r.outcome.code as ErrorCode,
              `not sent: an earlier event with the same ordering key failed (${r.outcome.message})`,
              r.outcome.retryAfterMs,
            );
          }
        }
      });
    }
    const out = items as ItemOutcome[];
    return gone === undefined ? { items: out } : { items: out, disableRoute: { reason: gone } };
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS)));
      const done = await Promise.race([this.pool.close().then(() => 'closed' as const), grace]);
      clearTimeout(timer);
      if (done === 'late') await this.pool.destroy();
    })();
    return this.closing;
  }

  private held(): ItemOutcome | undefined {
    const left = this.holdUntil - Date.now();
    return left > 0
      ? retry(this.holdCode, `not sent: the target asked to wait (Retry-After) for ${left} ms more (HOOK-M6)`, left)
      : undefined;
  }

  private async request(encode: () => WireRequest, signal: AbortSignal): Promise<Classified> {
    if (this.closing !== undefined) return { outcome: closedOutcome('http') };
    if (signal.aborted) return { outcome: timedOut('http') };
    const held = this.held();
    if (held !== undefined) return { outcome: held };
    let req: WireRequest;
    try {
      req = encode();
    } catch (e) {
      // An attribute with no UTF-8 form (CORE-M19) cannot be put on the wire, now or later.
      return { outcome: { status: 'reject', code: 'CW_TARGET_REJECTED', message: `cannot encode the event: ${(e as Error).message}` } };
    }
    try {
      const res = await this.pool.request({ path: this.path, method: 'POST', headers: req.headers, body: req.body, signal });
      const body = res.body as unknown as Body;
      const ok = res.statusCode >= 200 && res.statusCode <= 299;
      const bodyStart = ok ? (await body.dump({ limit: ERROR_BODY_DRAIN, signal }), '') : await readStart(body);
      const c = classifyStatus({ status: res.statusCode, retryAfter: res.headers['retry-after'], bodyStart });
      if (c.outcome.status === 'retry' && c.outcome.retryAfterMs !== undefined && c.outcome.retryAfterMs > 0) {
        this.holdUntil = Math.max(this.holdUntil, Date.now() + c.outcome.retryAfterMs);
        this.holdCode = c.outcome.code as typeof this.holdCode;
      }
      return c;
    } catch (e) {
      return { outcome: classifyError(e, signal.aborted) };
    }
  }
}

export const httpTarget: TargetPlugin<HttpTargetConfig> = {
  kind: 'http',
  configSchema: httpConfigSchema,
  create: (config, deps) => new HttpTarget(resolveHttpConfig(config, deps.env)),
};
