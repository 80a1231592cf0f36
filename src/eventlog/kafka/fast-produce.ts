/**
 * Swaps KafkaJS 2.2.4's Produce request encoding (request versions 3..7, which share one body)
 * for produce-request.ts, which writes the same bytes at a fraction of the CPU. The adapter still
 * uses the KafkaJS API only: this is an optional accelerator for that one engine version and
 * changes no behaviour, only how fast the bytes are made.
 *
 * Safety: nothing is swapped unless the installed package is kafkajs 2.2.4, its internals load,
 * and a sample request encodes to identical bytes both ways; a request outside the fast encoder's
 * case (or any error in it) goes to KafkaJS's own encoder. The patch is on the shared `kafkajs`
 * module, so other KafkaJS producers in the process (the Kafka target, the ingress dead-letter
 * producer) get it too, with byte-identical requests.
 *
 * Hook point: KafkaJS looks the Produce definition's `protocol({ version })` up on every produce
 * (broker.lookupRequest), so replacing that one property works whenever KafkaJS was loaded.
 *
 * Framing without copies: KafkaJS frames every request (protocol/request.js) by copying the
 * encoded body into a fresh zero-filled Encoder behind the request header, then all of it again
 * behind the size prefix — for a 100-event batch two 256 KiB allocations and two ~140 KiB copies,
 * ~5% of the server's CPU. Our body is encoded with free room in front of it and marked; the
 * Encoder's writeEncoder, given a marked value, writes the few header bytes into that room and
 * takes the body's memory over instead of copying it. Unmarked values go the stock way.
 */
import { createRequire } from 'node:module';
import { encodeProduceRequest, type ProduceArgs, type ToInt64 } from './produce-request.js';

interface EncoderLike {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  /** Free bytes right before `buf` in its memory, ours to write the framing into. */
  [ROOM]?: number;
}
interface EncoderClass {
  new (size?: number): EncoderLike;
  prototype: { writeEncoder(this: EncoderLike, value: EncoderLike): EncoderLike };
}
type CreateRequest = (a: { correlationId: number; clientId: string; request: unknown }) => Promise<EncoderLike>;
interface KafkaJSRequest {
  encode(): Promise<EncoderLike>;
}
type Made = { request: KafkaJSRequest; response: unknown };
interface ProduceDefinition {
  versions: string[];
  protocol(o: { version: number }): (args: ProduceArgs) => Made;
}

const FAST_VERSIONS = new Set([3, 4, 5, 6, 7]);
/**
 * Marks the installed hook, so that a second copy of this module (a test runner's isolated module
 * graph over the one CommonJS KafkaJS of the process) does not wrap it again.
 */
const INSTALLED = Symbol.for('causeway.fastProduceEncoding');
const ROOM = Symbol.for('causeway.framingRoom');
/** Room kept in front of a Produce body: size, api key and version, correlation id, client id (≤ 240 bytes). */
const HEADROOM = 256;
const require = createRequire(import.meta.url);
let installing: Promise<boolean> | undefined;

/** Installs once per process; resolves whether the fast encoder is in use. */
export function installFastProduceEncoding(): Promise<boolean> {
  return (installing ??= install());
}

async function install(): Promise<boolean> {
  let produce: ProduceDefinition;
  let Encoder: EncoderClass;
  let createRequest: CreateRequest;
  let toInt64: ToInt64;
  try {
    if ((require('kafkajs/package.json') as { version: string }).version !== '2.2.4') return false;
    produce = require('kafkajs/src/protocol/requests/produce/index.js') as ProduceDefinition;
    Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
    createRequest = require('kafkajs/src/protocol/request.js') as CreateRequest;
    const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): { value: bigint } };
    toInt64 = (v) => Long.fromValue(v).value;
  } catch {
    return false;
  }
  if ((produce.protocol as unknown as Record<symbol, unknown>)[INSTALLED] === true) return true;
  const stock = produce.protocol.bind(produce);
  const fast = (args: ProduceArgs, made: Made): Made => {
    const encodeStock = made.request.encode;
    const encode = async (): Promise<EncoderLike> => {
      let body: Buffer | undefined;
      try {
        body = encodeProduceRequest(args, () => Date.now(), toInt64, HEADROOM);
      } catch {
        body = undefined;
      }
      if (body === undefined) return encodeStock();
      const e = new Encoder(1);
      e.buf = body;
      e.offset = body.length;
      e[ROOM] = HEADROOM;
      return e;
    };
    return { ...made, request: { ...made.request, encode } };
  };
  const stockWriteEncoder = Encoder.prototype.writeEncoder;
  Encoder.prototype.writeEncoder = prepending(stockWriteEncoder);
  const sample = sampleRequest();
  for (const version of FAST_VERSIONS) {
    const make = stock({ version });
    const framed = async (m: Made) =>
      (await createRequest({ correlationId: 7, clientId: 'causeway-selfcheck', request: m.request })).buffer;
    const [want, got] = await Promise.all([framed(make(sample)), framed(fast(sample, make(sample)))]);
    if (!want.equals(got)) {
      Encoder.prototype.writeEncoder = stockWriteEncoder;
      return false;
    }
  }
  const hooked: ProduceDefinition['protocol'] = ({ version }) => {
    const make = stock({ version });
    return FAST_VERSIONS.has(Number(version)) ? (args) => fast(args, make(args)) : make;
  };
  produce.protocol = Object.assign(hooked, { [INSTALLED]: true });
  return true;
}

/** writeEncoder that puts `this`'s bytes into a marked value's front room and adopts its memory. */
function prepending(stockWriteEncoder: EncoderClass['prototype']['writeEncoder']): EncoderClass['prototype']['writeEncoder'] {
  return function (this: EncoderLike, value: EncoderLike): EncoderLike {
    const room = value?.[ROOM];
    const head = this.offset;
    if (room === undefined || head > room || !Buffer.isBuffer(value.buf) || value.offset !== value.buf.length) {
      return stockWriteEncoder.call(this, value);
    }
    const whole = Buffer.from(value.buf.buffer, value.buf.byteOffset - head, head + value.offset);
    this.buf.copy(whole, 0, 0, head);
    // Full: a later write to this Encoder allocates anew (ensureAvailable), never past the body.
    this.buf = whole;
    this.offset = whole.length;
    this[ROOM] = room - head;
    return this;
  };
}

/** Two topics, keys and values of every handled kind, repeated and multi-byte headers, fixed timestamps. */
function sampleRequest(): ProduceArgs {
  const msg = (i: number) => ({
    key: i % 3 === 0 ? null : i % 3 === 1 ? `k${i}` : Buffer.from([i, 0, 255]),
    value: i % 4 === 0 ? null : Buffer.alloc(200 + i * 37, i),
    headers: { ce_id: `id-${i}`, 'content-type': 'application/json', 'x-ü': ['ä', Buffer.from('b')] },
    timestamp: String(1_700_000_000_000 + ((i * 7919) % 5000)),
  });
  return {
    acks: -1,
    timeout: 30_000,
    producerId: 4242,
    producerEpoch: 3,
    topicData: [
      {
        topic: 'causeway.selfcheck',
        partitions: [0, 2].map((p) => ({ partition: p, firstSequence: 17 * p, messages: [1, 2, 3, 4, 5].map(msg) })),
      },
      { topic: 'causeway.selfcheck.ü', partitions: [{ partition: 1, firstSequence: 0, messages: [msg(0), msg(6)] }] },
    ],
  };
}
