import { describe, expect, it } from 'vitest';
import { type CesqlNode, CesqlParseError, MAX_AST_HEIGHT, compileCesql, parseCesql } from '../../../src/route/filters/cesql/index.js';

/** Fully parenthesized rendering of the AST, to read grouping at a glance. */
function show(n: CesqlNode): string {
  switch (n.kind) {
    case 'literal':
      return typeof n.value === 'string' ? JSON.stringify(n.value) : String(n.value).toUpperCase();
    case 'attribute':
      return n.name;
    case 'exists':
      return `(EXISTS ${n.name})`;
    case 'not':
      return `(NOT ${show(n.operand)})`;
    case 'negate':
      return `(- ${show(n.operand)})`;
    case 'binary':
      return `(${show(n.left)} ${n.op} ${show(n.right)})`;
    case 'like':
      return `(${show(n.operand)} ${n.negated ? 'NOT ' : ''}LIKE ${JSON.stringify(n.pattern)})`;
    case 'in':
      return `(${show(n.operand)} ${n.negated ? 'NOT ' : ''}IN [${n.set.map(show).join(', ')}])`;
    case 'call':
      return `${n.name}(${n.args.map(show).join(', ')})`;
  }
}

const value = (expr: string, attrs: Record<string, string | number | boolean> = {}): unknown => compileCesql(expr).evaluate(attrs).value;

function parseError(expr: string): CesqlParseError {
  try {
    parseCesql(expr);
  } catch (e) {
    if (e instanceof CesqlParseError) return e;
    throw e;
  }
  throw new Error(`expected a parse error for ${expr}`);
}

describe('precedence and associativity (SQL-M21)', () => {
  it.each([
    ['4 * 2 + 4 / 2', '((4 * 2) + (4 / 2))'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['8 / 4 / 2', '((8 / 4) / 2)'],
    ['1 < 2 = TRUE', '((1 < 2) = TRUE)'],
    ['a + b * c = d', '((a + (b * c)) = d)'],
    ['NOT a = b', '((NOT a) = b)'],
    ['-a * b', '((- a) * b)'],
    ["a = b LIKE 'x'", '(a = (b LIKE "x"))'],
    ['a + b IN (1, 2)', '(a + (b IN [1, 2]))'],
    ["a LIKE 'x' IN (TRUE)", '((a LIKE "x") IN [TRUE])'],
    ["NOT a LIKE 'x'", '((NOT a) LIKE "x")'],
    ['NOT EXISTS time', '(NOT (EXISTS time))'],
    ['a AND b OR c', '((a AND b) OR c)'],
    ['a OR b AND c', '((a OR b) AND c)'],
    ['a XOR b AND c OR d', '(((a XOR b) AND c) OR d)'],
    ['a OR (b AND c)', '(a OR (b AND c))'],
    ['--10', '(- -10)'],
    ['- 5', '(- 5)'],
    ['LENGTH(a) + 1', '(LENGTH(a) + 1)'],
    ["x NOT IN (1) AND y NOT LIKE 'a%'", '((x NOT IN [1]) AND (y NOT LIKE "a%"))'],
  ])('%s groups as %s', (expr, expected) => {
    expect(show(parseCesql(expr))).toBe(expected);
  });

  it('evaluates equal-precedence operators left to right', () => {
    expect(value('1 - 2 - 3')).toBe(-4);
    expect(value('8 / 4 / 2')).toBe(1);
    expect(value('100 % 7 % 3')).toBe(2);
    // Left to right gives (TRUE OR TRUE) AND FALSE = FALSE, where standard SQL and the
    // right-associative ANTLR grammar both give TRUE (SQL-N3): lintCesql warns about this form.
    expect(value('TRUE OR TRUE AND FALSE')).toBe(false);
    expect(value('FALSE AND TRUE OR TRUE')).toBe(true);
  });
});

describe('lexer (SQL-M1, SQL-M3, SQL-M4, SQL-N1)', () => {
  it('reads keywords in any case and folds identifiers to lower case', () => {
    expect(show(parseCesql('tRuE aNd NoT fAlSe'))).toBe('(TRUE AND (NOT FALSE))');
    expect(show(parseCesql('EXISTS SOURCE'))).toBe('(EXISTS source)');
    expect(show(parseCesql('MyExt'))).toBe('myext');
    expect(show(parseCesql('int(hop)'))).toBe('INT(hop)');
    expect(show(parseCesql("concat_ws(',')"))).toBe('CONCAT_WS(",")');
  });

  it('keeps the sign inside integer literals, so 5-3 and a-1 do not parse', () => {
    expect(value('5 - 3')).toBe(2);
    for (const expr of ['5-3', 'a-1', '5 -3', '5+3']) {
      expect(parseError(expr).message).toMatch(/sign right before digits belongs to the number/);
    }
  });

  it('accepts exactly the int32 range, with the sign in the literal', () => {
    expect(value('-2147483648')).toBe(-2147483648);
    expect(value('2147483647')).toBe(2147483647);
    expect(value('+7')).toBe(7);
    expect(Object.is(value('-0'), 0)).toBe(true);
    expect(parseError('2147483648').message).toMatch(/SQL-M4/);
    expect(parseError('-2147483649').message).toMatch(/SQL-M4/);
    expect(parseError('- 2147483648').position).toBe(2);
  });

  it('lexes a digit-first word as an identifier (longest match) and a letters-only word as a function name', () => {
    expect(show(parseCesql('123abc'))).toBe('123abc');
    expect(show(parseCesql('ext2 = 1'))).toBe('(ext2 = 1)');
    expect(parseError('ext2(1)').message).toMatch(/function names contain only letters/);
    expect(parseError('a_b').message).toMatch(/not an attribute name/);
  });

  it('unescapes only the enclosing quote and keeps other backslashes and doubled quotes', () => {
    expect(value(`'a"b\\'c'`)).toBe(`a"b'c`);
    expect(value(`"a'b\\"c"`)).toBe(`a'b"c`);
    expect(value(`'ab\\c'`)).toBe('ab\\c');
    expect(value(`'a\\"b'`)).toBe('a\\"b');
    expect(value(`'it''s'`)).toBe("it''s");
    expect(value(`''`)).toBe('');
  });
});

describe('parse errors carry a position (SQL-M2, SQL-M5, SQL-M6)', () => {
  it.each([
    ['ABC(', 4, /expected an expression/],
    ['x LIKE 123', 7, /LIKE pattern must be a string literal/],
    ['x LIKE y', 7, /LIKE pattern must be a string literal/],
    ['x IN ()', 6, /must not be empty/],
    ['x IN 1', 5, /parenthesized set/],
    ['EXISTS 1', 7, /EXISTS takes an attribute name/],
    ['EXISTS a_b', 7, /EXISTS takes an attribute name/],
    ['(1 + 2', 6, /expected '\)'/],
    ['1 + 2)', 5, /unexpected '\)'/],
    ['NOT', 3, /expected an expression/],
    ['1 NOT 2', 6, /expected LIKE or IN after NOT/],
    ["'abc", 0, /unterminated string/],
    ["'abc\\'", 0, /unterminated string/],
    ['a ! b', 2, /unexpected '!'/],
    ['a # b', 2, /unexpected character/],
    ['+ 1', 0, /no unary '\+'/],
    ['', 0, /expected an expression/],
    ['f(1,)', 4, /expected an expression/],
    ['TRUE TRUE', 5, /unexpected 'TRUE'/],
    ['a é b', 2, /unexpected character/],
  ])('%j fails at offset %i', (expr, position, message) => {
    const e = parseError(expr);
    expect(e.kind).toBe('parse');
    expect(e.position).toBe(position);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/\(line 1, column \d+\)$/);
    expect(() => compileCesql(expr)).toThrow(CesqlParseError);
  });

  it('reports line and column for multi-line expressions', () => {
    const e = parseError('a = 1 AND\n  b = ');
    expect([e.line, e.column]).toEqual([2, 7]);
    expect(e.message).toMatch(/\(line 2, column 7\)$/);
  });

  it(`refuses nesting deeper than ${MAX_AST_HEIGHT} levels instead of overflowing the stack`, () => {
    const deep = 100_000;
    expect(parseError('('.repeat(deep) + '1' + ')'.repeat(deep)).message).toMatch(/nests deeper/);
    expect(parseError('NOT '.repeat(deep) + 'TRUE').message).toMatch(/nests deeper/);
    expect(parseError(Array(deep).fill('1').join(' + ')).message).toMatch(/nests deeper/);
    expect(value('NOT '.repeat(MAX_AST_HEIGHT - 2) + 'TRUE')).toBe(true);
    expect(value(Array(MAX_AST_HEIGHT).fill('1').join(' + '))).toBe(MAX_AST_HEIGHT);
  });
});
