import { describe, expect, it } from 'vitest';
import { CesqlParseError, FunctionRegistry, lintCesql } from '../../../src/route/filters/cesql/index.js';

describe('lintCesql', () => {
  it('has nothing to say about clear expressions', () => {
    for (const expr of [
      "type LIKE 'com.example.%' AND (source = '/a' OR source = '/b')",
      'a AND b AND c',
      'a OR b OR c',
      'a XOR b XOR c',
      '(a AND b) OR (c AND d)',
      'x = \'it\\\'s\' OR y = "say \\"hi\\""',
      "x LIKE 'a\\%b\\_c%'",
      "CONCAT_WS(',', a, b) = 'x,y'",
      'NOT (a AND b) OR c = (d AND e)',
    ]) {
      expect(lintCesql(expr), expr).toEqual([]);
    }
  });

  it('warns about AND, OR and XOR mixed without parentheses (SQL-N3)', () => {
    const [w, ...rest] = lintCesql('a = 1 AND b = 2 OR c = 3');
    expect(rest).toEqual([]);
    expect(w).toMatch(/^AND and OR are mixed without parentheses.*SQL-N3.*\(line 1, column 17\)$/);
    expect(lintCesql('a OR b AND c')).toHaveLength(1);
    expect(lintCesql('a XOR b OR c')).toHaveLength(1);
    expect(lintCesql('a AND b OR c XOR d')).toHaveLength(2);
    expect(lintCesql('(a AND b) OR c')).toEqual([]);
    expect(lintCesql('a AND (b OR c)')).toEqual([]);
  });

  it('warns about string escapes other engines read differently (SQL-N1)', () => {
    expect(lintCesql("x = 'it''s'")).toEqual([expect.stringMatching(/doubled quote '' in 'it''s'.*\(line 1, column 8\)$/)]);
    expect(lintCesql('x = "say ""hi"""')).toEqual([expect.stringMatching(/doubled quote ""/)]);
    expect(lintCesql("x = 'ab\\c'")).toEqual([expect.stringMatching(/unclear escape \\c in 'ab\\c'.*\(line 1, column 8\)$/)]);
    expect(lintCesql("x = 'a\\\\b'")).toEqual([expect.stringMatching(/unclear escape \\\\/)]);
    expect(lintCesql("x = 'a\\\"b'")).toEqual([expect.stringMatching(/unclear escape \\"/)]);
    // \% and \_ are escapes only in a LIKE pattern (SQL-M18).
    expect(lintCesql("x = 'a\\%'")).toHaveLength(1);
    expect(lintCesql("x LIKE 'a\\%'")).toEqual([]);
    expect(lintCesql("x LIKE 'a\\\\%'")).toEqual([expect.stringMatching(/unclear escape/)]);
  });

  it('warns about calls that can never dispatch (SQL-M25), knowing the registry in use', () => {
    expect(lintCesql('IS_STRING(x)')).toEqual([expect.stringMatching(/^no function IS_STRING takes 1 argument.*SQL-M25/)]);
    expect(lintCesql('CONCAT_WS()')).toHaveLength(1);
    const functions = new FunctionRegistry().register({
      name: 'IS_STRING',
      params: ['Any'],
      returns: 'Boolean',
      impl: (a) => typeof a[0] === 'string',
    });
    expect(lintCesql('IS_STRING(x)', { functions })).toEqual([]);
  });

  it('warns about attribute names longer than 20 characters (SQL-M3)', () => {
    expect(lintCesql('averyveryverylongattributename = 1')).toEqual([expect.stringMatching(/longer than 20.*SQL-M3/)]);
    expect(lintCesql('EXISTS averyveryverylongattributename')).toHaveLength(1);
    expect(lintCesql('twentycharactersname = 1')).toEqual([]);
  });

  it('throws CesqlParseError for an expression that does not parse', () => {
    expect(() => lintCesql('a AND')).toThrow(CesqlParseError);
  });
});
