/**
 * The body of a Kafka Produce request (v3..v7 share it), measured and then written into one
 * buffer: the same bytes KafkaJS 2.2.4's `protocol/requests/produce/v3/request.js` produces,
 * record batches (magic 2) included. KafkaJS builds every record and every header in a fresh
 * 512-byte zeroed Buffer and copies each level into the next; for a 1 KiB event with ten headers
 * that was ~43 µs of CPU per record, the largest single cost of the server under batched ingest
 * (profiled with `node --cpu-prof`). This takes about 2 µs (bench:accept-path, "produce request").
 *
 * Only the plain case is handled: no compression, keys / values / header values that are
 * strings or Buffers (keys and values may be null), timestamps that are absent, integers or strings, and deltas that fit
 * a varlong exactly. Anything else returns `undefined` and the caller uses KafkaJS's own encoder,
 * so every input gets exactly KafkaJS's bytes (test/unit/eventlog/kafka-produce-request.test.ts
 * compares them on generated requests). JavaScript coercions (`.sort()`, `ts || now`, `a - b`)
 * are written as KafkaJS writes them so that strings and numbers behave alike in both.
 */
import { crc32c } from './crc32c.js';

export interface ProduceMessage {
  readonly key?: unknown;
  readonly value?: unknown;
  readonly headers?: unknown;
  readonly timestamp?: unknown;
}

export interface ProducePartition {
  readonly partition: number;
  readonly firstSequence?: number;
  readonly messages: readonly ProduceMessage[];
}

export interface ProduceArgs {
  readonly acks: number;
  readonly timeout: number;
  readonly transactionalId?: string | null;
  /** A KafkaJS Long, number, string or bigint: converted by `toInt64`. */
  readonly producerId?: unknown;
  readonly producerEpoch?: number;
  readonly compression?: number;
  readonly topicData: ReadonlyArray<{ readonly topic: string; readonly partitions: readonly ProducePartition[] }>;
}

/** How KafkaJS turns an int64 field into its 64 bits (`Long.fromValue(v).value`): injected so both agree. */
export type ToInt64 = (v: unknown) => bigint;

const TRANSACTIONAL = 16;
/** Largest |delta| whose zigzag (2|d|) is still an exact double. */
const VARLONG_EXACT = 2 ** 52;
/** Fixed bytes per partition entry: partition, size, firstOffset, length, epoch, magic, crc, 40-byte batch header. */
const PARTITION_FIXED = 4 + 4 + 8 + 4 + 4 + 1 + 4 + 40;

/** Zigzag varint size, as KafkaJS's Encoder.sizeOfVarInt computes it (32-bit). */
function sizeOfVarInt(v: number): number {
  let z = (v << 1) ^ (v >> 31);
  let n = 1;
  while ((z & 0xffffff80) !== 0) {
    n++;
    z >>>= 7;
  }
  return n;
}

function zigzag64(d: number): number {
  return d >= 0 ? d * 2 : -d * 2 - 1;
}

function sizeOfUVarLong(z: number): number {
  let n = 1;
  while (z >= 128) {
    n++;
    z = Math.floor(z / 128);
  }
  return n;
}

/** Strings up to this many characters are measured and copied in JS; longer ones natively. */
const SHORT = 24;

/**
 * UTF-8 length of a string: a JS scan for ASCII (header names and most values), else Node's.
 * A string is ASCII exactly when this equals its length (any other character takes more bytes).
 */
function utf8Length(s: string): number {
  if (s.length > SHORT) return Buffer.byteLength(s);
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s);
  return s.length;
}

/**
 * The header entries of every record, encoded back to back during the first pass and copied into
 * place by the second: measuring a header (its UTF-8 length) and writing it are one loop over its
 * characters instead of two, and ASCII strings of any length stay in JS (a native
 * Buffer.byteLength and Buffer.write per string cost more than the string). Reused by every call:
 * encodeProduceRequest is synchronous, so one request's headers never meet another's.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * What the first pass learns and the second pass writes from: per record its body size,
 * timestamp delta and header block, per key and value its UTF-8 length (in write order), so
 * nothing is measured twice and no per-record objects are made.
 */
class Plan {
  readonly bodies: number[] = [];
  readonly deltas: number[] = [];
  readonly headerCounts: number[] = [];
  /** Per record: where its header entries end in `scratch` (they start where the previous record's end). */
  readonly headerEnds: number[] = [];
  readonly lengths: number[] = [];
  /** Per partition: first and max timestamp, and its records' bytes. */
  readonly partitions: Array<{ readonly first: unknown; readonly max: unknown; readonly bytes: number }> = [];
  /** Next free byte of `scratch`. */
  private at = 0;

  /** Bytes of a varint-prefixed field (key or value), or -1 outside the handled types. */
  field(v: unknown): number {
    if (v === null || v === undefined) return 1; // varint(-1)
    let n: number;
    if (typeof v === 'string') n = utf8Length(v);
    else if (Buffer.isBuffer(v)) n = v.length;
    else return -1;
    this.lengths.push(n);
    return sizeOfVarInt(n) + n;
  }

  /** Room for `n` more bytes in `scratch`, keeping what is there. */
  private room(n: number): void {
    if (this.at + n <= scratch.length) return;
    const next = Buffer.allocUnsafe(Math.max(scratch.length * 2, this.at + n));
    scratch.copy(next, 0, 0, this.at);
    scratch = next;
  }

  /** A header name or value into `scratch` as KafkaJS writes it (varint length + bytes); false outside the handled types. */
  private put(v: unknown): boolean {
    if (typeof v === 'string') {
      const n = v.length;
      this.room(5 + 3 * n);
      const b = scratch;
      const lenAt = this.at;
      const at = lenAt + sizeOfVarInt(n);
      let ascii = true;
      for (let i = 0; i < n; i++) {
        const c = v.charCodeAt(i);
        if (c > 0x7f) {
          ascii = false;
          break;
        }
        b[at + i] = c;
      }
      if (ascii) {
        this.at = lenAt;
        this.varint(n);
        this.at += n;
      } else {
        const bytes = Buffer.byteLength(v);
        this.at = lenAt;
        this.varint(bytes);
        this.at += b.write(v, this.at, bytes, 'utf8');
      }
      return true;
    }
    if (!Buffer.isBuffer(v)) return false;
    this.room(5 + v.length);
    this.varint(v.length);
    scratch.set(v, this.at);
    this.at += v.length;
    return true;
  }

  private varint(v: number): void {
    let z = (v << 1) ^ (v >> 31);
    const b = scratch;
    while ((z & 0xffffff80) !== 0) {
      b[this.at++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    b[this.at++] = z & 0x7f;
  }

  /** Header bytes with their count (KafkaJS: one entry per value, an array value giving several), or -1. */
  headers(h: unknown): number {
    const start = this.at;
    let count = 0;
    if (h !== undefined) {
      if (h === null || typeof h !== 'object') return -1;
      const o = h as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const v = o[k];
        if (Array.isArray(v)) {
          for (const x of v as unknown[]) {
            if (!this.put(k) || !this.put(x)) return -1;
            count++;
          }
        } else {
          if (!this.put(k) || !this.put(v)) return -1;
          count++;
        }
      }
    }
    this.headerCounts.push(count);
    this.headerEnds.push(this.at);
    return sizeOfVarInt(count) + this.at - start;
  }

  partition(messages: readonly ProduceMessage[], now: () => number): boolean {
    const dateNow = now();
    const stamps = messages.map((m) => m.timestamp).filter((t) => t != null);
    for (const t of stamps) if (typeof t === 'number' ? !Number.isSafeInteger(t) : typeof t !== 'string') return false;
    stamps.sort();
    const timestamps = stamps.length === 0 ? [dateNow] : stamps;
    const first = timestamps[0] as number;
    const max = timestamps[timestamps.length - 1];
    let bytes = 0;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const delta = ((m.timestamp as number) || dateNow) - first;
      if (!Number.isSafeInteger(delta) || Math.abs(delta) > VARLONG_EXACT) return false;
      const key = this.field(m.key);
      const value = this.field(m.value);
      const headers = this.headers(m.headers);
      if (key < 0 || value < 0 || headers < 0) return false;
      const body = 1 + sizeOfUVarLong(zigzag64(delta)) + sizeOfVarInt(i) + key + value + headers;
      this.bodies.push(body);
      this.deltas.push(delta);
      bytes += sizeOfVarInt(body) + body;
    }
    this.partitions.push({ first, max, bytes });
    return true;
  }
}

/** A cursor over one exactly-sized buffer. */
class Writer {
  off = 0;
  /** Next entry of Plan.lengths. */
  private len = 0;
  constructor(
    readonly buf: Buffer,
    private readonly lengths: readonly number[],
  ) {}
  i8(v: number): void {
    this.off = this.buf.writeInt8(v, this.off);
  }
  i16(v: number): void {
    this.off = this.buf.writeInt16BE(v, this.off);
  }
  i32(v: number): void {
    this.off = this.buf.writeInt32BE(v, this.off);
  }
  i64(v: bigint): void {
    this.off = this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.off);
  }
  /** Unsigned varint of an int32 bit pattern (KafkaJS's writeUVarInt). */
  uvarint(z: number): void {
    const b = this.buf;
    while ((z & 0xffffff80) !== 0) {
      b[this.off++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    b[this.off++] = z & 0x7f;
  }
  varint(v: number): void {
    this.uvarint((v << 1) ^ (v >> 31));
  }
  varlong(d: number): void {
    const b = this.buf;
    let z = zigzag64(d);
    while (z >= 128) {
      b[this.off++] = (z % 128) | 0x80;
      z = Math.floor(z / 128);
    }
    b[this.off++] = z;
  }
  /** int16 length + UTF-8, -1 for null (KafkaJS's writeString). */
  string(s: string | null): void {
    if (s === null) return this.i16(-1);
    const n = Buffer.byteLength(s);
    this.i16(n);
    this.off += this.buf.write(s, this.off, n, 'utf8');
  }
  /** varint length + bytes, varint(-1) for null (writeVarIntBytes / writeVarIntString); lengths from the plan. */
  field(v: unknown): void {
    if (v === null || v === undefined) return this.varint(-1);
    const n = this.lengths[this.len++]!;
    this.varint(n);
    if (typeof v === 'string') {
      if (n === v.length && n <= SHORT) {
        // Short ASCII: byte by byte here is cheaper than a native call.
        const b = this.buf;
        const at = this.off;
        for (let i = 0; i < n; i++) b[at + i] = v.charCodeAt(i);
        this.off += n;
      } else this.off += this.buf.write(v, this.off, n, n === v.length ? 'latin1' : 'utf8');
      return;
    }
    this.buf.set(v as Buffer, this.off);
    this.off += n;
  }
  /** A record's header count and its entries, copied from the plan's `scratch` (bytes start..end). */
  headers(count: number, start: number, end: number): void {
    this.varint(count);
    scratch.copy(this.buf, this.off, start, end);
    this.off += end - start;
  }
}

/**
 * The Produce request body (transactional_id acks timeout [topic_data]), or `undefined` when the
 * request is outside the handled case. `now` is KafkaJS's `Date.now()` for records without a
 * timestamp (asked once per partition, as KafkaJS does). `headroom` bytes are left unused right
 * before the body, in the same allocation, so the request framing can be written in front of it
 * instead of the body being copied behind the framing (fast-produce.ts).
 */
export function encodeProduceRequest(a: ProduceArgs, now: () => number, toInt64: ToInt64, headroom = 0): Buffer | undefined {
  if (a.compression !== undefined && a.compression !== 0) return undefined;
  const txn = a.transactionalId ?? null;
  if (txn !== null && typeof txn !== 'string') return undefined;
  const plan = new Plan();
  let size = (txn === null ? 2 : 2 + Buffer.byteLength(txn)) + 2 + 4 + 4;
  for (const t of a.topicData) {
    size += 2 + Buffer.byteLength(t.topic) + 4;
    for (const p of t.partitions) {
      if (!plan.partition(p.messages, now)) return undefined;
      size += PARTITION_FIXED + plan.partitions[plan.partitions.length - 1]!.bytes;
    }
  }
  const producerId = toInt64(a.producerId === undefined ? -1 : a.producerId);
  const w = new Writer(Buffer.allocUnsafe(headroom + size).subarray(headroom), plan.lengths);
  let pi = 0;
  let ri = 0;
  let headersAt = 0;
  w.string(txn);
  w.i16(a.acks);
  w.i32(a.timeout);
  w.i32(a.topicData.length);
  for (const t of a.topicData) {
    w.string(t.topic);
    w.i32(t.partitions.length);
    for (const p of t.partitions) {
      const planned = plan.partitions[pi++]!;
      const batchLength = 4 + 1 + 4 + 40 + planned.bytes;
      w.i32(p.partition);
      w.i32(8 + 4 + batchLength);
      w.i64(0n); // firstOffset
      w.i32(batchLength);
      w.i32(0); // partitionLeaderEpoch
      w.i8(2); // magic
      const crcAt = w.off;
      w.off += 4;
      const bodyAt = w.off;
      w.i16(txn ? TRANSACTIONAL : 0); // attributes: no compression, create time
      w.i32(p.messages.length - 1); // lastOffsetDelta
      w.i64(toInt64(planned.first));
      w.i64(toInt64(planned.max));
      w.i64(producerId);
      w.i16(a.producerEpoch === undefined ? 0 : a.producerEpoch);
      w.i32(p.firstSequence === undefined ? 0 : p.firstSequence);
      w.i32(p.messages.length);
      for (let i = 0; i < p.messages.length; i++, ri++) {
        const m = p.messages[i]!;
        const body = plan.bodies[ri]!;
        w.varint(body);
        w.i8(0); // record attributes
        w.varlong(plan.deltas[ri]!);
        w.varint(i); // offsetDelta
        w.field(m.key);
        w.field(m.value);
        const end = plan.headerEnds[ri]!;
        w.headers(plan.headerCounts[ri]!, headersAt, end);
        headersAt = end;
      }
      w.buf.writeUInt32BE(crc32c(w.buf, bodyAt, w.off), crcAt);
    }
  }
  if (w.off !== size) throw new Error(`produce request: wrote ${w.off} of ${size} bytes`);
  return w.buf;
}
