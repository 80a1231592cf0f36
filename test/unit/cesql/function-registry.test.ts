import { describe, expect, it } from 'vitest';
import {
  type CesqlFunctionDefinition,
  type CesqlValue,
  CesqlMathError,
  CesqlRegistrationError,
  FunctionRegistry,
  compileCesql,
} from '../../../src/route/filters/cesql/index.js';

// The two user-defined functions of sdk-go's UDF tests (SQL-M26).
const HASPREFIX: CesqlFunctionDefinition = {
  name: 'HASPREFIX',
  params: ['String', 'String'],
  returns: 'Boolean',
  impl: ([s, p]) => (s as string).startsWith(p as string),
};
const KONKAT: CesqlFunctionDefinition = {
  name: 'konkat',
  params: [],
  variadic: 'String',
  returns: 'String',
  impl: (args) => args.join(''),
};

const def = (name: string, arity: number, variadic = false): CesqlFunctionDefinition => ({
  name,
  params: Array<'String'>(arity).fill('String'),
  ...(variadic && { variadic: 'String' as const }),
  returns: 'Integer',
  impl: (args) => args.length,
});

function run(expr: string, functions: FunctionRegistry, attrs: Record<string, string | number | boolean> = {}): [CesqlValue, string[]] {
  const { value, errors } = compileCesql(expr, { functions }).evaluate(attrs);
  return [value, errors.map((e) => e.kind)];
}

describe('user-defined functions (SQL-M26)', () => {
  const functions = new FunctionRegistry().register(HASPREFIX).register(KONKAT);

  it('are called with arguments cast to their parameter types, names case-insensitive', () => {
    expect(run("HASPREFIX(source, 'http')", functions, { source: 'https://x' })).toEqual([true, []]);
    expect(run('hasPrefix(12345, 12)', functions)).toEqual([true, []]);
    expect(run("KONKAT('a', 1, TRUE)", functions)).toEqual(['a1true', []]);
    expect(run('KONKAT()', functions)).toEqual(['', []]);
    expect(run('LENGTH(KONKAT(id, id))', functions, { id: 'ab' })).toEqual([4, []]);
  });

  it('keep the built-ins next to them', () => {
    expect(functions.names()).toEqual(expect.arrayContaining(['HASPREFIX', 'KONKAT', 'LENGTH', 'INT', 'CONCAT_WS']));
    expect(run("UPPER(KONKAT('a', 'b'))", functions)).toEqual(['AB', []]);
  });

  it('are unknown to the default registry', () => {
    expect(
      compileCesql("HASPREFIX('a', 'b')")
        .evaluate({})
        .errors.map((e) => e.kind),
    ).toEqual(['missingFunction']);
  });

  it('report a thrown Error as FunctionEvaluationError with the zero value of the return type', () => {
    const r = new FunctionRegistry().register({
      name: 'BOOM',
      params: ['Integer'],
      returns: 'Integer',
      impl: () => {
        throw new Error('kaput');
      },
    });
    const { value, errors } = compileCesql('BOOM(1) + 1', { functions: r }).evaluate({});
    expect(value).toBe(0);
    expect(errors.map((e) => [e.kind, e.message, e.position])).toEqual([['functionEvaluation', 'BOOM: kaput', 0]]);
  });

  it('may throw a CesqlError carrying the value to return with it', () => {
    const r = new FunctionRegistry().register({
      name: 'CLAMP',
      params: ['Integer'],
      returns: 'Integer',
      impl: ([x]) => {
        if ((x as number) > 100) throw new CesqlMathError('too big', { value: 100 });
        return x as number;
      },
    });
    expect(run('CLAMP(5)', r)).toEqual([5, []]);
    expect(run('CLAMP(500)', r)).toEqual([100, ['math']]);
    expect(compileCesql('CLAMP(500) = 100', { functions: r }).matches({})).toBe(false);
  });

  it('that return a value of the wrong type fail with FunctionEvaluationError', () => {
    const r = new FunctionRegistry()
      .register({ name: 'WRONG', params: [], returns: 'Integer', impl: () => 'seven' })
      .register({ name: 'FRACTION', params: [], returns: 'Integer', impl: () => 1.5 })
      .register({ name: 'NEGZERO', params: [], returns: 'Integer', impl: () => -0 });
    expect(run('WRONG()', r)).toEqual([0, ['functionEvaluation']]);
    expect(run('FRACTION()', r)).toEqual([0, ['functionEvaluation']]);
    expect(run('NEGZERO()', r)).toEqual([0, []]);
  });

  it('are bound at compile time: later registrations do not change a compiled expression', () => {
    const r = new FunctionRegistry();
    const compiled = compileCesql('LATE(1)', { functions: r });
    r.register(def('LATE', 1));
    expect(compiled.evaluate({}).errors.map((e) => e.kind)).toEqual(['missingFunction']);
    expect(compileCesql('LATE(1)', { functions: r }).evaluate({}).value).toBe(1);
  });
});

describe('overloads by arity (SQL-M24, SQL-M25)', () => {
  it('dispatches on the number of arguments, with a variadic overload taking the rest', () => {
    const r = new FunctionRegistry({ builtins: false })
      .register(def('ABC', 1))
      .register(def('ABC', 2))
      .register(def('ABC', 3, true));
    expect(run('ABC(1)', r)).toEqual([1, []]);
    expect(run('ABC(1, 2)', r)).toEqual([2, []]);
    expect(run('ABC(1, 2, 3)', r)).toEqual([3, []]);
    expect(run('ABC(1, 2, 3, 4, 5)', r)).toEqual([5, []]);
    expect(run('ABC()', r)).toEqual([false, ['missingFunction']]);
  });

  it('rejects the invalid sets the spec names, whatever the registration order', () => {
    const base = (): FunctionRegistry => new FunctionRegistry({ builtins: false }).register(def('ABC', 1)).register(def('ABC', 2));
    expect(() => base().register(def('ABC', 0, true))).toThrow(CesqlRegistrationError); // ABC(x...)
    expect(() => base().register(def('ABC', 2, true))).toThrow(/must be more than/);
    expect(() =>
      base()
        .register(def('ABC', 3, true))
        .register(def('ABC', 3)),
    ).toThrow(/must be more than/);
    expect(() =>
      base()
        .register(def('ABC', 3, true))
        .register(def('ABC', 4, true)),
    ).toThrow(/only one variadic/);
    expect(() => base().register(def('abc', 2))).toThrow(/already exists/);
    expect(() => new FunctionRegistry({ builtins: false }).register(def('ABC', 1, true)).register(def('ABC', 5))).toThrow(
      CesqlRegistrationError,
    );
  });

  it('does not let a user function shadow a built-in of the same arity', () => {
    expect(() => new FunctionRegistry().register(def('length', 1))).toThrow(/already exists/);
    expect(() => new FunctionRegistry().register(def('CONCAT', 2))).toThrow(/must be more than/);
    expect(() => new FunctionRegistry().register(def('LENGTH', 2))).not.toThrow();
    const custom = new FunctionRegistry({ builtins: false }).register(def('LENGTH', 1));
    expect(run("LENGTH('abcdef')", custom)).toEqual([1, []]);
    expect(run("INT('1')", custom)).toEqual([false, ['missingFunction']]);
  });

  it('rejects names and types CESQL cannot express', () => {
    const r = new FunctionRegistry({ builtins: false });
    for (const name of ['', 'a1', '_x', 'x-y', 'AND', 'like', 'true']) {
      expect(() => r.register(def(name, 1))).toThrow(CesqlRegistrationError);
    }
    const bad = { ...def('OK', 1), returns: 'Any' } as unknown as CesqlFunctionDefinition;
    expect(() => r.register(bad)).toThrow(/returns must be/);
    expect(() => r.register({ ...def('OK', 1), params: ['Float'] } as unknown as CesqlFunctionDefinition)).toThrow(/params/);
    expect(() => r.register({ ...def('OK', 1), impl: 1 } as unknown as CesqlFunctionDefinition)).toThrow(/impl/);
    expect(r.names()).toEqual([]);
  });
});
