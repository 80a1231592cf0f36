import { randomByte, randomInto } from './random-pool.js';

let lastMs = 0;
let seq = 0;

/**
 * RFC 9562 UUIDv7: 48-bit Unix ms timestamp, version 7, 12-bit monotonic counter in rand_a
 * (method 1 of §6.2) so ids minted in the same millisecond still sort, then 62 random bits.
 * CORE-M7: ids Causeway mints for normalized input are unique per source.
 */
export function uuidv7(now: number = Date.now()): string {
  if (now <= lastMs) {
    seq++;
    if (seq > 0xfff) {
      lastMs++;
      seq = 0;
    }
    now = lastMs;
  } else {
    lastMs = now;
    seq = randomByte() & 0x7f; // random start, leaves headroom for the counter
  }
  const b = Buffer.allocUnsafe(16);
  randomInto(b, 0, 16);
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
