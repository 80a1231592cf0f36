/**
 * From a path in the parsed value (an Ajv instancePath or a FilterError path) back to the line
 * of the YAML source, so that every route problem can name file:line.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type Segment = string | number;

/** `/routes/0/to/http` → ['routes', 0, 'to', 'http'] (RFC 6901 unescaping). */
export function pointerSegments(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => {
      const key = s.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : key;
    });
}

/**
 * Filter paths as the filters print them: `when[1].pattern.data.amount[0]`, with odd keys as
 * `["odd key"]` (filter-error.ts joinPath, pattern-error.ts keyPath).
 */
export function dottedSegments(path: string): Segment[] {
  const out: Segment[] = [];
  const re = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < path.length && (m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string);
    else out.push(m[3] as string);
  }
  return out;
}

/** ['to', 'http', 'url'] → `to.http.url`; ['when', 1, 'sql'] → `when[1].sql`. */
export function formatSegments(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

const keyText = (key: unknown): string => (isScalar(key) ? String(key.value) : String(key));

export interface Located {
  /** 1-based line of the deepest node found on the path. */
  readonly line: number;
  /** The node the whole path leads to, when it exists. */
  readonly node?: Node;
}

/**
 * Walks `segments` through the document. A map step ends on its key (the line where an
 * author reads the field name); a path that leaves the document (a missing key) stops at the
 * deepest node that exists.
 */
export function locate(doc: Document, lines: LineCounter, segments: readonly Segment[]): Located {
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lines.linePos(offset).line);
  let node: unknown = doc.contents;
  let line = lineAt((doc.contents as Node | null)?.range?.[0]);
  for (const seg of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (pair === undefined) return { line };
      line = lineAt((pair.key as Node | null)?.range?.[0] ?? (pair.value as Node | null)?.range?.[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return { line };
      line = lineAt((item as Node | null)?.range?.[0]);
      node = item;
    } else {
      return { line };
    }
  }
  if (isAlias(node)) node = node.resolve(doc);
  return node === null || node === undefined ? { line } : { line, node: node as Node };
}

/** The line of a node's first character. */
export function nodeLine(lines: LineCounter, node: Node): number {
  return node.range === undefined || node.range === null ? 1 : lines.linePos(node.range[0]).line;
}
