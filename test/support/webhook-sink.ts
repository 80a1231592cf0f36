/**
 * A real webhook receiver for tests: node:http on 127.0.0.1 that records every request (headers,
 * body, which socket carried it) and answers as told: 200 by default, any status with headers
 * and body, or only after a delay. Decodes what it got with the CloudEvents HTTP codec.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeHttp, percentDecode } from '../../src/codec/index.js';
import type { ReceivedEvent } from '../contract/target-helpers.js';

export interface SinkRequest {
  readonly method: string;
  readonly url: string;
  /** Node's `headersDistinct`: lower-case names, every value. */
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
  /** Which keep-alive connection carried it (1, 2, …). */
  readonly socket: number;
  readonly at: number;
}

export interface SinkAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Wait this long before answering. */
  readonly delayMs?: number;
}

export type SinkBehaviour = SinkAnswer | ((req: SinkRequest) => SinkAnswer);

export const header = (r: SinkRequest, name: string): string | undefined => r.headers[name]?.[0];

/** Splits a batch-mode lineage list (one entry per event, or one value for all). */
function perEvent(value: string | undefined, count: number, i: number): string | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',');
  return percentDecode(parts.length === count ? (parts[i] as string) : value);
}

/** The CloudEvents in a recorded request, each with the lineage and idempotency key the request carried for it. */
export function receivedEvents(r: SinkRequest): ReceivedEvent[] {
  const { mode, events } = decodeHttp(r.headers, new Uint8Array(r.body));
  const lineageNames = Object.keys(r.headers).filter((n) => n === 'traceparent' || n.startsWith('causeway-'));
  return events.map((event, i) => {
    const lineage: Record<string, string> = {};
    for (const n of lineageNames) {
      const v = mode === 'batch' && n !== 'traceparent' ? perEvent(header(r, n), events.length, i) : percentDecode(header(r, n) ?? '');
      if (v !== undefined) lineage[n] = v;
    }
    return {
      event,
      lineage,
      idempotencyKey: mode === 'batch' ? perEvent(header(r, 'idempotency-key'), events.length, i) : header(r, 'idempotency-key'),
    };
  });
}

export class WebhookSink {
  readonly requests: SinkRequest[] = [];
  private behaviour: SinkBehaviour = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
  private readonly sockets = new Map<Socket, number>();
  private socketCount = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<WebhookSink> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sink = new WebhookSink(server, (server.address() as AddressInfo).port);
    server.on('connection', (s: Socket) => {
      sink.sockets.set(s, ++sink.socketCount);
      s.on('close', () => sink.sockets.delete(s));
    });
    server.on('request', (req, res) => sink.handle(req, res));
    return sink;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  respond(b: SinkBehaviour): void {
    this.behaviour = b;
  }

  ok(): void {
    this.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
  }

  /** Connections ever accepted. */
  get connectionsSeen(): number {
    return this.socketCount;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  events(): ReceivedEvent[] {
    return this.requests.flatMap(receivedEvents);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: SinkRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [k, v ?? []])),
        body: Buffer.concat(chunks),
        socket: this.sockets.get(req.socket) ?? 0,
        at: Date.now(),
      };
      this.requests.push(rec);
      const a = typeof this.behaviour === 'function' ? this.behaviour(rec) : this.behaviour;
      const answer = (): void => {
        if (res.destroyed) return;
        res.writeHead(a.status, a.headers ?? {});
        res.end(a.body ?? '');
      };
      if (a.delayMs === undefined) return answer();
      const t = setTimeout(() => {
        this.timers.delete(t);
        answer();
      }, a.delayMs);
      this.timers.add(t);
    });
  }
}
