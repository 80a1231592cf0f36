/**
 * Helpers of test/integration/router-e2e.test.ts: posting events to a running server, reading
 * facts and routes back through its admin API, writing rule files, and an independent Kafka reader.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import { expect } from 'vitest';
import { BID_TYPE, bidData } from './events.js';
import { json, type TestServer } from './server.js';
import { header, type SinkRequest } from './webhook-sink.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Ids of posted events: unique per test run. */
const run = randomBytes(4).toString('hex');

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export interface Ack {
  readonly id: string;
  readonly source: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

let seq = 0;
/** POSTs one binary-mode event (HTTP-M7: header values percent-encoded by the caller). */
export async function postBid(
  srv: TestServer,
  opts: {
    source: string;
    subject?: string;
    data?: Record<string, unknown>;
    headers?: Record<string, string>;
    ext?: Record<string, string>;
  },
): Promise<{ ack: Ack; body: string; id: string }> {
  const id = `e2e-${run}-${++seq}`;
  const body = JSON.stringify(opts.data ?? bidData());
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-id': id,
    'ce-source': opts.source,
    'ce-type': BID_TYPE,
    ...(opts.subject !== undefined && { 'ce-subject': opts.subject }),
    ...Object.fromEntries(Object.entries(opts.ext ?? {}).map(([k, v]) => [`ce-${k}`, v])),
    ...opts.headers,
  };
  const res = await fetch(`${srv.url}/events`, { method: 'POST', body, headers });
  const ack = await json(res);
  expect(res.status, JSON.stringify(ack)).toBe(202);
  return { ack, body, id };
}

/** POSTs a batch (structured JSON) so the events are appended in this order at once. */
export async function postBatch(srv: TestServer, events: ReadonlyArray<{ source: string; data: Record<string, unknown> }>): Promise<Ack[]> {
  const body = events.map((e) => ({
    specversion: '1.0',
    id: `e2e-${run}-${++seq}`,
    source: e.source,
    type: BID_TYPE,
    datacontenttype: 'application/json',
    data: e.data,
  }));
  const res = await fetch(`${srv.url}/events`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/cloudevents-batch+json' },
  });
  const acks = await json(res);
  expect(res.status, JSON.stringify(acks)).toBe(202);
  return acks;
}

export interface AdminFact {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly headers: Record<string, string>;
  readonly event: Record<string, unknown> | null;
}

export async function factAt(srv: TestServer, a: Pick<Ack, 'topic' | 'partition' | 'offset'>): Promise<AdminFact> {
  const res = await fetch(`${srv.url}/admin/topics/${a.topic}/events?partition=${a.partition}&from=${a.offset}&limit=1`);
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.events[0];
}

/** Every record of a topic, read through GET /admin/topics/{topic}/events (all partitions). */
export async function topicFacts(srv: TestServer, topic: string): Promise<AdminFact[]> {
  const out: AdminFact[] = [];
  for (let p = 0; ; p++) {
    const res = await fetch(`${srv.url}/admin/topics/${topic}/events?partition=${p}&from=0&limit=1000`);
    if (res.status !== 200) break; // 404: no such topic yet; 400: past the last partition
    out.push(...(await json(res)).events);
  }
  return out;
}

export const routesReport = async (srv: TestServer) => json(await fetch(`${srv.url}/admin/routes`));

export async function metric(srv: TestServer, line: string): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const m = text.split('\n').find((l) => l.startsWith(`${line} `));
  return m === undefined ? 0 : Number(m.slice(line.length + 1));
}

export const bodyOf = (r: SinkRequest): Record<string, unknown> => JSON.parse(r.body.toString('utf8'));
export const idOf = (r: SinkRequest): string | undefined => header(r, 'ce-id');
export const traceParts = (tp: string) => {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(tp);
  if (!m) throw new Error(`not a traceparent: ${tp}`);
  return { trace: m[1]!, span: m[2]! };
};

/** Writes a rule file the way editors do (temp file, then rename), so the watcher never reads half a file. */
export function writeRules(dir: string, name: string, text: string): void {
  const tmp = join(dir, `.${name}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(dir, name));
}

export const route = (
  id: string,
  from: string,
  source: string,
  to: unknown,
  delivery: Record<string, unknown> = {},
  extraWhen: unknown[] = [],
) => ({
  id,
  from: [from],
  when: [{ exact: { type: BID_TYPE, source } }, ...extraWhen],
  to,
  delivery: { ordering: 'key', ...delivery },
});

/** An independent consumer (fresh group, from the beginning) of one topic. */
export class TopicReader {
  readonly records: Array<{ key: Buffer | null; value: Buffer | null; headers: Record<string, string> }> = [];
  private consumer: Consumer | undefined;
  constructor(
    private readonly brokers: string[],
    private readonly topic: string,
  ) {}
  async start(): Promise<void> {
    const kafka = new Kafka({ clientId: 'router-e2e', brokers: this.brokers, logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `router-e2e-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 200 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? ({} as IHeaders))) {
          const one = Array.isArray(v) ? v[0] : v;
          if (one !== undefined) headers[k] = one.toString();
        }
        this.records.push({ key: message.key, value: message.value, headers });
      },
    });
  }
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
