import type { AttributeValue } from '../../../core/index.js';
import { type CesqlError, type CesqlErrorKind, makeCesqlError } from './cesql-error.js';
import type { CesqlValue } from './cesql-value.js';

/**
 * State of one evaluation. Evaluation is fail-fast (SQL-N2): the first error sets `failed`,
 * and every enclosing operator then returns the zero value of its own type without doing
 * more work. `matches()` only needs to know *that* something failed, so it runs with
 * `collect = false` and no Error object (with its stack trace) is built on that hot path.
 */
export interface EvalContext {
  readonly attrs: Readonly<Record<string, AttributeValue>>;
  readonly collect: boolean;
  failed: boolean;
  error: CesqlError | undefined;
}

/** A compiled sub-expression. It never throws for CESQL-level errors; it reports them on ctx. */
export type Evaluator = (ctx: EvalContext) => CesqlValue;

export function newContext(attrs: Readonly<Record<string, AttributeValue>>, collect: boolean): EvalContext {
  return { attrs, collect, failed: false, error: undefined };
}

export function raise(ctx: EvalContext, kind: Exclude<CesqlErrorKind, 'parse'>, message: string, position: number): void {
  ctx.failed = true;
  if (ctx.collect && ctx.error === undefined) ctx.error = makeCesqlError(kind, message, position);
}

/** Reports an error object that already exists (thrown by a function implementation). */
export function raiseError(ctx: EvalContext, error: CesqlError): void {
  ctx.failed = true;
  if (ctx.collect && ctx.error === undefined) ctx.error = error;
}
