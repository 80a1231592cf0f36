import type { Position } from '../core/index.js';

interface Entry {
  position: Position | undefined;
  pending: Promise<Position> | undefined;
  /** Set by trackAll: the group's append and this id's place in it (its promise is made on demand). */
  group: Promise<readonly Position[]> | undefined;
  index: number;
  expires: number;
}

/**
 * A copy of `s` that shares no memory with the text it was cut from. V8 keeps a substring as a
 * view of its parent string and a concatenation as references to its parts, so a `source`+`id`
 * key cut from a batch body keeps the whole body alive for as long as the key is kept: held for
 * the dedupe window, that was ~1.1 KiB of body text per entry, over 1 GB of heap after 30 s of
 * batched ingest. JSON.stringify + JSON.parse round-trips every string exactly (lone surrogates
 * included) and always builds a new string.
 */
export const detach = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

/**
 * Remembers source+id → position for `windowMs` (CORE-N1: a repeated source+id is the same event).
 * In-flight appends are coalesced, so two concurrent requests with one id store it once.
 * Bounded by `maxEntries` (oldest evicted first) so memory stays flat under any load; the
 * eviction count is exposed so an operator can see when the window is shorter than configured.
 * Keys are stored detached (see `detach`): lookups may use keys cut from request bodies.
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
    if (e.position !== undefined) return e.position;
    // Only a duplicate arriving while its original is in flight needs a promise of its own.
    if (e.pending === undefined && e.group !== undefined) {
      const index = e.index;
      e.pending = e.group.then((all) => all[index]!);
    }
    return e.pending;
  }

  /** Registers an append in flight; on failure the id is forgotten so the client's retry stores it. */
  track(key: string, pending: Promise<Position>): void {
    if (this.windowMs <= 0) return;
    const entry: Entry = { position: undefined, pending, group: undefined, index: 0, expires: this.now() + this.windowMs };
    key = detach(key);
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

  /**
   * track() for the ids of one append, `keys[i]` stored at `pending`'s i-th position: one
   * callback per append instead of a promise and two callbacks per id (a batch has a hundred).
   */
  trackAll(keys: readonly string[], pending: Promise<readonly Position[]>): void {
    if (this.windowMs <= 0 || keys.length === 0) return;
    const expires = this.now() + this.windowMs;
    const entries: Entry[] = new Array(keys.length);
    const stored: string[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const entry: Entry = { position: undefined, pending: undefined, group: pending, index: i, expires };
      entries[i] = entry;
      this.entries.set((stored[i] = detach(keys[i]!)), entry);
    }
    pending.then(
      (all) => {
        for (const entry of entries) {
          entry.position = all[entry.index];
          entry.pending = undefined;
          entry.group = undefined;
        }
      },
      () => {
        for (let i = 0; i < stored.length; i++) if (this.entries.get(stored[i]!) === entries[i]) this.entries.delete(stored[i]!);
      },
    );
    this.sweep();
  }

  /** Seeds a known position (e.g. rebuilt from the log after a restart). */
  remember(key: string, position: Position, at: number): void {
    const expires = at + this.windowMs;
    if (expires > this.now()) this.entries.set(detach(key), { position, pending: undefined, group: undefined, index: 0, expires });
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
