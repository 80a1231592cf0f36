import { type CesqlType, type CesqlValue, describeValue, isInt32 } from './cesql-value.js';
import { type EvalContext, raise } from './eval-context.js';

// SQL-M27: base 10, optional sign, nothing else. Not parseInt, which accepts "5abc" and " 5".
const INTEGER_TEXT = /^[+-]?[0-9]+$/;

/** String→Integer per SQL-M27; `undefined` when the text is not an int32. */
export function parseInt32(s: string): number | undefined {
  if (!INTEGER_TEXT.test(s)) return undefined;
  const n = Number(s);
  return isInt32(n) ? n | 0 : undefined; // `| 0` turns "-0" into 0
}

export function tryToInteger(v: CesqlValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return parseInt32(v);
}

export function tryToBoolean(v: CesqlValue): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  // SQL-M27: only the exact words, in any case ('TRUE' → true, ' true' → error).
  if (v.length === 4 && v.toLowerCase() === 'true') return true;
  if (v.length === 5 && v.toLowerCase() === 'false') return false;
  return undefined;
}

/** Integer→String and Boolean→String cannot fail (SQL-M27). */
export function toStringValue(v: CesqlValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** Implicit cast inside an operator (SQL-M28): on failure reports a CastError and returns 0. */
export function castToInteger(v: CesqlValue, ctx: EvalContext, position: number): number {
  if (typeof v === 'number') return v;
  const n = tryToInteger(v);
  if (n !== undefined) return n;
  raise(ctx, 'cast', `cannot cast ${describeValue(v)} to Integer`, position);
  return 0;
}

export function castToBoolean(v: CesqlValue, ctx: EvalContext, position: number): boolean {
  if (typeof v === 'boolean') return v;
  const b = tryToBoolean(v);
  if (b !== undefined) return b;
  raise(ctx, 'cast', `cannot cast ${describeValue(v)} to Boolean`, position);
  return false;
}

export function castTo(v: CesqlValue, t: CesqlType, ctx: EvalContext, position: number): CesqlValue {
  switch (t) {
    case 'String':
      return toStringValue(v);
    case 'Integer':
      return castToInteger(v, ctx, position);
    case 'Boolean':
      return castToBoolean(v, ctx, position);
  }
}
