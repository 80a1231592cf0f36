import type { Position } from '../core/index.js';

/** One append's ids while it is in flight: its promise, and the ring slot of each id. */
interface Group {
  readonly pending: Promise<readonly Position[]>;
  readonly slots: Int32Array;
}

/** Ring slots to begin with; the ring doubles up to maxEntries. */
const INITIAL_SLOTS = 1024;
/** Arena bytes to begin with; it grows while it holds fewer than ARENA_BYTES_PER_ENTRY per allowed entry. */
const INITIAL_ARENA = 64 * 1024;
const ARENA_BYTES_PER_ENTRY = 128;
/** `partition` of a slot whose append is in flight, and of a freed slot. */
const IN_FLIGHT = -1;
const FREE = -2;

/** Smallest power of two ≥ n. */
const pow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(2, n)));

/**
 * Remembers source+id → position for `windowMs` (CORE-N1: a repeated source+id is the same event).
 * In-flight appends are coalesced, so two concurrent requests with one id store it once.
 * Bounded by `maxEntries` (oldest evicted first) so memory stays flat under any load; `evicted`
 * counts ids dropped before their time (causeway_dedupe_evicted_total), which says the window
 * is shorter than configured.
 *
 * Layout: at the default 2,000,000 entries this is the largest structure of an accept process, so
 * it holds no JavaScript object or string per id, which the GC would walk again and again. The
 * Map of key strings it replaces took 3.8 µs of CPU per id (GC included) and 300 MiB of heap with
 * the window full; this takes 2.0–2.4 µs, 20 MiB of heap and 250 MiB outside it
 * (bench/dedupe-window.ts). Here:
 * - a ring of slots in insertion order (which is expiry order), one typed array per field;
 * - each key's UTF-16 code units in a byte arena, a ring in the same order (one byte per unit
 *   when every unit is below 256, else two), so keys are compared exactly, never by hash alone;
 * - an open-addressing index (linear probing, backward-shift deletion) from a seeded hash of the
 *   key to its slot.
 * ~60 bytes per id plus its key, all in ArrayBuffers. Nothing keeps a request body alive either:
 * a key string cut from a body used to keep all of the body.
 */
export class DedupeWindow {
  private cap = 0;
  /** Ring: the oldest slot, how many slots from it are in use (freed ones included), how many hold an id. */
  private head = 0;
  private used = 0;
  private live = 0;
  private hash = new Int32Array(0);
  private keyAt = new Float64Array(0);
  /** Key length in code units; negative when stored two bytes per unit. */
  private keyLen = new Int32Array(0);
  private expires = new Float64Array(0);
  private partition = new Int32Array(0);
  private offset = new Float64Array(0);
  private topic = new Uint32Array(0);
  /** In-flight slots: their append's group id and their index in it. */
  private group = new Int32Array(0);
  private member = new Int32Array(0);
  /** Index: slot + 1 per cell, 0 for an empty cell. */
  private table = new Int32Array(0);
  private mask = 0;
  /** Key bytes; `arenaHead`..`arenaTail` are running byte counts (physical position = count % size). */
  private arena = new Uint8Array(0);
  private arenaHead = 0;
  private arenaTail = 0;
  private readonly groups = new Map<number, Group>();
  private nextGroup = 1;
  private readonly topics: string[] = [];
  private readonly topicIds = new Map<string, number>();
  /** Per-process seed: ids are chosen by clients, who must not be able to pile them into one chain. */
  private readonly seed = (Math.random() * 0x100000000) | 0;
  private readonly hashOf: (key: string) => number;
  evicted = 0;

  /** `hash` replaces the key hash (tests use a poor one to make keys collide); any 32-bit integer function of the key works. */
  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
    hash?: (key: string) => number,
  ) {
    this.hashOf = hash ?? ((key) => this.seededHash(key));
  }

  static key(source: string, id: string): string {
    return `${source}\u0000${id}`;
  }

  /** A stored position, a pending append, or undefined when the id is new. */
  lookup(key: string): Position | Promise<Position> | undefined {
    if (this.live === 0) return undefined;
    const slot = this.find(key, this.hashOf(key));
    if (slot < 0) return undefined;
    if (this.expires[slot]! <= this.now()) {
      this.free(slot);
      return undefined;
    }
    const p = this.partition[slot]!;
    if (p >= 0) return { topic: this.topics[this.topic[slot]!]!, partition: p, offset: this.offset[slot]! };
    // Only a duplicate arriving while its original is in flight needs a promise of its own.
    const g = this.groups.get(this.group[slot]!)!;
    const i = this.member[slot]!;
    return g.pending.then((all) => all[i]!);
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
    const id = this.nextGroup;
    this.nextGroup = this.nextGroup >= 0x7fffffff ? 1 : this.nextGroup + 1;
    const g: Group = { pending, slots: new Int32Array(keys.length) };
    this.groups.set(id, g);
    const expires = this.now() + this.windowMs;
    for (let i = 0; i < keys.length; i++) g.slots[i] = this.claim(keys[i]!, expires, id, i);
    // An id may have been evicted, freed or tracked again by the time the append settles: only a
    // slot still holding this very entry (group and index) is updated.
    const mine = (s: number, i: number): boolean => this.group[s] === id && this.member[s] === i && this.partition[s] === IN_FLIGHT;
    pending.then(
      (all) => {
        this.groups.delete(id);
        for (let i = 0; i < g.slots.length; i++) {
          const s = g.slots[i]!;
          if (!mine(s, i)) continue;
          const pos = all[i]!;
          this.partition[s] = pos.partition;
          this.offset[s] = pos.offset;
          this.topic[s] = this.topicId(pos.topic);
        }
      },
      () => {
        this.groups.delete(id);
        for (let i = 0; i < g.slots.length; i++) if (mine(g.slots[i]!, i)) this.free(g.slots[i]!);
      },
    );
  }

  get size(): number {
    return this.live;
  }

  /** Takes the next slot of the ring for `key`, after dropping expired (and, when full, the oldest) entries. */
  private claim(key: string, expires: number, group: number, member: number): number {
    const now = this.now();
    this.sweep(now);
    if (this.used === this.cap && !this.grow()) this.dropHead(now); // full of holes: reclaim the oldest
    const h = this.hashOf(key);
    const before = this.live === 0 ? -1 : this.find(key, h);
    if (before >= 0) this.free(before); // tracked again (e.g. after a failed append): newest wins
    const n = key.length;
    let wide = false;
    for (let i = 0; i < n && !wide; i++) wide = key.charCodeAt(i) > 0xff;
    const at = this.place(wide ? 2 * n : n, now);
    const slot = (this.head + this.used) % this.cap;
    this.used++;
    this.live++;
    this.writeKey(key, at, wide);
    this.hash[slot] = h;
    this.keyAt[slot] = at;
    this.keyLen[slot] = wide ? -n : n;
    this.expires[slot] = expires;
    this.partition[slot] = IN_FLIGHT;
    this.group[slot] = group;
    this.member[slot] = member;
    let c = h & this.mask;
    while (this.table[c] !== 0) c = (c + 1) & this.mask;
    this.table[c] = slot + 1;
    return slot;
  }

  /** Forgets a slot's id; the slot and its key bytes are reclaimed when the ring's head passes them. */
  private free(slot: number): void {
    if (this.partition[slot] === FREE) return;
    this.partition[slot] = FREE;
    this.live--;
    const mask = this.mask;
    const t = this.table;
    let i = this.hash[slot]! & mask;
    while (t[i] !== slot + 1) i = (i + 1) & mask;
    // Backward-shift deletion: move later cells of the probe run into the hole when their home
    // position is not between the hole and them, so every lookup still finds them.
    for (let j = (i + 1) & mask; t[j] !== 0; j = (j + 1) & mask) {
      const home = this.hash[t[j]! - 1]! & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        t[i] = t[j]!;
        i = j;
      }
    }
    t[i] = 0;
  }

  /** Drops expired and freed entries from the front, and the oldest live ones while there is no room for one more. */
  private sweep(now: number): void {
    while (this.used > 0) {
      const slot = this.head;
      if (this.partition[slot] !== FREE && this.expires[slot]! > now && this.live < this.maxEntries) break;
      this.dropHead(now);
    }
  }

  private dropHead(now: number): void {
    const slot = this.head;
    if (this.partition[slot] !== FREE) {
      if (this.expires[slot]! > now) this.evicted++;
      this.free(slot);
    }
    this.head = (this.head + 1) % this.cap;
    this.used--;
    this.arenaHead = this.used > 0 ? this.keyAt[this.head]! : this.arenaTail;
  }

  /** The slot whose key is `key`, or -1. */
  private find(key: string, h: number): number {
    const mask = this.mask;
    for (let c = h & mask; ; c = (c + 1) & mask) {
      const v = this.table[c]!;
      if (v === 0) return -1;
      if (this.hash[v - 1] === h && this.keyIs(v - 1, key)) return v - 1;
    }
  }

  private keyIs(slot: number, key: string): boolean {
    const len = this.keyLen[slot]!;
    const n = len < 0 ? -len : len;
    if (n !== key.length) return false;
    const a = this.arena;
    let p = this.keyAt[slot]! % a.length;
    if (len >= 0) {
      for (let i = 0; i < n; i++) if (a[p + i] !== key.charCodeAt(i)) return false;
      return true;
    }
    for (let i = 0; i < n; i++, p += 2) if ((a[p]! | (a[p + 1]! << 8)) !== key.charCodeAt(i)) return false;
    return true;
  }

  private writeKey(key: string, at: number, wide: boolean): void {
    const a = this.arena;
    let p = at % a.length;
    if (!wide) {
      for (let i = 0; i < key.length; i++) a[p + i] = key.charCodeAt(i);
      return;
    }
    for (let i = 0; i < key.length; i++, p += 2) {
      const c = key.charCodeAt(i);
      a[p] = c & 0xff;
      a[p + 1] = c >>> 8;
    }
  }

  /** Reserves `bytes` contiguous arena bytes (as a running count), growing the arena or dropping the oldest ids. */
  private place(bytes: number, now: number): number {
    for (;;) {
      const size = this.arena.length;
      let at = this.arenaTail;
      const p = size === 0 ? 0 : at % size;
      if (p + bytes > size) at += size - p; // does not fit before the end: start over at 0
      if (size > 0 && at + bytes - this.arenaHead <= size) {
        this.arenaTail = at + bytes;
        return at;
      }
      if (size < Math.max(INITIAL_ARENA, this.maxEntries * ARENA_BYTES_PER_ENTRY, 2 * bytes) || this.used === 0) this.growArena(bytes);
      else this.dropHead(now);
    }
  }

  /**
   * Grows the arena (at least to fit `bytes` more). The kept bytes, running counts arenaHead..
   * arenaTail, are at most two stretches of the old arena (keys never straddle its end); they
   * move to 0.. in the new one, and every slot's running count moves down by arenaHead.
   */
  private growArena(bytes: number): void {
    const old = this.arena;
    const live = this.arenaTail - this.arenaHead;
    // By half, not doubling: at the default 2M ids the arena is the largest part of the window.
    const next = new Uint8Array(Math.ceil(Math.max(INITIAL_ARENA, 1.5 * old.length, 1.25 * (live + bytes))));
    if (live > 0) {
      const from = this.arenaHead % old.length;
      const first = Math.min(live, old.length - from);
      next.set(old.subarray(from, from + first), 0);
      if (live > first) next.set(old.subarray(0, live - first), first);
    }
    const shift = this.arenaHead;
    for (let k = 0; k < this.used; k++) {
      const slot = (this.head + k) % this.cap;
      this.keyAt[slot] = this.keyAt[slot]! - shift;
    }
    this.arena = next;
    this.arenaHead = 0;
    this.arenaTail = live;
  }

  /** Doubles the ring (up to maxEntries slots), keeping insertion order from slot 0; false when it may not grow. */
  private grow(): boolean {
    const cap = this.cap;
    const next = Math.max(1, Math.min(this.maxEntries, Math.max(INITIAL_SLOTS, cap * 2)));
    if (next <= cap) return false;
    // In insertion order from slot 0: the used slots are at most two stretches of the old ring.
    const first = Math.min(this.used, cap - this.head);
    const order = <T extends Int32Array | Float64Array | Uint32Array>(a: T, to: T): T => {
      to.set(a.subarray(this.head, this.head + first) as T, 0);
      if (this.used > first) to.set(a.subarray(0, this.used - first) as T, first);
      return to;
    };
    this.hash = order(this.hash, new Int32Array(next));
    this.keyAt = order(this.keyAt, new Float64Array(next));
    this.keyLen = order(this.keyLen, new Int32Array(next));
    this.expires = order(this.expires, new Float64Array(next));
    this.partition = order(this.partition, new Int32Array(next));
    this.offset = order(this.offset, new Float64Array(next));
    this.topic = order(this.topic, new Uint32Array(next));
    this.group = order(this.group, new Int32Array(next));
    this.member = order(this.member, new Int32Array(next));
    // In-flight appends know their ids by slot: slots moved to their distance from the old head.
    for (const g of this.groups.values()) for (let i = 0; i < g.slots.length; i++) g.slots[i] = (g.slots[i]! - this.head + cap) % cap;
    this.cap = next;
    this.head = 0;
    this.table = new Int32Array(pow2(2 * next));
    this.mask = this.table.length - 1;
    for (let s = 0; s < this.used; s++) {
      if (this.partition[s] === FREE) continue;
      let c = this.hash[s]! & this.mask;
      while (this.table[c] !== 0) c = (c + 1) & this.mask;
      this.table[c] = s + 1;
    }
    return true;
  }

  /** A seeded 32-bit hash of the key's code units (FNV-1a, then murmur3's finalizer to spread the bits). */
  private seededHash(key: string): number {
    let h = this.seed ^ 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
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
