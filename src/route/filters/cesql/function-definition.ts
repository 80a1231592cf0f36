import type { CesqlType, CesqlValue } from './cesql-value.js';

/** 'Any' means "no implicit cast": the built-in casts INT, BOOL and STRING need the raw value. */
export type CesqlParamType = CesqlType | 'Any';

/**
 * A function callable from CESQL, built-in or user-defined (SQL-M26). Arguments arrive already
 * cast to `params` (and `variadic` for the rest) per SQL-M28. To report an error, throw: a
 * `CesqlError` is reported as is, with its `value` (if it has the return type) as the result;
 * anything else becomes a FunctionEvaluationError with the zero value of `returns` (SQL-M26).
 * A result that is not of type `returns` is a FunctionEvaluationError too.
 */
export interface CesqlFunctionDefinition {
  /** Letters and `_`, starting with a letter; case-insensitive. */
  readonly name: string;
  /** The fixed parameters. */
  readonly params: readonly CesqlParamType[];
  /** When set, the function is variadic: any number (≥ 0) of further arguments of this type. */
  readonly variadic?: CesqlParamType;
  readonly returns: CesqlType;
  readonly impl: (args: readonly CesqlValue[]) => CesqlValue;
}
