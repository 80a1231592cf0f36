/**
 * A small, strict RFC 8259 JSON scanner that keeps what `JSON.parse` throws away:
 * - the source span of every value, so `data` can be passed on byte for byte (JSON-N4);
 * - the raw text of numbers, so `5` can be told from `5.0` and `1e3` (CORE-M18);
 * - every object member in order, duplicates included, so they can be rejected (CORE-M2).
 * Positions are UTF-16 offsets into the scanned text.
 */

export interface JsonSpan {
  /** Offset of the first character of the value. */
  readonly start: number;
  /** Offset just past the last character of the value. */
  readonly end: number;
}

export interface JsonMember {
  readonly key: string;
  readonly value: JsonNode;
}

export type JsonNode =
  | (JsonSpan & { readonly kind: 'object'; readonly members: readonly JsonMember[] })
  | (JsonSpan & { readonly kind: 'array'; readonly items: readonly JsonNode[] })
  | (JsonSpan & { readonly kind: 'string'; readonly value: string })
  | (JsonSpan & { readonly kind: 'number'; readonly raw: string })
  | (JsonSpan & { readonly kind: 'boolean'; readonly value: boolean })
  | (JsonSpan & { readonly kind: 'null' });

/** A syntax error with the offset where scanning stopped. */
export class JsonSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = 'JsonSyntaxError';
    this.position = position;
  }
}

/** Deeper nesting is refused rather than risking a stack overflow on hostile input. */
export const MAX_JSON_DEPTH = 512;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Scans one complete JSON text (surrounding whitespace allowed, nothing else). */
export function scanJson(text: string): JsonNode {
  const scanner = new Scanner(text);
  scanner.skipWs();
  const node = scanner.value(0);
  scanner.skipWs();
  if (scanner.pos < text.length) scanner.fail('Unexpected data after the JSON value');
  return node;
}

/** True when `text` is exactly one JSON value (whitespace around it allowed). */
export function isJsonText(text: string): boolean {
  try {
    scanJson(text);
    return true;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return false;
    throw e;
  }
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string, at = this.pos): never {
    throw new JsonSyntaxError(message, at);
  }

  skipWs(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      // RFC 8259 §2: only space, tab, LF and CR are whitespace.
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  private describe(): string {
    if (this.pos >= this.text.length) return 'Unexpected end of JSON input';
    return `Unexpected character ${JSON.stringify(this.text[this.pos])}`;
  }

  value(depth: number): JsonNode {
    const start = this.pos;
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        return { kind: 'string', value: this.string(), start, end: this.pos };
      case 't':
        return this.literal('true', { kind: 'boolean', value: true, start, end: start + 4 });
      case 'f':
        return this.literal('false', { kind: 'boolean', value: false, start, end: start + 5 });
      case 'n':
        return this.literal('null', { kind: 'null', start, end: start + 4 });
      default: {
        NUMBER.lastIndex = start;
        const m = NUMBER.exec(this.text);
        if (m === null) this.fail(this.describe());
        this.pos = start + m[0].length;
        return { kind: 'number', raw: m[0], start, end: this.pos };
      }
    }
  }

  private literal<N extends JsonNode>(word: string, node: N): N {
    if (!this.text.startsWith(word, this.pos)) this.fail(this.describe());
    this.pos += word.length;
    return node;
  }

  private object(depth: number): JsonNode {
    if (depth > MAX_JSON_DEPTH) this.fail(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    const start = this.pos++;
    const members: JsonMember[] = [];
    this.skipWs();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', members, start, end: this.pos };
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail(`${this.describe()}, expected a member name`);
      const key = this.string();
      this.skipWs();
      if (this.text[this.pos] !== ':') this.fail(`${this.describe()}, expected ':'`);
      this.pos++;
      this.skipWs();
      members.push({ key, value: this.value(depth) });
      this.skipWs();
      const sep = this.text[this.pos];
      if (sep !== ',' && sep !== '}') this.fail(`${this.describe()}, expected ',' or '}'`);
      this.pos++;
      if (sep === '}') return { kind: 'object', members, start, end: this.pos };
      this.skipWs();
    }
  }

  private array(depth: number): JsonNode {
    if (depth > MAX_JSON_DEPTH) this.fail(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    const start = this.pos++;
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items, start, end: this.pos };
    }
    for (;;) {
      items.push(this.value(depth));
      this.skipWs();
      const sep = this.text[this.pos];
      if (sep !== ',' && sep !== ']') this.fail(`${this.describe()}, expected ',' or ']'`);
      this.pos++;
      if (sep === ']') return { kind: 'array', items, start, end: this.pos };
      this.skipWs();
    }
  }

  /** Reads a string token starting at the opening quote; leaves pos after the closing quote. */
  private string(): string {
    const t = this.text;
    let out = '';
    let runStart = ++this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('Unterminated string');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos++);
        return out;
      }
      if (c < 0x20) this.fail('Unescaped control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(runStart, this.pos);
      const e = t[this.pos + 1];
      if (e === 'u') {
        const hex = t.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\u escape');
        // Lone surrogates are legal JSON; the String type check rejects them later (CORE-M19).
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const r = e === undefined ? undefined : ESCAPES[e];
        if (r === undefined) this.fail('Invalid escape sequence');
        out += r;
        this.pos += 2;
      }
      runStart = this.pos;
    }
  }
}
