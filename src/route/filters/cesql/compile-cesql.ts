import type { AttributeValue } from '../../../core/index.js';
import type { CesqlNode } from './ast.js';
import { type CesqlError, CesqlGenericError } from './cesql-error.js';
import type { CesqlValue } from './cesql-value.js';
import { compileNode } from './compile-node.js';
import { type EvalContext, type Evaluator, newContext } from './eval-context.js';
import { type FunctionRegistry, builtinRegistry } from './function-registry.js';
import { parseCesql } from './parse-cesql.js';

export type CesqlAttributes = Readonly<Record<string, AttributeValue>>;

export interface CesqlResult {
  /** Always a CESQL value, even with errors: expressions are total (SQL-M12). */
  readonly value: CesqlValue;
  /** Empty on success; fail-fast evaluation (SQL-N2) stops at the first error. */
  readonly errors: CesqlError[];
}

export interface CompiledCesql {
  readonly source: string;
  readonly ast: CesqlNode;
  /** Evaluates against a CloudEvent's `attributes` (Binary as Base64, time as received). */
  evaluate(attrs: CesqlAttributes): CesqlResult;
  /** SQL-M29: the event passes only if the result is Boolean TRUE and no error occurred. */
  matches(attrs: CesqlAttributes): boolean;
}

export interface CompileOptions {
  /** Built-ins plus any user-defined functions; defaults to the built-ins only. */
  readonly functions?: FunctionRegistry;
}

/** Parses and compiles once; throws CesqlParseError (message with line and column). */
export function compileCesql(expr: string, opts: CompileOptions = {}): CompiledCesql {
  const ast = parseCesql(expr);
  const functions = opts.functions ?? builtinRegistry();
  return new CompiledExpression(expr, ast, compileNode(ast, functions));
}

class CompiledExpression implements CompiledCesql {
  constructor(
    readonly source: string,
    readonly ast: CesqlNode,
    private readonly root: Evaluator,
  ) {}

  evaluate(attrs: CesqlAttributes): CesqlResult {
    const ctx = newContext(attrs, true);
    const value = this.run(ctx);
    if (!ctx.failed) return { value, errors: [] };
    return { value, errors: [ctx.error ?? new CesqlGenericError('evaluation failed')] };
  }

  matches(attrs: CesqlAttributes): boolean {
    const ctx = newContext(attrs, false);
    const value = this.run(ctx);
    return value === true && !ctx.failed;
  }

  /** Anything thrown here is a bug or an exhausted engine, never a CESQL error: GenericError. */
  private run(ctx: EvalContext): CesqlValue {
    try {
      return this.root(ctx);
    } catch (e) {
      ctx.failed = true;
      if (ctx.collect) ctx.error = new CesqlGenericError(`evaluation failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      return false;
    }
  }
}
