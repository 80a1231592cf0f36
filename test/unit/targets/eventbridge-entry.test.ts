/**
 * The eventbridge target's pure parts: config and schema, the PutEvents entry mapping and its
 * size as AWS counts it, the X-Ray trace header, chunking (property tests) and the answer
 * classification.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStructuredEvent } from '../../../src/codec/index.js';
import { formatTraceparent } from '../../../src/lineage/index.js';
import {
  chunkEntries,
  entryOutcome,
  entrySize,
  isArn,
  putEventsEntry,
  requestFailure,
  xrayTraceHeader,
  type PutEventsEntry,
} from '../../../src/targets/eventbridge/index.js';
import { EVENTBRIDGE_DEFAULTS, eventbridgeTarget } from '../../../src/targets/index.js';
import { variedBatch } from '../../contract/target-helpers.js';

const deps = { env: {}, kafkaBrokers: [] };
const opts = { bus: 'orders', detail: 'data' as const, resources: undefined, maxEntryBytes: 1024 * 1024 };
const ARN = 'arn:aws:s3:::bucket/key.json';

describe('eventbridge config', () => {
  const v = new Ajv2020({ strict: true, allErrors: true }).compile(eventbridgeTarget.configSchema);

  it('the schema is valid JSON Schema 2020-12 (Ajv strict) and matches what create() accepts', () => {
    const good = [
      { bus: 'orders', region: 'eu-west-1' },
      { bus: 'arn:aws:events:us-east-1:123456789012:event-bus/orders', region: 'us-east-1', detail: 'cloudevent', resources: 'subject' },
      { bus: 'default', region: 'us-gov-west-1', endpoint: 'http://127.0.0.1:5055', maxBatchEvents: 100, maxEntriesPerCall: 5 },
    ];
    for (const c of good) {
      expect(v(c), JSON.stringify(v.errors)).toBe(true);
      expect(() => eventbridgeTarget.create(c as never, deps)).not.toThrow();
    }
    const bad = [
      {},
      { bus: 'orders' },
      { bus: 'has space', region: 'eu-west-1' },
      { bus: 'orders', region: 'Europe' },
      { bus: 'orders', region: 'eu-west-1', detail: 'payload' },
      { bus: 'orders', region: 'eu-west-1', resources: 'Subject' },
      { bus: 'orders', region: 'eu-west-1', maxEntriesPerCall: 11 },
      { bus: 'orders', region: 'eu-west-1', endpoint: 'ftp://x' },
    ];
    for (const c of bad) {
      expect(v(c), JSON.stringify(c)).toBe(false);
      expect(() => eventbridgeTarget.create(c as never, deps), JSON.stringify(c)).toThrow(/^eventbridge target: /);
    }
    // Credentials are never route configuration: the schema refuses the key (the route loader checks it before create()).
    expect(v({ bus: 'orders', region: 'eu-west-1', credentials: { accessKeyId: 'x' } })).toBe(false);
  });

  it('limits: AWS defaults from EVENTBRIDGE_DEFAULTS, overridable per route', () => {
    expect(EVENTBRIDGE_DEFAULTS).toMatchObject({ maxEntriesPerCall: 10, maxEntryBytes: 1_048_576, maxRequestBytes: 1_048_576 });
    expect(eventbridgeTarget.create({ bus: 'b', region: 'eu-west-1' }, deps).limits).toEqual({
      maxBatchEvents: 10,
      maxBatchBytes: 1_048_576,
      maxEventBytes: 1_048_576,
    });
    // A batch of 25 is three calls' worth; an entry never exceeds what one request may hold.
    expect(
      eventbridgeTarget.create({ bus: 'b', region: 'eu-west-1', maxBatchEvents: 25, maxEntryBytes: 5e6, maxRequestBytes: 300_000 }, deps)
        .limits,
    ).toEqual({
      maxBatchEvents: 25,
      maxBatchBytes: 900_000,
      maxEventBytes: 300_000,
    });
  });

  it('an endpoint with credentials in it is refused (credentials come from the SDK chain only)', () => {
    expect(() => eventbridgeTarget.create({ bus: 'b', region: 'eu-west-1', endpoint: 'https://AKIA:secret@events.example' }, deps)).toThrow(
      /credentials/,
    );
  });
});

describe('PutEvents entry mapping', () => {
  it('detail: data — Source, DetailType, Time, Detail verbatim, EventBusName; no Resources unless configured', () => {
    const data = '{ "order" : 42, "note": "é" }';
    const [d] = variedBatch(1, { data: () => ({ contentType: 'application/json', bytes: Buffer.from(data) }) });
    const m = putEventsEntry(d!, opts);
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(m.entry).toMatchObject({
      Source: d!.event.attributes['source'],
      DetailType: 'com.example.contract.tested',
      Detail: data,
      EventBusName: 'orders',
      Time: new Date('2026-01-02T03:04:05.678Z'),
    });
    expect(m.entry.Resources).toBeUndefined();
    expect(m.entry.TraceHeader).toBe(xrayTraceHeader(d!.lineage['traceparent']));
    expect(m.size).toBe(entrySize(m.entry));
  });

  it('detail: data — a JSON content type with +json, or none, is fine; anything else is refused naming detail: cloudevent', () => {
    const ok = [
      { contentType: 'application/cloudevents+json', bytes: Buffer.from('{"a":1}') },
      { contentType: 'text/json; charset=utf-8', bytes: Buffer.from('{"a":1}') },
      { bytes: Buffer.from('{"a":1}') },
    ];
    for (const data of ok) expect(putEventsEntry(variedBatch(1, { data: () => data })[0]!, opts).ok).toBe(true);
    const refused = [
      { contentType: 'text/plain', bytes: Buffer.from('{"a":1}') },
      { bytes: Buffer.from('plain words') },
      { bytes: Buffer.from([0xc3, 0x28]) }, // not UTF-8
      { contentType: 'application/json', bytes: Buffer.from('null') },
      { contentType: 'application/json', bytes: Buffer.from('42') },
      { contentType: 'application/json', bytes: Buffer.from('[{"a":1}]') },
    ];
    for (const data of refused) {
      const m = putEventsEntry(variedBatch(1, { data: () => data })[0]!, opts);
      expect(m.ok).toBe(false);
      if (!m.ok)
        expect(m.outcome).toMatchObject({
          status: 'reject',
          code: 'CW_TARGET_REJECTED',
          message: expect.stringContaining('detail: cloudevent'),
        });
    }
  });

  it('detail: cloudevent — the structured event with hop lineage and idempotency key as attributes; decodes back', () => {
    for (const d of variedBatch(4)) {
      const m = putEventsEntry(d, { ...opts, detail: 'cloudevent' });
      expect(m.ok).toBe(true);
      if (!m.ok) continue;
      const ev = parseStructuredEvent(Buffer.from(m.entry.Detail));
      const { causewaytraceparent, causewayfact, causewayroute, causewayattempt, causewayhops, causewayidempotency, ...rest } =
        ev.attributes;
      expect(rest).toEqual(d.event.attributes);
      expect({ causewaytraceparent, causewayfact, causewayroute, causewayattempt, causewayhops }).toEqual({
        causewaytraceparent: d.lineage['traceparent'],
        causewayfact: d.lineage['causeway-fact'],
        causewayroute: d.lineage['causeway-route'],
        causewayattempt: d.lineage['causeway-attempt'],
        causewayhops: d.lineage['causeway-hops'],
      });
      expect(causewayidempotency).toBe(d.idempotencyKey);
      expect(ev.data === undefined ? undefined : Buffer.from(ev.data).toString('hex')).toBe(
        d.event.data === undefined ? undefined : Buffer.from(d.event.data).toString('hex'),
      );
    }
  });

  it('Resources: the configured attribute, only when it is an ARN', () => {
    const [arn, plain] = variedBatch(2, { attributes: (i) => ({ subject: i === 0 ? ARN : 'lot-42' }) });
    const r = (d: typeof arn) => {
      const m = putEventsEntry(d!, { ...opts, detail: 'cloudevent', resources: 'subject' });
      return m.ok ? m.entry.Resources : 'refused';
    };
    expect(r(arn)).toEqual([ARN]);
    expect(r(plain)).toBeUndefined();
    for (const a of [
      ARN,
      'arn:aws:events:eu-west-1:123456789012:event-bus/b',
      'arn:aws-us-gov:iam::aws:policy/X',
      'arn:aws:lambda:us-east-1:123456789012:function:f:1',
    ]) {
      expect(isArn(a), a).toBe(true);
    }
    for (const a of ['lot-42', 'arn:', 'arn:aws:s3', 'ARN:aws:s3:::b', 'arn:aws:s3:::', 'arn:aws:s3:::has space'])
      expect(isArn(a), a).toBe(false);
  });

  it('no time attribute: no Time (EventBridge stamps the event itself)', () => {
    const [d] = variedBatch(1);
    const { time: _, ...attributes } = d!.event.attributes;
    const m = putEventsEntry({ ...d!, event: { ...d!.event, attributes } }, { ...opts, detail: 'cloudevent' });
    expect(m.ok && m.entry.Time).toBe(undefined);
  });

  it('entry size as AWS counts it: 14 for Time, UTF-8 bytes of Source, DetailType, Detail and each resource; not TraceHeader or bus', () => {
    const e: PutEventsEntry = {
      Source: 'src/é',
      DetailType: 'type',
      Detail: '{"x":"😀"}',
      EventBusName: 'a-very-long-bus-name',
      TraceHeader: 'Root=1-…',
    };
    expect(entrySize(e)).toBe(6 + 4 + 12);
    expect(entrySize({ ...e, Time: new Date(0), Resources: [ARN, 'arn:aws:s3:::b'] })).toBe(6 + 4 + 12 + 14 + ARN.length + 14);
  });

  it('an entry over maxEntryBytes is refused with CW_TARGET_PAYLOAD_TOO_LARGE, at the exact limit it is fine', () => {
    const [d] = variedBatch(1, { data: () => ({ contentType: 'application/json', bytes: Buffer.from('{"pad":"xxxxxxxxxx"}') }) });
    const exact = putEventsEntry(d!, opts);
    expect(exact.ok).toBe(true);
    if (!exact.ok) return;
    expect(putEventsEntry(d!, { ...opts, maxEntryBytes: exact.size }).ok).toBe(true);
    const over = putEventsEntry(d!, { ...opts, maxEntryBytes: exact.size - 1 });
    expect(over.ok === false && over.outcome).toMatchObject({ status: 'reject', code: 'CW_TARGET_PAYLOAD_TOO_LARGE' });
  });
});

describe('X-Ray trace header', () => {
  it('maps the W3C traceparent (OpenTelemetry X-Ray propagator form)', () => {
    expect(xrayTraceHeader('00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01')).toBe(
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    );
    expect(xrayTraceHeader('00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-00')).toMatch(/;Sampled=0$/);
    expect(xrayTraceHeader('00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-03')).toMatch(/;Sampled=1$/);
    for (const bad of [undefined, '', 'garbage', `00-${'0'.repeat(32)}-53995c3f42cd8ad8-01`]) expect(xrayTraceHeader(bad)).toBeUndefined();
  });

  it('keeps the whole trace id and span id (property)', () => {
    const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
    fc.assert(
      fc.property(hex(32), hex(16), fc.integer({ min: 0, max: 255 }), (traceId, spanId, f) => {
        fc.pre(/[1-9a-f]/.test(traceId) && /[1-9a-f]/.test(spanId));
        const flags = f.toString(16).padStart(2, '0');
        const m = /^Root=1-([0-9a-f]{8})-([0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$/.exec(
          xrayTraceHeader(formatTraceparent({ traceId, spanId, flags }))!,
        );
        expect(m).not.toBeNull();
        expect(`${m![1]}${m![2]}`).toBe(traceId);
        expect(m![3]).toBe(spanId);
        expect(m![4]).toBe(String(f & 1));
      }),
    );
  });
});

describe('chunkEntries (property)', () => {
  it('chunks keep order, hold every entry once, never exceed maxEntries or maxBytes (a lone oversize entry aside), and are full', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2_000 }), { maxLength: 80 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 5_000 }),
        (sizes, maxEntries, maxBytes) => {
          const chunks = chunkEntries(sizes, maxEntries, maxBytes);
          expect(chunks.flat()).toEqual(sizes.map((_, i) => i));
          chunks.forEach((c, k) => {
            const bytes = c.reduce((sum, i) => sum + sizes[i]!, 0);
            expect(c.length).toBeGreaterThan(0);
            expect(c.length).toBeLessThanOrEqual(maxEntries);
            if (c.length > 1) expect(bytes).toBeLessThanOrEqual(maxBytes);
            const next = chunks[k + 1]?.[0];
            // Greedy: the next entry did not fit into this call.
            if (next !== undefined) expect(c.length === maxEntries || bytes + sizes[next]! > maxBytes).toBe(true);
          });
        },
      ),
    );
  });

  it('25 small entries → calls of 10, 10, 5', () => {
    expect(chunkEntries(Array(25).fill(100), 10, 1_048_576).map((c) => c.length)).toEqual([10, 10, 5]);
  });
});

describe('classifying PutEvents answers', () => {
  it('per entry: ThrottlingException and InternalFailure retry; every other ErrorCode is final', () => {
    expect(entryOutcome({ EventId: 'x' }, 1_000)).toEqual({ status: 'delivered' });
    expect(entryOutcome({ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }, 1_000)).toEqual({
      status: 'retry',
      code: 'CW_TARGET_THROTTLED',
      message: 'EventBridge entry ThrottlingException: Rate exceeded',
      retryAfterMs: 1_000,
    });
    expect(entryOutcome({ ErrorCode: 'InternalFailure' }, 1_000)).toMatchObject({ status: 'retry', code: 'CW_TARGET_UNAVAILABLE' });
    expect(entryOutcome(undefined, 1_000)).toMatchObject({ status: 'retry', code: 'CW_TARGET_UNAVAILABLE' });
    for (const code of [
      'AccessDeniedException',
      'InvalidAccountIdException',
      'InvalidArgument',
      'MalformedDetail',
      'RedactionFailure',
      'NotAuthorizedForSourceException',
      'NotAuthorizedForDetailTypeException',
    ]) {
      expect(entryOutcome({ ErrorCode: code, ErrorMessage: 'why' }, 1_000)).toEqual({
        status: 'reject',
        code: 'CW_TARGET_REJECTED',
        message: `EventBridge refused the entry: ${code}: why`,
      });
    }
  });

  const sdkError = (name: string, status?: number, extra: object = {}) =>
    Object.assign(new Error(`${name} happened`), { name, $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });

  it.each([
    ['ThrottlingException', 400, 'retry', 'CW_TARGET_THROTTLED', false],
    ['TooManyRequestsException', 429, 'retry', 'CW_TARGET_THROTTLED', false],
    ['InternalException', 500, 'retry', 'CW_TARGET_UNAVAILABLE', false],
    ['ServiceUnavailableException', 503, 'retry', 'CW_TARGET_UNAVAILABLE', false],
    ['ExpiredTokenException', 400, 'retry', 'CW_TARGET_UNAVAILABLE', false],
    ['CredentialsProviderError', undefined, 'retry', 'CW_TARGET_UNAVAILABLE', false],
    ['ResourceNotFoundException', 400, 'reject', 'CW_TARGET_REJECTED', false],
    ['AccessDeniedException', 400, 'reject', 'CW_TARGET_REJECTED', false],
    ['UnrecognizedClientException', 400, 'reject', 'CW_TARGET_REJECTED', false],
    ['ValidationException', 400, 'reject', 'CW_TARGET_REJECTED', true],
  ])('whole request %s (HTTP %s) → %s %s', (name, status, outcome, code, validation) => {
    const f = requestFailure(sdkError(name, status), false, 1_000);
    expect(f.outcome).toMatchObject({ status: outcome, code });
    expect(f.outcome.status !== 'delivered' && f.outcome.message).toContain(name);
    expect(f.validation).toBe(validation);
  });

  it('throttling waits throttleRetryAfterMs, or a Retry-After when the answer has one', () => {
    expect(requestFailure(sdkError('ThrottlingException', 400), false, 750).outcome).toMatchObject({ retryAfterMs: 750 });
    const withHeader = sdkError('ThrottlingException', 400);
    Object.defineProperty(withHeader, '$response', { value: { headers: { 'retry-after': '3' } } });
    expect(requestFailure(withHeader, false, 750).outcome).toMatchObject({ retryAfterMs: 3_000 });
  });

  it('network: a reset (the SDK calls it TimeoutError + ECONNRESET) is unavailable; a real timeout or an abort is a timeout', () => {
    expect(requestFailure(sdkError('TimeoutError', undefined, { code: 'ECONNRESET' }), false, 0).outcome).toMatchObject({
      code: 'CW_TARGET_UNAVAILABLE',
    });
    expect(requestFailure(sdkError('Error', undefined, { code: 'ECONNREFUSED' }), false, 0).outcome).toMatchObject({
      code: 'CW_TARGET_UNAVAILABLE',
    });
    expect(requestFailure(sdkError('TimeoutError'), false, 0).outcome).toMatchObject({ code: 'CW_TARGET_TIMEOUT' });
    expect(requestFailure(sdkError('AbortError'), false, 0).outcome).toMatchObject({ code: 'CW_TARGET_TIMEOUT' });
    expect(requestFailure(sdkError('InternalException', 500), true, 0).outcome).toMatchObject({ code: 'CW_TARGET_TIMEOUT' });
  });
});
