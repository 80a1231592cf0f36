/**
 * The durable half of the accept side's dedupe window (CORE-N1) after a restart. The writer
 * appends one row per record that has `ce_source`+`ce_id` to `id_journal` (its records rowid,
 * the time it was written, a 30-bit hash of source+id). Rowids grow, so every insert lands on
 * the rightmost page: a few bytes per record, no random B-tree inserts. (It replaces an index on
 * `records (ce_id, ce_source)`, whose inserts land on a random leaf page each: one 4 KiB WAL
 * frame per record and ~25 µs of writer CPU per record, more than the record itself.)
 *
 * On open, the reader loads the rows written within the recall window (newest first, up to a
 * cap) into a hash → rowid map; a lookup then reads at most a few records by rowid and compares
 * source, id and timestamp exactly, so hash collisions cost a read, never a wrong answer. (Only a
 * VACUUM could renumber the records' rowids, which Causeway never runs; even then a lookup would
 * miss, not answer wrongly.)
 */

/**
 * FNV-1a over the UTF-16 code units of `source \0 id`, folded to 30 bits (a V8 small integer).
 * Stored in id_journal: changing it would make existing journals unreadable for recall.
 */
export function idHash(source: string, id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193);
  h = Math.imul(h, 0x01000193); // the \0 separator: ('a', 'bc') and ('ab', 'c') differ
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 30)) & 0x3fffffff;
}

/** hash → record rowids, newest first (a bare number when there is one, as almost always). */
export class RecallMap {
  private readonly map = new Map<number, number | number[]>();

  get size(): number {
    return this.map.size;
  }

  /** Adds a rowid older than every rowid already added under the same hash. */
  addOlder(hash: number, rid: number): void {
    const had = this.map.get(hash);
    if (had === undefined) this.map.set(hash, rid);
    else if (typeof had === 'number') this.map.set(hash, [had, rid]);
    else had.push(rid);
  }

  /** Candidate rowids for a hash, newest first. */
  candidates(hash: number): readonly number[] | number | undefined {
    return this.map.get(hash);
  }
}
