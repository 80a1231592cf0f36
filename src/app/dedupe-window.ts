import type { Position } from '../core/index.js';

interface Entry {
  position: Position | undefined;
  pending: Promise<Position> | undefined;
  expires: number;
}

/**
 * Remembers source+id → position for `windowMs` (CORE-N1: a repeated source+id is the same event).
 * In-flight appends are coalesced, so two concurrent requests with one id store it once.
 * Bounded by `maxEntries` (oldest evicted first) so memory stays flat under any load; the
 * eviction count is exposed so an operator can see when the window is shorter than configured.
 */
export class DedupeWindow {
  private readonly entries = new Map<string, Entry>();
  evicted = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  static key(source: string, id: string): string {
    return `${source}\u0000${id}`;
  }

  /** A stored position, a pending append, or undefined when the id is new. */
  lookup(key: string): Position | Promise<Position> | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.position ?? e.pending;
  }

  /** Registers an append in flight; on failure the id is forgotten so the client's retry stores it. */
  track(key: string, pending: Promise<Position>): void {
    if (this.windowMs <= 0) return;
    const entry: Entry = { position: undefined, pending, expires: this.now() + this.windowMs };
    this.entries.set(key, entry);
    pending.then(
      (pos) => {
        entry.position = pos;
        entry.pending = undefined;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    this.sweep();
  }

  /** Seeds a known position (e.g. rebuilt from the log after a restart). */
  remember(key: string, position: Position, at: number): void {
    const expires = at + this.windowMs;
    if (expires > this.now()) this.entries.set(key, { position, pending: undefined, expires });
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.now();
    // Insertion order is (nearly) expiry order: drop from the front.
    for (const [k, e] of this.entries) {
      if (e.expires > now && this.entries.size <= this.maxEntries) break;
      if (e.expires > now) this.evicted++;
      this.entries.delete(k);
    }
  }
}
