import { toStringValue, tryToBoolean, tryToInteger } from './cast-value.js';
import { CesqlCastError, CesqlFunctionEvaluationError, CesqlMathError } from './cesql-error.js';
import { type CesqlValue, INT32_MAX, INT32_MIN, describeValue } from './cesql-value.js';
import { codePointLength, indexOfCodePoint, indexOfLastCodePoints } from './code-points.js';
import type { CesqlFunctionDefinition } from './function-definition.js';

/**
 * The built-in functions every engine MUST provide (SQL-M22), plus the casts INT, BOOL and
 * STRING that the TCK tests and every SDK implements although the v1 tables omit them
 * (SQL-M23). Arguments arrive already cast to the declared parameter types. "Characters"
 * are code points (see code-points.ts). A function that detects its own error throws a
 * CesqlError carrying the spec-defined result (SQL-N2: `LEFT('abc', -2)` → 'abc' + error).
 */
const str = (v: CesqlValue | undefined): string => v as string;
const int = (v: CesqlValue | undefined): number => v as number;

// Unicode White_Space only (SQL-M22): not NUL or other control characters, not U+FEFF.
const EDGE_WHITESPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

function left(args: readonly CesqlValue[]): CesqlValue {
  const [x, y] = [str(args[0]), int(args[1])];
  if (y < 0) throw new CesqlFunctionEvaluationError(`LEFT: negative length ${y}`, { value: x });
  return x.slice(0, indexOfCodePoint(x, y));
}

function right(args: readonly CesqlValue[]): CesqlValue {
  const [x, y] = [str(args[0]), int(args[1])];
  if (y < 0) throw new CesqlFunctionEvaluationError(`RIGHT: negative length ${y}`, { value: x });
  const start = indexOfLastCodePoints(x, y);
  return start < 0 ? x : x.slice(start);
}

function substring(args: readonly CesqlValue[]): CesqlValue {
  const x = str(args[0]);
  const pos = int(args[1]);
  const len = args.length > 2 ? int(args[2]) : undefined;
  const n = codePointLength(x);
  if (pos > n || pos < -n) {
    throw new CesqlFunctionEvaluationError(`SUBSTRING: position ${pos} is outside a string of length ${n}`, { value: '' });
  }
  if (len !== undefined && len < 0) throw new CesqlFunctionEvaluationError(`SUBSTRING: negative length ${len}`, { value: '' });
  if (pos === 0) return '';
  const first = pos > 0 ? pos - 1 : n + pos; // 1-based, or counted from the end
  const last = len === undefined ? n : Math.min(n, first + len);
  return x.slice(indexOfCodePoint(x, first), indexOfCodePoint(x, last));
}

export const BUILTIN_FUNCTIONS: readonly CesqlFunctionDefinition[] = [
  { name: 'LENGTH', params: ['String'], returns: 'Integer', impl: (a) => codePointLength(str(a[0])) },
  { name: 'CONCAT', params: [], variadic: 'String', returns: 'String', impl: (a) => a.join('') },
  {
    name: 'CONCAT_WS',
    params: ['String'],
    variadic: 'String',
    returns: 'String',
    impl: (a) => a.slice(1).join(str(a[0])),
  },
  { name: 'LOWER', params: ['String'], returns: 'String', impl: (a) => str(a[0]).toLowerCase() },
  { name: 'UPPER', params: ['String'], returns: 'String', impl: (a) => str(a[0]).toUpperCase() },
  { name: 'TRIM', params: ['String'], returns: 'String', impl: (a) => str(a[0]).replace(EDGE_WHITESPACE, '') },
  { name: 'LEFT', params: ['String', 'Integer'], returns: 'String', impl: left },
  { name: 'RIGHT', params: ['String', 'Integer'], returns: 'String', impl: right },
  { name: 'SUBSTRING', params: ['String', 'Integer'], returns: 'String', impl: substring },
  { name: 'SUBSTRING', params: ['String', 'Integer', 'Integer'], returns: 'String', impl: substring },
  {
    name: 'ABS',
    params: ['Integer'],
    returns: 'Integer',
    impl: (a) => {
      const x = int(a[0]);
      // The spec's own answer for the one int32 without a positive counterpart (SQL-M22).
      if (x === INT32_MIN) throw new CesqlMathError('ABS(-2147483648) overflows a 32-bit integer', { value: INT32_MAX });
      return Math.abs(x);
    },
  },
  {
    name: 'INT',
    params: ['Any'],
    returns: 'Integer',
    impl: (a) => {
      const v = a[0] as CesqlValue;
      const n = tryToInteger(v);
      if (n === undefined) throw new CesqlCastError(`INT: cannot cast ${describeValue(v)} to Integer`, { value: 0 });
      return n;
    },
  },
  {
    name: 'BOOL',
    params: ['Any'],
    returns: 'Boolean',
    impl: (a) => {
      const v = a[0] as CesqlValue;
      const b = tryToBoolean(v);
      if (b === undefined) throw new CesqlCastError(`BOOL: cannot cast ${describeValue(v)} to Boolean`, { value: false });
      return b;
    },
  },
  { name: 'STRING', params: ['Any'], returns: 'String', impl: (a) => toStringValue(a[0] as CesqlValue) },
];
