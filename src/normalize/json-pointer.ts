/**
 * RFC 6901 lookup for json-mode mappings (`{ field: /order/id }`). A stage of its own, so it
 * cannot borrow registry/'s copy (DESIGN §9: stages never import each other).
 */

/** The value `pointer` refers to in `doc`, or undefined when it refers to nothing. `''` is the whole document. */
export function getByPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      // RFC 6901 §4: canonical indexes only (`0`, `12`; not `01`, not `-`).
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      cur = cur[Number(token)];
    } else if (cur !== null && typeof cur === 'object') {
      // Own members only: `/constructor` must not find Object.prototype's.
      if (!Object.hasOwn(cur, token)) return undefined;
      cur = (cur as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return cur;
}
