/**
 * The fast path for event documents: a validating RFC 8259 scanner that materializes only what
 * the event format reads — the members of the event object(s) — and checks everything below them
 * (the `data` value above all) without building anything. scanJson builds a node per value and a
 * string per string; for a 1 KiB event that was most of the decoding cost.
 *
 * Same guarantees as scanJson, which stays the reference (its tests fuzz it against JSON.parse):
 * - accepts exactly the texts scanJson accepts, including its nesting limit (MAX_JSON_DEPTH);
 * - member keys, string values and number tokens of the event object(s) are what scanJson gives:
 *   every member in order with duplicates (CORE-M2), raw number text (CORE-M18), decoded strings;
 * - nested values (data) are given by kind and span only, so their text is passed on verbatim (JSON-N4).
 * On any error it throws a bare JsonSyntaxError: callers re-scan with scanJson for the message and
 * the precise position (the error path need not be fast).
 */
import { JsonSyntaxError, MAX_JSON_DEPTH, type JsonNode, type JsonSpan } from './json-scanner.js';

export type JsonLeaf = Extract<JsonNode, { kind: 'string' | 'number' | 'boolean' | 'null' }>;
/** A value as its parent sees it: leaves in full, containers by kind and span only. */
export type JsonValueRef = JsonLeaf | (JsonSpan & { readonly kind: 'object' }) | (JsonSpan & { readonly kind: 'array' });
export interface JsonMemberRef {
  readonly key: string;
  readonly value: JsonValueRef;
}
/** An object with its members (values shallow). A full JsonNode object is one too. */
export interface JsonObjectRef extends JsonSpan {
  readonly kind: 'object';
  readonly members: readonly JsonMemberRef[];
}
export type JsonNonObject = Exclude<JsonValueRef, { kind: 'object' }>;
export interface JsonArrayRef extends JsonSpan {
  readonly kind: 'array';
  readonly items: ReadonlyArray<JsonObjectRef | JsonNonObject>;
}

/** One event document: the root object with its members, or (invalid as an event) another value. */
export function scanEventJson(text: string): JsonObjectRef | JsonNonObject {
  const s = new LeanScanner(text);
  s.ws();
  const root = s.peek() === LBRACE ? s.object(1) : s.value(0);
  s.end();
  return root as JsonObjectRef | JsonNonObject;
}

/** A batch document: the root array with its members' members, or (invalid as a batch) another value. */
export function scanBatchJson(text: string): JsonArrayRef | Exclude<JsonValueRef, { kind: 'array' }> {
  const s = new LeanScanner(text);
  s.ws();
  const root = s.peek() === LBRACKET ? s.batch() : s.value(0);
  s.end();
  return root as JsonArrayRef | Exclude<JsonValueRef, { kind: 'array' }>;
}

/** True when `text` is exactly one JSON value (whitespace around it allowed): scanJson's isJsonText, building nothing. */
export function isJsonValue(text: string): boolean {
  try {
    const s = new LeanScanner(text);
    s.ws();
    s.value(0);
    s.end();
    return true;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return false;
    throw e;
  }
}

const LBRACE = 0x7b; // '{'; '}' is 0x7d
const LBRACKET = 0x5b; // '['; ']' is 0x5d: a container's closer is its opener + 2
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** Member names of events (spec digest §1, §2 and the extensions we know), by length. */
const KNOWN_KEYS: ReadonlyArray<readonly string[] | undefined> = (() => {
  const names = [
    'specversion',
    'id',
    'source',
    'type',
    'datacontenttype',
    'dataschema',
    'subject',
    'time',
    'data',
    'data_base64',
    'traceparent',
    'tracestate',
    'partitionkey',
  ];
  const byLength: string[][] = [];
  for (const n of names) (byLength[n.length] ??= []).push(n);
  return byLength;
})();
/** The openers of the containers being skipped; one per nesting level. */
const stack = new Uint8Array(MAX_JSON_DEPTH + 1);

const fail = (): never => {
  throw new JsonSyntaxError('Invalid JSON', 0);
};

/** Strings longer than this (in characters) go to JSON.parse without a look at each character. */
const LONG_STRING = 48;

/**
 * The first quote after the opening one at `open` that no backslash escapes (an even run of
 * backslashes before it); -1 when there is none. In a valid string this is its closing quote.
 */
function closingQuote(t: string, open: number): number {
  let q = t.indexOf('"', open + 1);
  while (q > 0) {
    let b = q - 1;
    while (t.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    q = t.indexOf('"', q + 1);
  }
  return -1;
}

class LeanScanner {
  pos = 0;
  /** Set by skipString: the string just skipped holds a backslash escape. */
  private escaped = false;
  constructor(private readonly text: string) {}

  peek(): number {
    return this.text.charCodeAt(this.pos);
  }

  ws(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      // RFC 8259 §2: only space, tab, LF and CR are whitespace.
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  end(): void {
    this.ws();
    if (this.pos !== this.text.length) fail();
  }

  /** `[` of a batch: object members get their members, anything else is shallow. */
  batch(): JsonArrayRef {
    const start = this.pos++;
    const items: Array<JsonObjectRef | JsonNonObject> = [];
    this.ws();
    if (this.peek() !== 0x5d) {
      for (;;) {
        items.push((this.peek() === LBRACE ? this.object(2) : this.value(1)) as JsonObjectRef | JsonNonObject);
        this.ws();
        const c = this.peek();
        this.pos++;
        if (c === 0x5d) break;
        if (c !== COMMA) fail();
        this.ws();
      }
    } else this.pos++;
    return { kind: 'array', items, start, end: this.pos };
  }

  /** An object whose members are materialized; `depth` is its own nesting level (root = 1). */
  object(depth: number): JsonObjectRef {
    const start = this.pos++;
    const members: JsonMemberRef[] = [];
    this.ws();
    if (this.peek() !== 0x7d) {
      for (;;) {
        if (this.peek() !== QUOTE) fail();
        const key = this.keyValue();
        this.ws();
        if (this.peek() !== COLON) fail();
        this.pos++;
        this.ws();
        members.push({ key, value: this.value(depth) });
        this.ws();
        const c = this.peek();
        this.pos++;
        if (c === 0x7d) break;
        if (c !== COMMA) fail();
        this.ws();
      }
    } else this.pos++;
    return { kind: 'object', members, start, end: this.pos };
  }

  /** A value inside a container at level `depth`: leaves in full, containers skipped. */
  value(depth: number): JsonValueRef {
    const start = this.pos;
    const t = this.text;
    switch (t.charCodeAt(start)) {
      case LBRACE:
        this.skipContainer(depth);
        return { kind: 'object', start, end: this.pos };
      case LBRACKET:
        this.skipContainer(depth);
        return { kind: 'array', start, end: this.pos };
      case QUOTE:
        return { kind: 'string', value: this.stringValue(), start, end: this.pos };
      case 0x74: // t
        this.literal('true');
        return { kind: 'boolean', value: true, start, end: this.pos };
      case 0x66: // f
        this.literal('false');
        return { kind: 'boolean', value: false, start, end: this.pos };
      case 0x6e: // n
        this.literal('null');
        return { kind: 'null', start, end: this.pos };
      default:
        this.number();
        return { kind: 'number', raw: t.slice(start, this.pos), start, end: this.pos };
    }
  }

  private literal(word: string): void {
    if (!this.text.startsWith(word, this.pos)) fail();
    this.pos += word.length;
  }

  private number(): void {
    NUMBER.lastIndex = this.pos;
    if (!NUMBER.test(this.text)) fail();
    this.pos = NUMBER.lastIndex;
  }

  /**
   * A member name. The usual ones are handed out as the constant strings below rather than
   * sliced from the text: no allocation, and property keys that need no interning later.
   */
  private keyValue(): string {
    const start = this.pos;
    this.skipString();
    if (!this.escaped) {
      const len = this.pos - start - 2;
      const known = KNOWN_KEYS[len];
      if (known !== undefined) for (const k of known) if (this.text.startsWith(k, start + 1)) return k;
      return this.text.slice(start + 1, this.pos - 1);
    }
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  /** A string token, decoded. Escapes are rare in attributes, so they go through JSON.parse. */
  private stringValue(): string {
    const start = this.pos;
    this.skipString();
    // The token was just validated, so JSON.parse cannot throw; it decodes exactly like scanJson
    // (lone-surrogate escapes included, left for the String type check, CORE-M19).
    return this.escaped ? (JSON.parse(this.text.slice(start, this.pos)) as string) : this.text.slice(start + 1, this.pos - 1);
  }

  /**
   * Validates a string token from its opening quote; leaves pos after the closing quote. Most
   * strings are short and plain (no escapes, no control characters): one pass over their
   * characters finds the closing quote. Anything else — an escape, a control character, or a
   * string longer than LONG_STRING — is handed to JSON.parse, native and exactly RFC 8259's string
   * grammar, up to the first quote no backslash escapes (closingQuote). JSON.parse can only
   * accept the token when it ends at that quote; if it throws, the string is invalid.
   */
  private skipString(): void {
    const t = this.text;
    const open = this.pos;
    const stop = Math.min(t.length, open + LONG_STRING);
    for (let p = open + 1; p < stop; p++) {
      const c = t.charCodeAt(p);
      if (c === QUOTE) {
        this.pos = p + 1;
        this.escaped = false;
        return;
      }
      if (c < 0x20 || c === BACKSLASH) break;
    }
    const q = closingQuote(t, open);
    if (q < 0) fail(); // unterminated
    const token = t.slice(open, q + 1);
    try {
      JSON.parse(token);
    } catch {
      fail();
    }
    this.escaped = token.includes('\\'); // what stringValue needs to know
    this.pos = q + 1;
  }

  /**
   * Skips the object or array at pos, validating it, iteratively: `stack` holds the openers, so
   * hostile nesting costs no call stack. `depth` is the level of the container holding it.
   */
  private skipContainer(depth: number): void {
    const t = this.text;
    let sp = 0;
    value: for (;;) {
      let c = t.charCodeAt(this.pos);
      if (c === LBRACE || c === LBRACKET) {
        if (depth + sp + 1 > MAX_JSON_DEPTH) fail();
        stack[sp++] = c;
        this.pos++;
        this.ws();
        if (t.charCodeAt(this.pos) === c + 2) {
          this.pos++;
          sp--;
        } else {
          if (c === LBRACE) this.key();
          continue value;
        }
      } else if (c === QUOTE) {
        this.skipString();
      } else if (c === 0x74) {
        this.literal('true');
      } else if (c === 0x66) {
        this.literal('false');
      } else if (c === 0x6e) {
        this.literal('null');
      } else {
        this.number();
      }
      // After a value: close containers until one continues with a comma.
      for (;;) {
        if (sp === 0) return;
        this.ws();
        c = t.charCodeAt(this.pos++);
        const open = stack[sp - 1]!;
        if (c === COMMA) {
          this.ws();
          if (open === LBRACE) this.key();
          continue value;
        }
        if (c !== open + 2) fail();
        sp--;
      }
    }
  }

  /** A member name and its colon, inside a skipped object; leaves pos at the value. */
  private key(): void {
    if (this.peek() !== QUOTE) fail();
    this.skipString();
    this.ws();
    if (this.peek() !== COLON) fail();
    this.pos++;
    this.ws();
  }
}
