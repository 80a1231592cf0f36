/**
 * Issue 5 end to end through the running server: HTTP POST → fact → a route file with
 * `to: lambda` → the real SDK → Lambda emulator → a real Node handler process, with the lineage
 * checked where the function sees it (the payload and the client context). Credentials come
 * from the SDK's default chain: vitest.config.ts sets dummy AWS_* variables for the test process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { idempotencyKeyOf } from '../../src/core/index.js';
import { BID_TYPE, bidData } from '../support/events.js';
import { startLambdaFarEnd, type LambdaFarEnd } from '../support/lambda/far-end.js';
import { recordHeaders, type KafkaEventJson } from '../support/lambda/records.js';
import { factAt, postBid, route, routesReport, traceParts, waitFor, writeRules } from '../support/router-e2e.js';
import { startTestServer, type TestServer } from '../support/server.js';

const tag = randomBytes(4).toString('hex');

describe('router end to end to Lambda', () => {
  let routesDir: string;
  let srv: TestServer;
  let ce: LambdaFarEnd;
  let msk: LambdaFarEnd;

  beforeAll(async () => {
    ce = await startLambdaFarEnd({ functionName: 'bid-analytics', region: 'eu-west-1' });
    msk = await startLambdaFarEnd({ functionName: 'bid-archive', region: 'eu-west-1', qualifiers: ['live'] });
    routesDir = mkdtempSync(join(tmpdir(), 'causeway-e2e-lambda-'));
    writeRules(
      routesDir,
      'lambda.yaml',
      YAML.stringify({
        routes: [
          route('to-lambda', 'auction.bids', '/e2e/lambda', {
            lambda: { function: 'bid-analytics', region: 'eu-west-1', endpoint: ce.proxy.url, invocation: 'sync', payload: 'cloudevents' },
          }),
          route('to-msk-function', 'auction.bids', '/e2e/msk', {
            lambda: {
              function: 'arn:aws:lambda:eu-west-1:123456789012:function:bid-archive',
              qualifier: 'live',
              region: 'eu-west-1',
              endpoint: msk.proxy.url,
              payload: 'aws:kafka',
              kafka: { eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/auction/1', bootstrapServers: ['b-1.auction:9092'] },
            },
          }),
        ],
      }),
    );
    srv = await startTestServer({ CAUSEWAY_ROUTES_DIR: routesDir });
  });

  afterAll(async () => {
    await srv?.close();
    await ce?.close();
    await msk?.close();
    if (routesDir) rmSync(routesDir, { recursive: true, force: true });
  });

  it('cloudevents: the function gets the event intact, with the hop lineage as attributes and in the client context', async () => {
    const sent = await postBid(srv, {
      source: '/e2e/lambda',
      subject: 'lot-%C3%A9',
      data: bidData({ itemId: `l-${tag}`, note: 'Euro € 😀' }),
      ext: { region: 'eu-west' },
    });
    const inv = await waitFor(() => ce.recorded().find((r) => r.payload.toString('utf8').includes(sent.id)), 'the invocation');
    const [ev] = JSON.parse(inv.payload.toString('utf8')) as Array<Record<string, unknown>>;
    expect(ev).toMatchObject({
      specversion: '1.0',
      id: sent.id,
      source: '/e2e/lambda',
      type: BID_TYPE,
      subject: 'lot-é',
      region: 'eu-west',
      datacontenttype: 'application/json',
    });
    expect(inv.payload.toString('utf8')).toContain(`"data":${sent.body}`); // the data bytes as posted
    const fact = await factAt(srv, sent.ack);
    expect(ev).toMatchObject({
      causewayfact: `${sent.ack.topic}/${sent.ack.partition}/${sent.ack.offset}`,
      causewayroute: 'to-lambda',
      causewayattempt: '1',
      causewayhops: '1',
      causewayidempotency: idempotencyKeyOf('/e2e/lambda', sent.id),
    });
    // The hop is a new span in the fact's trace; the event's own traceparent (start of the trace) is untouched.
    const hop = traceParts(String(ev!['causewaytraceparent']));
    expect(hop.trace).toBe(traceParts(fact.headers.traceparent!).trace);
    expect(hop.span).not.toBe(traceParts(fact.headers.traceparent!).span);
    expect(ev!['traceparent']).toBe(fact.event!['traceparent']);
    expect(hop.trace).toBe(traceParts(String(ev!['traceparent'])).trace);
    expect(inv.clientContext).toEqual({
      custom: {
        traceparent: ev!['causewaytraceparent'],
        'causeway-fact': ev!['causewayfact'],
        'causeway-route': 'to-lambda',
        'causeway-attempt': '1',
        'causeway-hops': '1',
        'causeway-events': '1',
      },
    });
    expect(inv.functionArn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:bid-analytics');
    const status = (await routesReport(srv)).delivery.find((s: { id: string }) => s.id === 'to-lambda');
    expect(status).toMatchObject({ state: 'running', delivered: 1 });
  });

  it('aws:kafka: the MSK-shaped record is the stored fact, with this hop’s lineage and the idempotency key as headers', async () => {
    const sent = await postBid(srv, { source: '/e2e/msk', data: bidData({ itemId: `m-${tag}` }) });
    const inv = await waitFor(
      () =>
        msk.recorded().find((r) =>
          Object.values((JSON.parse(r.payload.toString('utf8')) as KafkaEventJson).records)
            .flat()
            .some((x) => recordHeaders(x).some(([n, v]) => n === 'ce_id' && v === sent.id)),
        ),
      'the invocation',
    );
    expect(inv.functionArn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:bid-archive:live');
    const doc = JSON.parse(inv.payload.toString('utf8')) as KafkaEventJson;
    expect(doc).toMatchObject({
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/auction/1',
      bootstrapServers: 'b-1.auction:9092',
    });
    const key = `${sent.ack.topic}-${sent.ack.partition}`;
    const [rec] = doc.records[key]!;
    const fact = await factAt(srv, sent.ack);
    expect(rec).toMatchObject({
      topic: sent.ack.topic,
      partition: sent.ack.partition,
      offset: sent.ack.offset,
      timestampType: 'CREATE_TIME',
    });
    expect(Buffer.from(rec!.key!, 'base64').toString('utf8')).toBe(fact.key);
    expect(Buffer.from(rec!.value!, 'base64').toString('utf8')).toBe(sent.body);
    const headers = Object.fromEntries(recordHeaders(rec!));
    for (const [name, value] of Object.entries(fact.headers)) if (name !== 'traceparent') expect(headers[name], name).toBe(value);
    expect(headers).toMatchObject({
      'causeway-fact': `${sent.ack.topic}/${sent.ack.partition}/${sent.ack.offset}`,
      'causeway-route': 'to-msk-function',
      'causeway-attempt': '1',
      'causeway-hops': '1',
      'idempotency-key': idempotencyKeyOf('/e2e/msk', sent.id),
    });
    expect(traceParts(headers['traceparent']!).trace).toBe(traceParts(fact.headers.traceparent!).trace);
    expect(traceParts(headers['traceparent']!).span).not.toBe(traceParts(fact.headers.traceparent!).span);
  });
});
