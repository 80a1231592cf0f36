/**
 * Per-route rate limit: a token bucket refilled continuously at `perSecond`, holding at most
 * `burst` tokens (one token per event sent, retries included). The clock is injected.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    burst: number | undefined,
    private readonly now: () => number,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`perSecond must be > 0, got ${perSecond}`);
    this.capacity = Math.max(1, Math.floor(burst ?? perSecond));
    // Starts full: a route that has been idle may send its burst at once.
    this.tokens = this.capacity;
    this.last = now();
  }

  /** Whole tokens available now. */
  available(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Takes `n` tokens; throws when fewer are available (callers check `available()` first). */
  take(n: number): void {
    this.refill();
    if (n > this.tokens + 1e-9) throw new RangeError(`asked for ${n} tokens, ${this.tokens} available`);
    this.tokens -= n;
  }

  /** Milliseconds until `n` (≤ capacity) tokens are available; 0 when they already are. */
  msUntil(n: number): number {
    this.refill();
    const want = Math.min(n, this.capacity);
    if (this.tokens >= want) return 0;
    return Math.ceil(((want - this.tokens) * 1000) / this.perSecond);
  }

  private refill(): void {
    const t = this.now();
    // A clock stepping backwards adds nothing (and takes nothing away).
    if (t > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.perSecond) / 1000);
      this.last = t;
    }
  }
}
