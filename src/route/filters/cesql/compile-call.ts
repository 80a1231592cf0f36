import { castTo } from './cast-value.js';
import { CesqlError } from './cesql-error.js';
import { type CesqlValue, hasType, typeOfValue, zeroValue } from './cesql-value.js';
import { type Evaluator, raise, raiseError } from './eval-context.js';
import type { CesqlParamType } from './function-definition.js';
import type { FunctionRegistry } from './function-registry.js';

/**
 * A function call. Dispatch by arity happens once, at compile time (SQL-M24); a call that
 * cannot be dispatched still compiles, because the TCK expects it to *evaluate* to FALSE with
 * a MissingFunctionError (SQL-M25), e.g. `CONCAT_WS()`.
 */
export function compileCall(name: string, args: readonly Evaluator[], functions: FunctionRegistry, pos: number): Evaluator {
  const def = functions.resolve(name, args.length);
  if (def === undefined) {
    const message = `no function ${name} takes ${args.length} argument(s)`;
    return (ctx) => {
      raise(ctx, 'missingFunction', message, pos);
      return false;
    };
  }
  const types: CesqlParamType[] = args.map((_, i) => def.params[i] ?? def.variadic ?? 'Any');
  const zero = zeroValue(def.returns);
  const impl = def.impl;
  return (ctx) => {
    const values: CesqlValue[] = new Array<CesqlValue>(args.length);
    for (let i = 0; i < args.length; i++) {
      const v = (args[i] as Evaluator)(ctx);
      if (ctx.failed) return zero;
      const t = types[i] as CesqlParamType;
      values[i] = t === 'Any' ? v : castTo(v, t, ctx, pos); // SQL-M28: n-ary, cast every argument
      if (ctx.failed) return zero;
    }
    let result: unknown;
    try {
      result = impl(values);
    } catch (e) {
      // SQL-M26: the function's own value if it gave one of the right type, else the zero value.
      if (e instanceof CesqlError && e.kind !== 'parse') {
        if (e.position === undefined) raise(ctx, e.kind, e.message, pos);
        else raiseError(ctx, e);
        return hasType(e.value, def.returns) && e.value !== 0 ? e.value : zero;
      }
      raise(ctx, 'functionEvaluation', `${name}: ${e instanceof Error ? e.message : String(e)}`, pos);
      return zero;
    }
    if (!hasType(result, def.returns)) {
      const got =
        typeof result === 'string' || typeof result === 'boolean' || typeof result === 'number' ? typeOfValue(result) : typeof result;
      raise(
        ctx,
        'functionEvaluation',
        `${name} returned ${got === 'Integer' ? 'a number that is not an int32' : got}, not ${def.returns}`,
        pos,
      );
      return zero;
    }
    return result === 0 ? 0 : result; // never hand out -0
  };
}
