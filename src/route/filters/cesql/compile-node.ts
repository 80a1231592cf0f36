import type { CesqlNode, InNode, LikeNode } from './ast.js';
import { castTo, castToInteger, toStringValue } from './cast-value.js';
import { attributeValue, typeOfValue } from './cesql-value.js';
import { booleanOperand, checked, compileBinary } from './compile-binary.js';
import { compileCall } from './compile-call.js';
import { type Evaluator, raise } from './eval-context.js';
import type { FunctionRegistry } from './function-registry.js';
import { compileLikePattern } from './like-pattern.js';

/**
 * Turns the AST into nested closures once, at compile time, so evaluating an event walks no
 * tree, re-parses nothing and allocates nothing on the common paths. Closures only read
 * `ctx.attrs` (SQL-M10: the event is never mutated).
 */
export function compileNode(node: CesqlNode, functions: FunctionRegistry): Evaluator {
  const pos = node.pos;
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'attribute':
      return compileAttribute(node.name, pos);
    case 'exists': {
      const name = node.name;
      // SQL-M19. The required attributes are always present on a valid event, so no special case.
      return (ctx) => Object.hasOwn(ctx.attrs, name) && attributeValue(ctx.attrs[name]) !== undefined;
    }
    case 'not': {
      const operand = compileNode(node.operand, functions);
      return (ctx) => {
        const b = booleanOperand(operand, ctx, pos); // SQL-M13: NOT 10 is NOT TRUE (SQL-N4)
        return ctx.failed ? false : !b;
      };
    }
    case 'negate': {
      const operand = compileNode(node.operand, functions);
      return (ctx) => {
        const v = operand(ctx);
        if (ctx.failed) return 0;
        const n = castToInteger(v, ctx, pos);
        return ctx.failed ? 0 : checked(0 - n, ctx, pos); // -(-2147483648) overflows: MathError
      };
    }
    case 'binary':
      return compileBinary(node.op, compileNode(node.left, functions), compileNode(node.right, functions), pos);
    case 'like':
      return compileLike(node, functions);
    case 'in':
      return compileIn(node, functions);
    case 'call':
      return compileCall(
        node.name,
        node.args.map((a) => compileNode(a, functions)),
        functions,
        pos,
      );
  }
}

/**
 * SQL-M9: a missing attribute reports MissingAttributeError. Its own value is FALSE (the type
 * is unknown); every enclosing operator then returns the zero value of *its* type (SQL-N2),
 * which yields the TCK's `-missing` → 0 and `missing LIKE 'x'` → false.
 */
function compileAttribute(name: string, pos: number): Evaluator {
  const message = `missing attribute '${name}'`;
  return (ctx) => {
    const v = Object.hasOwn(ctx.attrs, name) ? attributeValue(ctx.attrs[name]) : undefined;
    if (v !== undefined) return v;
    raise(ctx, 'missingAttribute', message, pos);
    return false;
  };
}

function compileLike(node: LikeNode, functions: FunctionRegistry): Evaluator {
  const operand = compileNode(node.operand, functions);
  const match = compileLikePattern(node.pattern);
  const negated = node.negated;
  return (ctx) => {
    const v = operand(ctx);
    if (ctx.failed) return false;
    return match(toStringValue(v)) !== negated; // SQL-M18: x is cast to String
  };
}

/**
 * SQL-M20: `=` semantics, but every element is cast to x's type. Elements are evaluated left to
 * right and the first match ends the search (as sdk-go does), so an error in a later element
 * does not surface once a match is found. NOT IN fails with FALSE like every Boolean operator.
 */
function compileIn(node: InNode, functions: FunctionRegistry): Evaluator {
  const operand = compileNode(node.operand, functions);
  const set = node.set.map((e) => compileNode(e, functions));
  const negated = node.negated;
  const pos = node.pos;
  return (ctx) => {
    const x = operand(ctx);
    if (ctx.failed) return false;
    for (let i = 0; i < set.length; i++) {
      const v = (set[i] as Evaluator)(ctx);
      if (ctx.failed) return false;
      const cast = typeof v === typeof x ? v : castTo(v, typeOfValue(x), ctx, pos);
      if (ctx.failed) return false;
      if (cast === x) return !negated;
    }
    return negated;
  };
}
