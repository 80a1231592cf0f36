import { BUILTIN_FUNCTIONS } from './builtin-functions.js';
import type { CesqlFunctionDefinition } from './function-definition.js';

export class CesqlRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CesqlRegistrationError';
  }
}

const FUNCTION_NAME = /^[A-Za-z][A-Za-z_]*$/;
const KEYWORDS = new Set(['AND', 'OR', 'XOR', 'NOT', 'LIKE', 'EXISTS', 'IN', 'TRUE', 'FALSE']);
const TYPES: ReadonlySet<string> = new Set(['String', 'Integer', 'Boolean']);
const PARAM_TYPES: ReadonlySet<string> = new Set(['String', 'Integer', 'Boolean', 'Any']);

/**
 * Functions by name, overloaded by arity only (SQL-M24). Registration enforces the spec's
 * rules on overload sets and throws CesqlRegistrationError for a set the engine MUST reject:
 * two definitions with the same name and arity; more than one variadic overload; a variadic
 * overload whose fixed parameters do not outnumber every other overload's arity.
 */
export class FunctionRegistry {
  private readonly byName = new Map<string, CesqlFunctionDefinition[]>();

  /** Starts with the built-in functions (SQL-M22, SQL-M23) unless `builtins: false`. */
  constructor(opts: { readonly builtins?: boolean } = {}) {
    if (opts.builtins !== false) for (const def of BUILTIN_FUNCTIONS) this.register(def);
  }

  register(def: CesqlFunctionDefinition): this {
    const name = checkDefinition(def);
    const overloads = this.byName.get(name) ?? [];
    const arity = def.params.length;
    for (const other of overloads) {
      const otherArity = other.params.length;
      if (def.variadic !== undefined && other.variadic !== undefined) {
        throw new CesqlRegistrationError(`${name}: only one variadic overload is allowed (SQL-M24)`);
      }
      if (def.variadic === undefined && other.variadic === undefined && otherArity === arity) {
        throw new CesqlRegistrationError(`${name}: an overload with ${arity} argument(s) already exists (SQL-M24)`);
      }
      const [variadic, fixed] = def.variadic !== undefined ? [def, other] : other.variadic !== undefined ? [other, def] : [];
      if (variadic !== undefined && fixed !== undefined && variadic.params.length <= fixed.params.length) {
        throw new CesqlRegistrationError(
          `${name}: the variadic overload has ${variadic.params.length} fixed argument(s), which must be more than ` +
            `the ${fixed.params.length} of another overload (SQL-M24)`,
        );
      }
    }
    this.byName.set(name, [...overloads, Object.freeze({ ...def, name })]);
    return this;
  }

  /** The overload a call with `arity` arguments dispatches to (SQL-M24), if any. */
  resolve(name: string, arity: number): CesqlFunctionDefinition | undefined {
    const overloads = this.byName.get(name.toUpperCase());
    if (overloads === undefined) return undefined;
    let variadic: CesqlFunctionDefinition | undefined;
    for (const def of overloads) {
      if (def.variadic === undefined) {
        if (def.params.length === arity) return def;
      } else if (arity >= def.params.length) {
        variadic = def;
      }
    }
    return variadic;
  }

  /** Upper-case names of every registered function. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

let builtinsOnly: FunctionRegistry | undefined;

/** The shared registry of built-ins only, for callers that bring no functions of their own. */
export function builtinRegistry(): FunctionRegistry {
  return (builtinsOnly ??= new FunctionRegistry());
}

function checkDefinition(def: CesqlFunctionDefinition): string {
  if (typeof def.name !== 'string' || !FUNCTION_NAME.test(def.name)) {
    throw new CesqlRegistrationError(`invalid function name ${JSON.stringify(def.name)}: letters and '_', starting with a letter`);
  }
  const name = def.name.toUpperCase();
  if (KEYWORDS.has(name)) throw new CesqlRegistrationError(`${name} is a CESQL keyword and cannot name a function`);
  if (!Array.isArray(def.params) || !def.params.every((t) => PARAM_TYPES.has(t))) {
    throw new CesqlRegistrationError(`${name}: params must be a list of String, Integer, Boolean or Any`);
  }
  if (def.variadic !== undefined && !PARAM_TYPES.has(def.variadic)) {
    throw new CesqlRegistrationError(`${name}: variadic must be String, Integer, Boolean or Any`);
  }
  if (!TYPES.has(def.returns)) throw new CesqlRegistrationError(`${name}: returns must be String, Integer or Boolean`);
  if (typeof def.impl !== 'function') throw new CesqlRegistrationError(`${name}: impl must be a function`);
  return name;
}
