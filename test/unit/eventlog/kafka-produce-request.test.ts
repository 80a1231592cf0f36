/**
 * The fast Produce request encoder must write exactly KafkaJS 2.2.4's bytes: compared with
 * KafkaJS's own v3 request encoder (loaded from its sources) on generated requests, and its
 * CRC-32C with KafkaJS's.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { crc32c } from '../../../src/eventlog/kafka/crc32c.js';
import { installFastProduceEncoding } from '../../../src/eventlog/kafka/fast-produce.js';
import { encodeProduceRequest, type ProduceArgs, type ProduceMessage } from '../../../src/eventlog/kafka/produce-request.js';

const require = createRequire(import.meta.url);
const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): { value: bigint }; fromInt(n: number): unknown };
const stockV3 = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (a: ProduceArgs) => {
  encode(): Promise<{ buffer: Buffer }>;
};
const produce = require('kafkajs/src/protocol/requests/produce/index.js') as {
  protocol(o: { version: number }): (a: ProduceArgs) => { request: { apiVersion: number; encode(): Promise<{ buffer: Buffer }> } };
};
const toInt64 = (v: unknown): bigint => Long.fromValue(v).value;
const NOW = 1_795_300_000_123;

afterEach(() => vi.restoreAllMocks());

const stockBytes = async (a: ProduceArgs): Promise<Buffer> => {
  vi.spyOn(Date, 'now').mockReturnValue(NOW);
  return (await stockV3(a).encode()).buffer;
};

const bytesLike = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)),
);
// Short and long (the encoder copies strings over 24 characters natively), ASCII and not.
const headerValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ maxLength: 80 }),
  fc.uint8Array({ maxLength: 20 }).map((u) => Buffer.from(u)),
);
const message: fc.Arbitrary<ProduceMessage> = fc.record(
  {
    key: bytesLike,
    value: bytesLike,
    headers: fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })), {
      maxKeys: 12,
    }),
    // Absent, numeric strings (as the produce queue sends them) and numbers, spread around NOW.
    timestamp: fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: -5_000_000, max: 5_000_000 }).map((d) => String(NOW + d)),
      fc.integer({ min: -5_000_000, max: 5_000_000 }).map((d) => NOW + d),
    ),
  },
  { requiredKeys: ['key', 'value'] },
);
const args: fc.Arbitrary<ProduceArgs> = fc.record(
  {
    acks: fc.constantFrom(-1, 0, 1),
    timeout: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    transactionalId: fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 10 })),
    producerId: fc.oneof(
      fc.constant(undefined),
      fc.bigInt({ min: -1n, max: 2n ** 62n }).map((b) => Long.fromValue(b)),
      fc.nat(),
    ),
    producerEpoch: fc.integer({ min: 0, max: 32767 }),
    topicData: fc.array(
      fc.record({
        topic: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
        partitions: fc.array(
          fc.record({
            partition: fc.nat({ max: 1000 }),
            firstSequence: fc.nat(),
            messages: fc.array(message, { minLength: 1, maxLength: 12 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  },
  { requiredKeys: ['acks', 'timeout', 'topicData'] },
);

describe('crc32c', () => {
  it('has the check value of CRC-32C', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('equals KafkaJS on any bytes and any sub-range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(), fc.nat(), (u, a, b) => {
        const buf = Buffer.from(u);
        const s = buf.length === 0 ? 0 : a % buf.length;
        const e = s + (buf.length === 0 ? 0 : b % (buf.length - s + 1));
        expect(crc32c(buf)).toBe(kafkajsCrc(buf));
        expect(crc32c(buf, s, e)).toBe(kafkajsCrc(buf.subarray(s, e)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodeProduceRequest', () => {
  it('writes the same bytes as KafkaJS for generated requests', async () => {
    await fc.assert(
      fc.asyncProperty(args, async (a) => {
        const want = await stockBytes(a);
        const got = encodeProduceRequest(a, () => NOW, toInt64);
        expect(got).toBeDefined();
        expect(got!.equals(want)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('writes the same bytes for the event log shape: 1 KiB values, ten headers, 500 records, no timestamps', async () => {
    const value = Buffer.alloc(1024, 0x61);
    const messages = Array.from({ length: 500 }, (_, i) => ({
      key: Buffer.from(`item-${i}`),
      value,
      headers: Object.fromEntries(Array.from({ length: 10 }, (_, h) => [`ce_h${h}`, `v-${i}-${h}`])),
    }));
    const a: ProduceArgs = {
      acks: -1,
      timeout: 30_000,
      producerId: Long.fromInt(7),
      producerEpoch: 0,
      topicData: [{ topic: 't', partitions: [{ partition: 2, firstSequence: 9, messages }] }],
    };
    expect(encodeProduceRequest(a, () => NOW, toInt64)!.equals(await stockBytes(a))).toBe(true);
  });

  it('declines what it does not handle, so KafkaJS encodes it', () => {
    const base: ProduceArgs = {
      acks: -1,
      timeout: 1,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: null, value: 'v' }] }] }],
    };
    const withMessage = (m: ProduceMessage): ProduceArgs => ({
      ...base,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [m] }] }],
    });
    expect(encodeProduceRequest(base, () => NOW, toInt64)).toBeDefined();
    expect(encodeProduceRequest({ ...base, compression: 1 }, () => NOW, toInt64)).toBeUndefined();
    expect(encodeProduceRequest(withMessage({ value: new Uint8Array([1]) }), () => NOW, toInt64)).toBeUndefined();
    expect(encodeProduceRequest(withMessage({ value: 'v', headers: { a: null } }), () => NOW, toInt64)).toBeUndefined();
    expect(encodeProduceRequest(withMessage({ value: 'v', headers: { a: 1 } }), () => NOW, toInt64)).toBeUndefined();
    expect(encodeProduceRequest(withMessage({ value: 'v', timestamp: 1.5 }), () => NOW, toInt64)).toBeUndefined();
    expect(encodeProduceRequest(withMessage({ value: 'v', timestamp: 10n }), () => NOW, toInt64)).toBeUndefined();
  });
});

describe('installFastProduceEncoding', () => {
  it('installs on KafkaJS 2.2.4 and keeps every version 3..7 request byte-identical, declined ones included', async () => {
    expect(await installFastProduceEncoding()).toBe(true);
    const odd: ProduceMessage = { key: null, value: new Uint8Array([104, 105]), headers: { h: 'x' } }; // KafkaJS writes String(value)
    await fc.assert(
      fc.asyncProperty(args, fc.integer({ min: 3, max: 7 }), fc.boolean(), async (a, version, withOdd) => {
        const input = withOdd ? { ...a, topicData: [{ topic: 'o', partitions: [{ partition: 0, messages: [odd] }] }, ...a.topicData] } : a;
        const want = await stockBytes(input);
        const made = produce.protocol({ version })(input);
        expect(made.request.apiVersion).toBe(version);
        vi.spyOn(Date, 'now').mockReturnValue(NOW);
        expect((await made.request.encode()).buffer.equals(want)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('request framing with the fast encoder', () => {
  type Req = { apiKey: number; apiVersion: number; encode(): Promise<{ buf: Buffer; buffer: Buffer }> };
  const createRequest = require('kafkajs/src/protocol/request.js') as (a: {
    correlationId: number;
    clientId: string;
    request: Req;
  }) => Promise<{
    buffer: Buffer;
  }>;
  const stockRequest = (version: number, a: ProduceArgs) =>
    (require(`kafkajs/src/protocol/requests/produce/v${version}/request.js`) as (a: ProduceArgs) => Req)(a);
  const fastRequest = (version: number, a: ProduceArgs) => (produce.protocol({ version })(a) as unknown as { request: Req }).request;
  it('is byte-identical to KafkaJS’s framing for every version and client id', async () => {
    expect(await installFastProduceEncoding()).toBe(true);
    await fc.assert(
      fc.asyncProperty(
        args,
        fc.integer({ min: 3, max: 7 }),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (a, version, clientId, correlationId) => {
          vi.spyOn(Date, 'now').mockReturnValue(NOW);
          const want = (await createRequest({ correlationId, clientId, request: stockRequest(version, a) })).buffer;
          const got = (await createRequest({ correlationId, clientId, request: fastRequest(version, a) })).buffer;
          expect(got.equals(want)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('writes the framing into the room in front of the body instead of copying the body; a client id too long for it is copied as before', async () => {
    expect(await installFastProduceEncoding()).toBe(true);
    vi.spyOn(Date, 'now').mockReturnValue(NOW); // the record has no timestamp: both encodings take "now"
    const a: ProduceArgs = {
      acks: -1,
      timeout: 30_000,
      topicData: [
        { topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: Buffer.alloc(50_000, 1), headers: { ce_id: 'x' } }] }] },
      ],
    };
    for (const [clientId, shared] of [
      ['causeway', true],
      ['c'.repeat(300), false],
    ] as const) {
      const req = fastRequest(7, a);
      let body: Buffer | undefined;
      const framed = (
        await createRequest({
          correlationId: 1,
          clientId,
          request: {
            ...req,
            encode: async () => {
              const e = await req.encode();
              body = e.buf;
              return e;
            },
          },
        })
      ).buffer;
      const stock = (await createRequest({ correlationId: 1, clientId, request: stockRequest(7, a) })).buffer;
      expect(framed.equals(stock)).toBe(true);
      expect(framed.buffer === body!.buffer && framed.byteOffset + framed.length === body!.byteOffset + body!.length).toBe(shared);
    }
  });
});
