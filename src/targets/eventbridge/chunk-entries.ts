/**
 * Splits entries (by their AWS-counted sizes) into PutEvents calls: consecutive runs, batch order
 * kept, at most `maxEntries` entries and `maxBytes` bytes each. An entry larger than `maxBytes` on
 * its own (the caller rejects those first) still gets a call of its own rather than being lost.
 */
export function chunkEntries(sizes: readonly number[], maxEntries: number, maxBytes: number): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  sizes.forEach((size, i) => {
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}
