import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CesqlParseError, compileCesql } from '../../../src/route/filters/cesql/index.js';
import { compileLikePattern } from '../../../src/route/filters/cesql/like-pattern.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const int32 = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: INT32_MIN, max: INT32_MAX }));
/** An Integer attribute, or the same number as a String attribute (exercises SQL-M28 casts). */
const intAttr = fc.tuple(int32, fc.boolean()).map(([n, asString]) => (asString ? String(n) : n));

/** The int32 model: exact BigInt arithmetic; outside int32 or ÷0 is 0 + MathError (SQL-M16). */
function model(a: number, op: string, b: number): [number, string[]] {
  const [x, y] = [BigInt(a), BigInt(b)];
  if ((op === '/' || op === '%') && y === 0n) return [0, ['math']];
  const exact = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
  if (exact < BigInt(INT32_MIN) || exact > BigInt(INT32_MAX)) return [0, ['math']];
  return [Number(exact), []];
}

/** Reference LIKE semantics as a RegExp over code points (SQL-M18). */
function likeRegExp(pattern: string): RegExp {
  let source = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const next = chars[i + 1];
    if (ch === '\\' && (next === '%' || next === '_')) {
      source += next;
      i++;
    } else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

const quote = (s: string): string => `'${s.replaceAll("'", "\\'")}'`;

describe('CESQL properties', () => {
  it('integer arithmetic matches the int32 model, for literals and attributes', () => {
    fc.assert(
      fc.property(int32, fc.constantFrom('+', '-', '*', '/', '%'), int32, (a, op, b) => {
        const { value, errors } = compileCesql(`${a} ${op} ${b}`).evaluate({});
        expect([value, errors.map((e) => e.kind)]).toEqual(model(a, op, b));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(intAttr, fc.constantFrom('+', '-', '*', '/', '%'), intAttr, (x, op, y) => {
        const { value, errors } = compileCesql(`x ${op} y`).evaluate({ x, y });
        expect([value, errors.map((e) => e.kind)]).toEqual(model(Number(x), op, Number(y)));
      }),
    );
  });

  it('integer comparisons agree with JS numbers, whatever the operand types', () => {
    fc.assert(
      fc.property(intAttr, intAttr, (x, y) => {
        const [a, b] = [Number(x), Number(y)];
        const compiled = compileCesql('x < y AND NOT (x >= y) AND (x <= y) = (a <= b)');
        expect(compiled.evaluate({ x, y, a, b }).value).toBe(a < b);
      }),
    );
  });

  it('NOT NOT x = BOOL(x) for Booleans and Integers', () => {
    fc.assert(
      fc.property(fc.oneof(fc.boolean(), int32), (x) => {
        expect(compileCesql('NOT NOT x').evaluate({ x })).toEqual({ value: typeof x === 'boolean' ? x : x !== 0, errors: [] });
      }),
    );
  });

  it('casts round-trip: INT(STRING(n)) = n and BOOL(STRING(b)) = b (SQL-M27)', () => {
    fc.assert(
      fc.property(int32, fc.boolean(), (n, b) => {
        const { value, errors } = compileCesql('INT(STRING(n)) = n AND BOOL(STRING(b)) = b AND STRING(n) = s').evaluate({
          n,
          b,
          s: String(n),
        });
        expect([value, errors]).toEqual([true, []]);
      }),
    );
  });

  it('a string literal evaluates to the text it quotes', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'Z', ' ', "'", '"', '%', '😀', '\n') }), (s) => {
        expect(compileCesql(quote(s)).evaluate({}).value).toBe(s);
      }),
    );
  });

  it('LIKE with a pattern without wildcards is string equality', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '.', "'", '"', ' ', '😀', '*') });
    fc.assert(
      fc.property(text, text, fc.boolean(), (t, other, same) => {
        const s = same ? t : other;
        const compiled = compileCesql(`x LIKE ${quote(t)}`);
        expect(compiled.evaluate({ x: s }).value).toBe(s === t);
        expect(compileCesql(`x NOT LIKE ${quote(t)}`).evaluate({ x: s }).value).toBe(s !== t);
      }),
    );
  });

  it('the LIKE matcher agrees with a RegExp model on every pattern', () => {
    // Lone surrogate halves too: `_` is one code point, and no literal may split a pair.
    const unit = fc.constantFrom('a', 'b', '%', '_', '\\', '.', '😀', '\uD83D', '\uDE00');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 8 }), fc.string({ unit, maxLength: 10 }), (pattern, s) => {
        expect(compileLikePattern(pattern)(s)).toBe(likeRegExp(pattern).test(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('any input either compiles or throws CesqlParseError, and evaluation never throws', () => {
    const token = fc.constantFrom(
      '(',
      ')',
      ',',
      'a',
      'b1',
      'NOT',
      'AND',
      'OR',
      'XOR',
      'LIKE',
      'IN',
      'EXISTS',
      "'x%'",
      '"y"',
      '1',
      '-1',
      '0',
      '2147483647',
      '+',
      '-',
      '*',
      '/',
      '%',
      '=',
      '!=',
      '<>',
      '<',
      '<=',
      '>',
      '>=',
      'TRUE',
      'false',
      'LENGTH',
      'concat',
      'SUBSTRING',
      'ABS',
      'INT',
      'BOOL',
      'LEFT',
      "'",
      '\\',
      '_',
      'é',
    );
    const soup = fc.array(fc.tuple(token, fc.constantFrom('', ' ')), { maxLength: 14 }).map((ts) => ts.map(([t, sep]) => t + sep).join(''));
    const attrs = fc.record({ a: fc.oneof(int32, fc.boolean(), fc.string()), b1: fc.oneof(int32, fc.string()) });
    fc.assert(
      fc.property(fc.oneof(soup, fc.string()), attrs, (expr, event) => {
        let compiled;
        try {
          compiled = compileCesql(expr);
        } catch (e) {
          expect(e).toBeInstanceOf(CesqlParseError);
          return;
        }
        const { value, errors } = compiled.evaluate(event);
        expect(['string', 'number', 'boolean']).toContain(typeof value);
        expect(errors.length).toBeLessThanOrEqual(1);
        expect(errors.every((e) => e.kind !== 'generic')).toBe(true);
        expect(compiled.matches(event)).toBe(value === true && errors.length === 0);
      }),
      { numRuns: 3000 },
    );
  });
});
