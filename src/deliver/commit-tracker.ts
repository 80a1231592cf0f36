/**
 * At-least-once commits (DESIGN §6): a partition's offset is committed only up to the last event
 * that was delivered or dead-lettered, never past one still in flight. Events complete out of
 * order (different keys run in parallel), so the committable position is the lowest offset still
 * incomplete, or one past the highest offset seen when none is.
 *
 * Memory is O(incomplete offsets), not O(offsets since the oldest incomplete one): completed
 * offsets behind a slow key are forgotten at once.
 */
export class CommitTracker {
  /** Incomplete offsets, ascending (they are tracked in read order). */
  private readonly pending: number[] = [];
  /** One past the highest offset tracked so far (or the start position). */
  private end: number;

  constructor(start: number) {
    this.end = start;
  }

  /** Registers an offset as read; offsets must be tracked in increasing order (gaps allowed). */
  track(offset: number): void {
    if (offset < this.end) throw new RangeError(`offset ${offset} tracked after ${this.end - 1}`);
    this.pending.push(offset);
    this.end = offset + 1;
  }

  /** Marks a tracked offset as delivered or dead-lettered (idempotent). */
  complete(offset: number): void {
    const i = this.indexOf(offset);
    if (i >= 0) this.pending.splice(i, 1);
  }

  /** Tracked and not yet completed. */
  get incomplete(): number {
    return this.pending.length;
  }

  /** The next offset to read as far as commits go: everything below it is done. */
  committable(): number {
    return this.pending.length > 0 ? this.pending[0]! : this.end;
  }

  /** Moves the end past offsets never tracked (e.g. a fresh route starting at the high watermark). */
  skipTo(offset: number): void {
    if (this.pending.length === 0 && offset > this.end) this.end = offset;
  }

  private indexOf(offset: number): number {
    // Completions cluster at the front (oldest first), but keys finish in any order: binary search.
    let lo = 0;
    let hi = this.pending.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.pending[mid]!;
      if (v === offset) return mid;
      if (v < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
