import { describe, expect, it } from 'vitest';
import { type CesqlValue, CesqlMathError, compileCesql } from '../../../src/route/filters/cesql/index.js';

type Attrs = Record<string, string | number | boolean>;
const EVENT: Attrs = { specversion: '1.0', id: 'e1', source: '/s', type: 't', seq: 7, flag: true, name: 'abc' };

/** [value, error kinds]; value compared with Object.is, so 0 and -0 differ. */
function run(expr: string, attrs: Attrs = EVENT): [CesqlValue, string[]] {
  const { value, errors } = compileCesql(expr).evaluate(attrs);
  return [value, errors.map((e) => e.kind)];
}

describe('integer overflow of + - * (SQL-M16): MathError and 0, never a wrapped int32', () => {
  it.each([
    ['2147483647 + 1'],
    ['-2147483648 - 1'],
    ['65536 * 65536'],
    ['-2147483648 * -1'],
    ['-2147483648 / -1'],
    ['- -2147483648'],
    ['-(seq - seq - 2147483647 - 1)'],
  ])('%s → 0 + math', (expr) => {
    expect(run(expr)).toEqual([0, ['math']]);
  });

  it('keeps results that fit, including the extremes', () => {
    expect(run('2147483646 + 1')).toEqual([2147483647, []]);
    expect(run('-2147483647 - 1')).toEqual([-2147483648, []]);
    expect(run('46340 * 46340')).toEqual([2147395600, []]);
    expect(run('-2147483648 % -1')).toEqual([0, []]);
  });

  it('reports the overflow at the operator, as a CesqlMathError', () => {
    const { errors } = compileCesql('1 + 2147483647 + 0').evaluate({});
    expect(errors[0]).toBeInstanceOf(CesqlMathError);
    expect(errors[0]?.position).toBe(2);
  });
});

describe('arithmetic (SQL-M16)', () => {
  it('truncates toward zero and gives % the sign of the dividend, never -0', () => {
    expect(run('-5 / 3')).toEqual([-1, []]);
    expect(run('-5 % 3')).toEqual([-2, []]);
    expect(run('5 % -3')).toEqual([2, []]);
    expect(run('-1 / 3')).toEqual([0, []]);
    expect(run('0 * -5')).toEqual([0, []]);
    expect(run('-4 % 2')).toEqual([0, []]);
    expect(run('- 0')).toEqual([0, []]);
  });

  it('divides by zero to 0 + math, unless an operand already failed', () => {
    expect(run('seq / 0')).toEqual([0, ['math']]);
    expect(run('seq % (seq - 7)')).toEqual([0, ['math']]);
    expect(run('nope % 0')).toEqual([0, ['missingAttribute']]);
  });

  it('casts operands to Integer, and fails with a CastError otherwise', () => {
    expect(run("'5' + 3")).toEqual([8, []]);
    expect(run('flag + seq')).toEqual([8, []]);
    expect(run('name + 1')).toEqual([0, ['cast']]);
    expect(run("' 5' + 1")).toEqual([0, ['cast']]);
    expect(run("'5abc' + 1")).toEqual([0, ['cast']]);
    expect(run("'99999999999' + 1")).toEqual([0, ['cast']]);
  });
});

describe('comparisons and implicit casts (SQL-M14, SQL-M15, SQL-M28)', () => {
  it('casts x to the type of y for =, so the right operand decides', () => {
    expect(run("true = 'TRUE'")).toEqual([false, []]);
    expect(run("'TRUE' = true")).toEqual([true, []]);
    expect(run('TRUE = "true" AND FALSE = "false"')).toEqual([true, []]);
    expect(run('TRUE = "TRUE" OR FALSE = "FALSE"')).toEqual([false, []]);
    expect(run("'7' = seq")).toEqual([true, []]);
    expect(run('name = 1')).toEqual([false, ['cast']]);
    expect(run('name != 1')).toEqual([false, ['cast']]);
    expect(run("'abc' = 'ABC'")).toEqual([false, []]);
  });

  it('compares <, <=, >, >= as integers only', () => {
    expect(run("'10' > '9'")).toEqual([true, []]);
    expect(run("'abc' < 'abd'")).toEqual([false, ['cast']]);
    expect(run('TRUE > FALSE')).toEqual([true, []]);
  });
});

describe('missing attributes (SQL-M9) and fail-fast errors (SQL-N2)', () => {
  it.each<[string, CesqlValue]>([
    ['nope', false],
    ['-nope', 0],
    ['NOT nope', false],
    ['nope + 1', 0],
    ['nope = 1', false],
    ["nope LIKE '%'", false],
    ["nope NOT LIKE 'x'", false],
    ['nope IN (1)', false],
    ['nope NOT IN (1)', false],
    ['LENGTH(nope)', 0],
    ['UPPER(nope)', ''],
    ['CONCAT(name, nope)', ''],
    ['1 / nope', 0],
  ])('%s → %j + missingAttribute', (expr, expected) => {
    expect(run(expr)).toEqual([expected, ['missingAttribute']]);
  });

  it('short-circuits AND and OR (SQL-M17) but evaluates both sides of XOR', () => {
    expect(run('FALSE AND nope')).toEqual([false, []]);
    expect(run('TRUE OR nope')).toEqual([true, []]);
    expect(run('TRUE AND nope')).toEqual([false, ['missingAttribute']]);
    expect(run('FALSE OR 1 / 0 = 1')).toEqual([false, ['math']]);
    expect(run('TRUE XOR nope')).toEqual([false, ['missingAttribute']]);
    expect(run("'yes' AND TRUE")).toEqual([false, ['cast']]);
    expect(run('1 AND 2')).toEqual([true, []]);
  });

  it('reports only the first error', () => {
    const { errors } = compileCesql('nope + 1 / 0').evaluate(EVENT);
    expect(errors.map((e) => e.kind)).toEqual(['missingAttribute']);
    expect(errors[0]?.message).toBe("missing attribute 'nope'");
    expect(errors[0]?.position).toBe(0);
  });

  it('checks IN elements left to right and stops at the first match (as sdk-go)', () => {
    expect(run('seq IN (7, nope)')).toEqual([true, []]);
    expect(run('seq IN (nope, 7)')).toEqual([false, ['missingAttribute']]);
    expect(run('seq NOT IN (1, nope)')).toEqual([false, ['missingAttribute']]);
    expect(run("seq IN ('abc')")).toEqual([false, ['cast']]);
    expect(run("'7' IN (seq)")).toEqual([true, []]);
    expect(run('seq NOT IN (1, 2)')).toEqual([true, []]);
  });
});

describe('attributes (SQL-M8, SQL-M10, SQL-M19)', () => {
  it('keeps Integer and Boolean attributes typed and treats other numbers as Strings', () => {
    expect(run('seq')).toEqual([7, []]);
    expect(run('flag')).toEqual([true, []]);
    expect(run('big', { big: 2 ** 40 })).toEqual([String(2 ** 40), []]);
    expect(run('f', { f: 1.5 })).toEqual(['1.5', []]);
  });

  it('never reads inherited properties as attributes', () => {
    expect(run('constructor')).toEqual([false, ['missingAttribute']]);
    expect(run('EXISTS constructor')).toEqual([false, []]);
    expect(run('EXISTS seq AND NOT EXISTS nope')).toEqual([true, []]);
  });

  it('does not mutate the attributes (works on a frozen object)', () => {
    const attrs = Object.freeze({ ...EVENT });
    expect(compileCesql("CONCAT(name, 'x') = 'abcx' AND seq + 1 = 8").evaluate(attrs).value).toBe(true);
    expect(attrs).toEqual(EVENT);
  });

  it('turns an unexpected exception into a GenericError with value FALSE', () => {
    const hostile = new Proxy(
      {},
      {
        getOwnPropertyDescriptor: () => {
          throw new Error('boom');
        },
      },
    );
    const { value, errors } = compileCesql('seq').evaluate(hostile);
    expect(value).toBe(false);
    expect(errors.map((e) => [e.kind, e.message])).toEqual([['generic', 'evaluation failed: boom']]);
    expect(compileCesql('TRUE OR seq').matches(hostile)).toBe(true);
    expect(compileCesql('FALSE OR seq').matches(hostile)).toBe(false);
  });
});

describe('matches() is the SQL-M29 filter decision', () => {
  it.each<[string, Attrs, boolean]>([
    ["myext LIKE 'custom%'", EVENT, false],
    ["myext LIKE 'custom%'", { ...EVENT, myext: 'customer' }, true],
    ['seq + 1', EVENT, false],
    ['name', EVENT, false],
    ["LEFT('abc', -2) = 'abc'", EVENT, false],
    ["'TRUE'", EVENT, false],
    ['seq = 7', EVENT, true],
    ['CONCAT_WS()', EVENT, false],
  ])('%s on %j → %s', (expr, attrs, expected) => {
    expect(compileCesql(expr).matches(attrs)).toBe(expected);
  });
});

describe('built-in functions (SQL-M22, SQL-M23)', () => {
  it('counts characters as code points', () => {
    expect(run("LENGTH('😀a')")).toEqual([2, []]);
    expect(run("LEFT('😀a', 1)")).toEqual(['😀', []]);
    expect(run("RIGHT('a😀', 1)")).toEqual(['😀', []]);
    expect(run("SUBSTRING('a😀b', 2, 1)")).toEqual(['😀', []]);
    expect(run("SUBSTRING('a😀b', -1)")).toEqual(['b', []]);
    expect(run("'😀' LIKE '_'")).toEqual([true, []]);
    expect(run("'😀x' LIKE '__'")).toEqual([true, []]);
  });

  it('trims Unicode whitespace but not control characters', () => {
    expect(run('TRIM(x)', { x: '\u00a0\t a b \u2003\n' })).toEqual(['a b', []]);
    expect(run('TRIM(x)', { x: '\u0000a\u0000' })).toEqual(['\u0000a\u0000', []]);
  });

  it('follows the spec edge cases of LEFT, RIGHT and SUBSTRING', () => {
    expect(run("RIGHT('abc', -1)")).toEqual(['abc', ['functionEvaluation']]);
    expect(run("SUBSTRING('abcdef', 6)")).toEqual(['f', []]);
    expect(run("SUBSTRING('abcdef', -6)")).toEqual(['abcdef', []]);
    expect(run("SUBSTRING('abcdef', 7)")).toEqual(['', ['functionEvaluation']]);
    expect(run("SUBSTRING('abcdef', 2, -1)")).toEqual(['', ['functionEvaluation']]);
    expect(run("SUBSTRING('abcdef', 5, 100)")).toEqual(['ef', []]);
    expect(run("SUBSTRING('', 0)")).toEqual(['', []]);
  });

  it('casts arguments to the parameter types, failing with the zero value of the return type', () => {
    expect(run('CONCAT(1, TRUE, seq)')).toEqual(['1true7', []]);
    expect(run("LEFT(12345, '2')")).toEqual(['12', []]);
    expect(run("LEFT('abc', 'x')")).toEqual(['', ['cast']]);
    expect(run("ABS('-3')")).toEqual([3, []]);
    expect(run('INT(flag) + BOOL(seq) + LENGTH(STRING(seq))')).toEqual([3, []]);
    expect(run("INT('+42')")).toEqual([42, []]);
    expect(run("INT('2147483648')")).toEqual([0, ['cast']]);
    expect(run("BOOL('tRuE')")).toEqual([true, []]);
  });

  it('treats an unknown name or arity as FALSE + missingFunction without evaluating arguments', () => {
    expect(run('IS_STRING(name)')).toEqual([false, ['missingFunction']]);
    expect(run('LENGTH(1 / 0, 2)')).toEqual([false, ['missingFunction']]);
  });
});
