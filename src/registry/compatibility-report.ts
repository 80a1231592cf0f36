import { joinPointer } from '../codec/index.js';

/** What the compatibility checker reports (see compatibility.ts for the semantics). */
export interface CompatibilityProblem {
  /** Where in the schema (JSON pointer; '' is the root). */
  readonly pointer: string;
  readonly direction: 'backward' | 'forward';
  /** e.g. `backward: /properties/currency became required`. */
  readonly message: string;
}

export type Obj = Record<string, unknown>;

/** The state of one directional check; `compare` is passed in so the helpers need no import cycle. */
export interface Cx {
  readonly dir: 'backward' | 'forward';
  readonly out: CompatibilityProblem[];
  readonly compare: (w: unknown, r: unknown, ptr: string, cx: Cx) => void;
}

/** Keywords that never reject a value. */
export const ANNOTATIONS = new Set([
  '$id',
  '$schema',
  '$comment',
  '$anchor',
  '$dynamicAnchor',
  '$vocabulary',
  '$defs',
  'definitions',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
]);

/** A direction-neutral "keyword added / removed / changed" report, in older → newer terms. */
export function changed(cx: Cx, ptr: string, kw: string, wv: unknown, rv: unknown, suffix = ''): void {
  const [ov, nv] = cx.dir === 'backward' ? [wv, rv] : [rv, wv];
  let text: string;
  if (ov === undefined) text = `added (${json(nv)})`;
  else if (nv === undefined) text = `removed (was ${json(ov)})`;
  else if (typeof ov === 'number' && typeof nv === 'number') text = `${nv > ov ? 'raised' : 'lowered'} from ${ov} to ${nv}`;
  else text = `changed from ${json(ov)} to ${json(nv)}`;
  say(cx, joinPointer(ptr, kw), text + suffix, text + suffix);
}

/** Records a problem; `back`/`fwd` describe the change from the older to the newer schema. */
export function say(cx: Cx, pointer: string, back: string, fwd: string): void {
  const text = cx.dir === 'backward' ? back : fwd;
  cx.out.push({ pointer, direction: cx.dir, message: `${cx.dir}: ${pointer === '' ? '(root)' : pointer} ${text}` });
}

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** True when the schema can reject some value (it is not `{}` with annotations only). */
export function hasAssertions(s: unknown): boolean {
  if (s === undefined || s === true) return false;
  if (!isObj(s)) return true;
  return Object.keys(s).some((k) => !ANNOTATIONS.has(k));
}

export function json(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
