import { type CesqlNode, LOGIC_OPERATORS, childrenOf } from './ast.js';
import { lineAndColumn } from './cesql-error.js';
import { type FunctionRegistry, builtinRegistry } from './function-registry.js';
import { parseCesql } from './parse-cesql.js';

/** SQL-M3: attribute names SHOULD be at most 20 characters. */
const MAX_NAME_LENGTH = 20;

/**
 * Warnings for expressions that parse but may not mean what their author thinks, or that
 * other CESQL engines read differently. Throws CesqlParseError, like compileCesql, when the
 * expression does not parse. Each warning ends with `(line L, column C)`.
 */
export function lintCesql(expr: string, opts: { readonly functions?: FunctionRegistry } = {}): string[] {
  const ast = parseCesql(expr);
  const functions = opts.functions ?? builtinRegistry();
  const warnings: string[] = [];
  const at = (pos: number): string => {
    const { line, column } = lineAndColumn(expr, pos);
    return ` (line ${line}, column ${column})`;
  };
  const visit = (node: CesqlNode): void => {
    switch (node.kind) {
      case 'binary':
        if (LOGIC_OPERATORS.has(node.op)) {
          for (const child of [node.left, node.right]) {
            if (child.kind === 'binary' && LOGIC_OPERATORS.has(child.op) && child.op !== node.op && !child.parens) {
              warnings.push(
                `${child.op} and ${node.op} are mixed without parentheses: CESQL applies AND, OR and XOR left to right ` +
                  `at one precedence level (SQL-M21), standard SQL binds AND tighter and the upstream grammar groups ` +
                  `from the right (SQL-N3); add parentheses${at(node.pos)}`,
              );
            }
          }
        }
        break;
      case 'literal':
        if (typeof node.value === 'string') lintString(node.raw, false, node.pos, warnings, at);
        break;
      case 'like':
        lintString(node.patternRaw, true, node.patternPos, warnings, at);
        break;
      case 'call':
        if (functions.resolve(node.name, node.args.length) === undefined) {
          warnings.push(
            `no function ${node.name} takes ${node.args.length} argument(s): this call always evaluates to FALSE with ` +
              `a MissingFunctionError, so the expression never matches (SQL-M25)${at(node.pos)}`,
          );
        }
        break;
      case 'attribute':
      case 'exists':
        if (node.name.length > MAX_NAME_LENGTH) {
          warnings.push(`attribute name '${node.name}' is longer than ${MAX_NAME_LENGTH} characters (SQL-M3)${at(node.pos)}`);
        }
        break;
      default:
        break;
    }
    for (const child of childrenOf(node)) visit(child);
  };
  visit(ast);
  return warnings;
}

/**
 * SQL-N1: the spec's escapes are `\'` in '…' and `\"` in "…". The upstream lexer also accepts
 * any `\x` and doubled quotes, which engines then read differently (we, like sdk-go, keep them
 * verbatim). In a LIKE pattern `\%` and `\_` are the intended escapes (SQL-M18).
 */
function lintString(raw: string, isPattern: boolean, pos: number, warnings: string[], at: (pos: number) => string): void {
  const quote = raw[0] as string;
  for (let i = 1; i < raw.length - 1; i++) {
    const ch = raw[i];
    const next = raw[i + 1] as string;
    if (ch === '\\') {
      const fine = next === quote || (isPattern && (next === '%' || next === '_'));
      if (!fine) {
        warnings.push(
          `unclear escape \\${next} in ${raw}: only \\${quote}${isPattern ? ', \\% and \\_ are escapes here' : ' is an escape here'}; ` +
            `the backslash is kept as a literal character, other engines may differ (SQL-N1)${at(pos + i)}`,
        );
        return;
      }
      i++;
    } else if (ch === quote && next === quote && i + 1 < raw.length - 1) {
      warnings.push(
        `doubled quote ${quote}${quote} in ${raw} is kept as two quote characters, not read as one as in standard SQL; ` +
          `write \\${quote} for a quote (SQL-N1)${at(pos + i)}`,
      );
      return;
    }
  }
}
