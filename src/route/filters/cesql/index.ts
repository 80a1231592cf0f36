/**
 * CloudEvents SQL (CESQL v1.0.0) for route filters: a hand-written lexer and parser, a typed
 * AST, and an evaluator compiled to closures. Rule ids refer to shared/spec/cloudevents.md §7.
 */
export { compileCesql, type CesqlAttributes, type CesqlResult, type CompileOptions, type CompiledCesql } from './compile-cesql.js';
export { lintCesql } from './lint-cesql.js';
export { parseCesql, MAX_AST_HEIGHT } from './parse-cesql.js';
export { FunctionRegistry, CesqlRegistrationError } from './function-registry.js';
export type { CesqlFunctionDefinition, CesqlParamType } from './function-definition.js';
export type { CesqlType, CesqlValue } from './cesql-value.js';
export type * from './ast.js';
export {
  CesqlError,
  CesqlParseError,
  CesqlMathError,
  CesqlCastError,
  CesqlMissingAttributeError,
  CesqlMissingFunctionError,
  CesqlFunctionEvaluationError,
  CesqlGenericError,
  type CesqlErrorKind,
  type CesqlErrorOptions,
} from './cesql-error.js';
