import { randomFillSync } from 'node:crypto';

/**
 * Cryptographically random bytes drawn from a pool refilled in bulk. `crypto.randomBytes(8)` is a
 * native call plus a Buffer allocation each time; ingress mints a trace id and a span id per
 * event (EXT-TRACE-N2), so at tens of thousands of events/s that call dominated stamping. One
 * randomFillSync of 4 KiB serves ~170 events. The bytes are the same CSPRNG output, each handed
 * out once: ids minted from the pool are as unpredictable and unique as before.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_SIZE);
let used = POOL_SIZE;

/** Reserves `n` (≤ POOL_SIZE) fresh random bytes; returns their offset in `pool`. */
function take(n: number): number {
  if (used + n > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const at = used;
  used += n;
  return at;
}

/** `n` fresh random bytes as lower-case hex (2n characters). */
export function randomHex(n: number): string {
  const at = take(n);
  return pool.toString('hex', at, at + n);
}

/** Copies `n` fresh random bytes into `target` at `offset`. */
export function randomInto(target: Uint8Array, offset: number, n: number): void {
  const at = take(n);
  target.set(pool.subarray(at, at + n), offset);
}

/** One fresh random byte (0..255). */
export function randomByte(): number {
  return pool[take(1)]!;
}
