import type { Position } from '../core/index.js';

/**
 * A copy of `s` that shares no memory with the text it was cut from. V8 keeps a substring as a
 * view of its parent string and a concatenation as references to its parts, so a `source`+`id`
 * key cut from a batch body keeps the whole body alive for as long as the key is kept: held for
 * the dedupe window, that was ~1.1 KiB of body text per entry, over 1 GB of heap after 30 s of
 * batched ingest. JSON.stringify + JSON.parse round-trips every string exactly (lone surrogates
 * included) and always builds a new string.
 */
export const detach = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

/** An id whose append is in flight: its position comes from the append's promise (made on demand). */
interface InFlight {
  readonly group: Promise<readonly Position[]>;
  readonly index: number;
  /** Its slot now (the ring may grow, which moves slots, before the append settles). */
  slot: number;
  pending: Promise<Position> | undefined;
}

/** Slots of the ring to begin with; it doubles up to maxEntries. */
const INITIAL_SLOTS = 1024;
/** partition of a slot whose append is in flight, and of a freed slot. */
const IN_FLIGHT = -1;
const FREE = -2;

/**
 * Remembers source+id → position for `windowMs` (CORE-N1: a repeated source+id is the same event).
 * In-flight appends are coalesced, so two concurrent requests with one id store it once.
 * Bounded by `maxEntries` (oldest evicted first) so memory stays flat under any load; `evicted`
 * counts ids dropped before their time (causeway_dedupe_evicted_total), which says the window
 * is shorter than configured.
 *
 * Layout: at the default 2,000,000 entries this is the largest structure of an accept process,
 * and all of it is old-generation heap the GC keeps walking. So an entry is one string (the key,
 * stored detached, see `detach`) in a Map to a slot number, and the slot's position and expiry
 * live in typed arrays of a ring in insertion order (which is expiry order): ~200 bytes and one
 * object per id, where an object per entry and one per position took ~330 bytes and three.
 */
export class DedupeWindow {
  private readonly slotOf = new Map<string, number>();
  private readonly inFlight = new Map<number, InFlight>();
  private keys: Array<string | undefined> = [];
  private partition = new Int32Array(0);
  private offset = new Float64Array(0);
  private expires = new Float64Array(0);
  private topic = new Uint32Array(0);
  private readonly topics: string[] = [];
  private readonly topicIds = new Map<string, number>();
  /** Ring: the oldest slot, and how many slots from it are in use (freed ones included). */
  private head = 0;
  private used = 0;
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
    const slot = this.slotOf.get(key);
    if (slot === undefined) return undefined;
    if (this.expires[slot]! <= this.now()) {
      this.free(slot);
      return undefined;
    }
    const p = this.partition[slot]!;
    if (p >= 0) return { topic: this.topics[this.topic[slot]!]!, partition: p, offset: this.offset[slot]! };
    // Only a duplicate arriving while its original is in flight needs a promise of its own.
    const f = this.inFlight.get(slot)!;
    return (f.pending ??= f.group.then((all) => all[f.index]!));
  }

  /** Registers an append in flight; on failure the id is forgotten so the client's retry stores it. */
  track(key: string, pending: Promise<Position>): void {
    this.trackAll(
      [key],
      pending.then((p) => [p]),
    );
  }

  /**
   * track() for the ids of one append, `keys[i]` stored at `pending`'s i-th position: one
   * callback per append instead of a promise and two callbacks per id (a batch has a hundred).
   */
  trackAll(keys: readonly string[], pending: Promise<readonly Position[]>): void {
    if (this.windowMs <= 0 || keys.length === 0) return;
    const expires = this.now() + this.windowMs;
    const ids: InFlight[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const f: InFlight = { group: pending, index: i, slot: this.claim(detach(keys[i]!), expires), pending: undefined };
      this.inFlight.set(f.slot, f);
      ids[i] = f;
    }
    // An id may have been evicted or tracked again by the time the append settles: only a slot
    // still holding this very entry is updated.
    const mine = (f: InFlight): boolean => this.inFlight.get(f.slot) === f;
    pending.then(
      (all) => {
        for (const f of ids) {
          if (!mine(f)) continue;
          const pos = all[f.index]!;
          this.inFlight.delete(f.slot);
          this.partition[f.slot] = pos.partition;
          this.offset[f.slot] = pos.offset;
          this.topic[f.slot] = this.topicId(pos.topic);
        }
      },
      () => {
        for (const f of ids) if (mine(f)) this.free(f.slot);
      },
    );
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** Takes the next slot of the ring for `key`, after dropping expired (and, when full, the oldest) entries. */
  private claim(key: string, expires: number): number {
    this.sweep();
    if (this.used === this.keys.length && !this.grow()) this.dropHead(this.now()); // full of holes: reclaim the oldest
    const slot = (this.head + this.used) % this.keys.length;
    this.used++;
    const before = this.slotOf.get(key);
    if (before !== undefined) this.free(before); // tracked again (e.g. after a failed append): newest wins
    this.keys[slot] = key;
    this.partition[slot] = IN_FLIGHT;
    this.expires[slot] = expires;
    this.slotOf.set(key, slot);
    return slot;
  }

  /** Forgets a slot's id; the slot itself is reclaimed when the ring's head passes it. */
  private free(slot: number): void {
    const key = this.keys[slot];
    if (key !== undefined && this.slotOf.get(key) === slot) this.slotOf.delete(key);
    this.keys[slot] = undefined;
    this.partition[slot] = FREE;
    this.inFlight.delete(slot);
  }

  /** Drops expired entries from the front, and the oldest live ones while there is no room for one more. */
  private sweep(): void {
    const now = this.now();
    while (this.used > 0) {
      const slot = this.head;
      if (this.keys[slot] !== undefined && this.expires[slot]! > now && this.slotOf.size < this.maxEntries) break;
      this.dropHead(now);
    }
  }

  private dropHead(now: number): void {
    const slot = this.head;
    if (this.keys[slot] !== undefined && this.expires[slot]! > now) this.evicted++;
    this.free(slot);
    this.head = (this.head + 1) % this.keys.length;
    this.used--;
  }

  /** Doubles the ring (up to maxEntries slots), keeping insertion order from slot 0; false when it may not grow. */
  private grow(): boolean {
    const cap = this.keys.length;
    const next = Math.max(1, Math.min(this.maxEntries, Math.max(INITIAL_SLOTS, cap * 2)));
    if (next <= cap) return false;
    const order = Array.from({ length: this.used }, (_, i) => (this.head + i) % Math.max(cap, 1));
    const keys: Array<string | undefined> = new Array(next);
    const partition = new Int32Array(next);
    const offset = new Float64Array(next);
    const expires = new Float64Array(next);
    const topic = new Uint32Array(next);
    const moved = new Map<number, InFlight>();
    order.forEach((from, to) => {
      keys[to] = this.keys[from];
      partition[to] = this.partition[from]!;
      offset[to] = this.offset[from]!;
      expires[to] = this.expires[from]!;
      topic[to] = this.topic[from]!;
      const key = this.keys[from];
      if (key !== undefined && this.slotOf.get(key) === from) this.slotOf.set(key, to);
      const f = this.inFlight.get(from);
      if (f !== undefined) {
        f.slot = to;
        moved.set(to, f);
      }
    });
    this.inFlight.clear();
    for (const [slot, f] of moved) this.inFlight.set(slot, f);
    this.keys = keys;
    this.partition = partition;
    this.offset = offset;
    this.expires = expires;
    this.topic = topic;
    this.head = 0;
    return true;
  }

  private topicId(name: string): number {
    let id = this.topicIds.get(name);
    if (id === undefined) {
      id = this.topics.push(name) - 1;
      this.topicIds.set(name, id);
    }
    return id;
  }
}
