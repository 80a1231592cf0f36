/**
 * RFC 6901 JSON pointers, one implementation for the product: `partitionKey: /itemId` in
 * event.yaml, the paths of schema violations (`/data/amount`), the places in a schema that
 * problems name, and the Kafka ingress's json-mode mappings (`{ field: /order/id }`).
 */

/** True when `p` is a well-formed non-root pointer: `/`-separated, `~` only as `~0` or `~1`. */
export function isJsonPointer(p: string): boolean {
  return /^(\/([^~/]|~[01])*)+$/.test(p);
}

/** Splits a well-formed pointer into unescaped reference tokens (`~1` → `/`, then `~0` → `~`). */
export function parseJsonPointer(p: string): string[] {
  if (p === '') return [];
  return p
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The pointers of event.yaml `partitionKey`s are looked up for every event: parsed once each. */
const PARSED = new Map<string, readonly string[]>();
function parsedPointer(p: string): readonly string[] {
  let tokens = PARSED.get(p);
  if (tokens === undefined) {
    tokens = parseJsonPointer(p);
    if (PARSED.size < 1024) PARSED.set(p, tokens);
  }
  return tokens;
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Appends reference tokens to a pointer, escaping each. */
export function joinPointer(base: string, ...tokens: ReadonlyArray<string | number>): string {
  return base + tokens.map((t) => '/' + escapePointerToken(String(t))).join('');
}

/**
 * The value `pointer` refers to in `doc`, or undefined when it refers to nothing. Array
 * indexes must be canonical (`0`, `12`; not `01`, not `-`), as RFC 6901 §4 requires.
 */
export function getByPointer(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const token of parsedPointer(pointer)) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      cur = cur[Number(token)];
    } else if (cur !== null && typeof cur === 'object' && !(cur instanceof Uint8Array)) {
      if (!Object.prototype.hasOwnProperty.call(cur, token)) return undefined;
      cur = (cur as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return cur;
}
