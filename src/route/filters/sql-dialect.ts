/**
 * The `sql` dialect (SUB-M11): `{ "sql": "<CESQL expression>" }`. The expression must parse at
 * compile time (we take the SHOULD as a MUST: a route that cannot run is refused). At run time
 * it is true only for a Boolean TRUE; a FALSE, a non-Boolean result or any error is false
 * (SQL-M29), and errors go to `options.onError`.
 */
import { compileCesql, CesqlParseError, type CompiledCesql } from './cesql/index.js';
import { FilterError } from './filter-error.js';
import { report, show, type FilterNode, type FilterOptions } from './filter-node.js';

function compileExpression(value: unknown, path: string): CompiledCesql {
  if (typeof value !== 'string') throw new FilterError(path, 'sql needs a CESQL expression string');
  if (value.trim() === '') throw new FilterError(path, 'the CESQL expression must not be empty');
  try {
    return compileCesql(value);
  } catch (e) {
    if (e instanceof CesqlParseError) throw new FilterError(path, e.message, { cause: e });
    throw e;
  }
}

export function compileSqlDialect(value: unknown, path: string, options: FilterOptions): FilterNode {
  const expr = compileExpression(value, path);
  const onError = options.onError;
  return {
    needsData: false,
    // matches() builds no Error objects; only when someone listens and the answer is "no" do we
    // run evaluate() to learn whether an error caused it.
    test: (view) => {
      if (expr.matches(view.attributes)) return true;
      if (onError !== undefined) {
        const error = expr.evaluate(view.attributes).errors[0];
        if (error !== undefined) report(options, { path, dialect: 'sql', error });
      }
      return false;
    },
    why: (view) => {
      const r = expr.evaluate(view.attributes);
      const error = r.errors[0];
      if (error === undefined && r.value === true) return undefined;
      const filter = show({ sql: value });
      if (error !== undefined) {
        report(options, { path, dialect: 'sql', error });
        return { path, filter, reason: `evaluation error (${error.kind}): ${error.message}` };
      }
      return {
        path,
        filter,
        reason: r.value === false ? 'the expression is FALSE for this event' : `the result ${show(r.value)} is not a Boolean`,
      };
    },
  };
}
