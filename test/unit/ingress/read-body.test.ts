/** readBody (src/ingress/http/read-body.ts): the body bytes exactly, and the body limit for declared and chunked bodies. */
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCausewayError } from '../../../src/core/index.js';
import { readBody } from '../../../src/ingress/http/read-body.js';

const LIMIT = 64 * 1024;
let server: Server;
let port = 0;

beforeAll(async () => {
  // Echoes the body it read (with its byteOffset, to prove it owns its buffer), or the error code.
  server = createServer((req, res) => {
    readBody(req, LIMIT).then(
      (body) => {
        res.writeHead(200, { 'x-offset': String(body.byteOffset), 'x-buffer': String(body.buffer.byteLength) });
        res.end(body);
      },
      (e: unknown) => {
        res.writeHead(413);
        res.end(isCausewayError(e) ? e.code : String(e));
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Sends `chunks` one write each; chunked transfer unless `length` is declared. */
function send(chunks: Buffer[], length?: number): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { port, host: '127.0.0.1', method: 'POST', path: '/', headers: length === undefined ? {} : { 'content-length': length } },
      (res) => {
        const got: Buffer[] = [];
        res.on('data', (c: Buffer) => got.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(got), headers: res.headers }));
      },
    );
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('readBody', () => {
  it('returns exactly the bytes sent, in a buffer of its own, however they were chunked', async () => {
    const parts = [randomBytes(1), randomBytes(5000), Buffer.alloc(0), randomBytes(20_000)];
    const all = Buffer.concat(parts);
    for (const r of [await send(parts), await send(parts, all.length)]) {
      expect(r.status).toBe(200);
      expect(r.body.equals(all)).toBe(true);
      expect([r.headers['x-offset'], r.headers['x-buffer']]).toEqual(['0', String(all.length)]);
    }
  });

  it('an empty body is an empty array', async () => {
    const r = await send([], 0);
    expect([r.status, r.body.length]).toEqual([200, 0]);
  });

  it('accepts a body of exactly the limit', async () => {
    const body = randomBytes(LIMIT);
    expect((await send([body])).status).toBe(200);
    expect((await send([body], LIMIT)).status).toBe(200);
  });

  it('refuses a declared Content-Length above the limit with CW_BODY_TOO_LARGE', async () => {
    const r = await send([randomBytes(LIMIT + 1)], LIMIT + 1);
    expect([r.status, r.body.toString()]).toEqual([413, 'CW_BODY_TOO_LARGE']);
  });

  it('refuses a chunked body once it passes the limit', async () => {
    const r = await send([randomBytes(LIMIT), randomBytes(10)]);
    expect([r.status, r.body.toString()]).toEqual([413, 'CW_BODY_TOO_LARGE']);
  });
});
