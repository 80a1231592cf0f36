import type { BinaryOperator } from './ast.js';
import { castTo, castToBoolean, castToInteger } from './cast-value.js';
import { type CesqlValue, INT32_MAX, INT32_MIN, typeOfValue } from './cesql-value.js';
import { type EvalContext, type Evaluator, raise } from './eval-context.js';

/**
 * Closures for the binary operators. Fail-fast (SQL-N2): after each operand and each implicit
 * cast, a failure makes the operator return the zero value of its own return type.
 *
 * Integer overflow of `+ - *` (and `/` for -2147483648 / -1, and unary `-`) is a **MathError
 * with the result 0**, not a silent int32 wrap. The spec leaves it open (SQL-M16). A filter
 * that errors never matches (SQL-M29), so an overflow cannot route an event on a wrapped,
 * meaningless number; this is also how ABS(-2147483648) is specified (SQL-M22). sdk-go wraps.
 */
export function compileBinary(op: BinaryOperator, left: Evaluator, right: Evaluator, pos: number): Evaluator {
  switch (op) {
    case 'AND':
    case 'OR':
      return shortCircuit(op === 'AND', left, right, pos);
    case 'XOR':
      return (ctx) => {
        const a = booleanOperand(left, ctx, pos);
        if (ctx.failed) return false;
        const b = booleanOperand(right, ctx, pos);
        return ctx.failed ? false : a !== b;
      };
    case '=':
      return (ctx) => equals(left, right, ctx, pos);
    case '!=':
    case '<>':
      return (ctx) => {
        const eq = equals(left, right, ctx, pos);
        return ctx.failed ? false : !eq;
      };
    case '<':
      return integerOperator(left, right, pos, (a, b) => a < b, false);
    case '<=':
      return integerOperator(left, right, pos, (a, b) => a <= b, false);
    case '>':
      return integerOperator(left, right, pos, (a, b) => a > b, false);
    case '>=':
      return integerOperator(left, right, pos, (a, b) => a >= b, false);
    case '+':
      return integerOperator(left, right, pos, (a, b, ctx) => checked(a + b, ctx, pos), 0);
    case '-':
      return integerOperator(left, right, pos, (a, b, ctx) => checked(a - b, ctx, pos), 0);
    case '*':
      // |a*b| < 2^62: a double may round it, but never across the int32 bounds we check.
      return integerOperator(left, right, pos, (a, b, ctx) => checked(a * b, ctx, pos), 0);
    case '/':
      return integerOperator(
        left,
        right,
        pos,
        (a, b, ctx) => {
          if (b === 0) return divisionByZero(ctx, pos);
          return checked(Math.trunc(a / b), ctx, pos); // truncates toward 0 (SQL-M16)
        },
        0,
      );
    case '%':
      return integerOperator(
        left,
        right,
        pos,
        (a, b, ctx) => {
          if (b === 0) return divisionByZero(ctx, pos);
          return (a % b) | 0; // sign of the dividend (SQL-M16); `| 0` turns -0 into 0
        },
        0,
      );
  }
}

/** Overflow policy (see above): out of int32 → MathError and 0. Also maps -0 to 0. */
export function checked(n: number, ctx: EvalContext, pos: number): number {
  if (n > INT32_MAX || n < INT32_MIN) {
    raise(ctx, 'math', `integer overflow: the result ${n} does not fit in a signed 32-bit integer`, pos);
    return 0;
  }
  return n | 0;
}

function divisionByZero(ctx: EvalContext, pos: number): number {
  raise(ctx, 'math', 'division by zero', pos);
  return 0;
}

/** AND and OR MUST short-circuit (SQL-M17): the right side runs only when it can decide. */
function shortCircuit(isAnd: boolean, left: Evaluator, right: Evaluator, pos: number): Evaluator {
  return (ctx) => {
    const a = booleanOperand(left, ctx, pos);
    if (ctx.failed) return false;
    if (a !== isAnd) return a;
    const b = booleanOperand(right, ctx, pos);
    return ctx.failed ? false : b;
  };
}

/** Evaluates an operand and casts it to Boolean; the result is meaningless once ctx.failed. */
export function booleanOperand(operand: Evaluator, ctx: EvalContext, pos: number): boolean {
  const v = operand(ctx);
  return ctx.failed ? false : castToBoolean(v, ctx, pos);
}

/**
 * `=` is ambiguous (Boolean, Integer and String overloads): SQL-M28 picks the overload whose
 * right parameter has y's type and casts x to it, so `true = 'TRUE'` compares 'true' with
 * 'TRUE' (false) while `'TRUE' = true` compares true with true (true).
 */
function equals(left: Evaluator, right: Evaluator, ctx: EvalContext, pos: number): boolean {
  const x = left(ctx);
  if (ctx.failed) return false;
  const y = right(ctx);
  if (ctx.failed) return false;
  if (typeof x === typeof y) return x === y;
  const cast = castTo(x, typeOfValue(y), ctx, pos);
  return ctx.failed ? false : cast === y;
}

/** Operators defined on Integer × Integer only (SQL-M15, SQL-M16): both sides are cast. */
function integerOperator<R extends CesqlValue>(
  left: Evaluator,
  right: Evaluator,
  pos: number,
  apply: (a: number, b: number, ctx: EvalContext) => R,
  zero: R,
): Evaluator {
  return (ctx) => {
    const x = left(ctx);
    if (ctx.failed) return zero;
    const y = right(ctx);
    if (ctx.failed) return zero;
    const a = castToInteger(x, ctx, pos);
    if (ctx.failed) return zero;
    const b = castToInteger(y, ctx, pos);
    if (ctx.failed) return zero;
    const r = apply(a, b, ctx);
    return ctx.failed ? zero : r;
  };
}
