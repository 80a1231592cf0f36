import type { CesqlValue } from './cesql-value.js';

/**
 * The typed AST that `parseCesql` builds. Every node records `pos`, the 0-based offset that
 * errors point at (the operator token for operators, the first token otherwise), `height`
 * (to refuse expressions that would nest deeper than the evaluator's stack allows) and
 * `parens` (written inside parentheses; the linter needs it for SQL-N3).
 */
export type BinaryOperator = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | 'AND' | 'OR' | 'XOR';

export const LOGIC_OPERATORS: ReadonlySet<BinaryOperator> = new Set<BinaryOperator>(['AND', 'OR', 'XOR']);

interface NodeBase {
  readonly pos: number;
  readonly height: number;
  readonly parens: boolean;
}

export interface LiteralNode extends NodeBase {
  readonly kind: 'literal';
  readonly value: CesqlValue;
  /** Source text; for strings, with quotes and escapes as written (the linter reads it). */
  readonly raw: string;
}

export interface AttributeNode extends NodeBase {
  readonly kind: 'attribute';
  /** Folded to lower case (SQL-M3). */
  readonly name: string;
}

export interface ExistsNode extends NodeBase {
  readonly kind: 'exists';
  readonly name: string;
}

export interface UnaryNode extends NodeBase {
  readonly kind: 'not' | 'negate';
  readonly operand: CesqlNode;
}

export interface BinaryNode extends NodeBase {
  readonly kind: 'binary';
  readonly op: BinaryOperator;
  readonly left: CesqlNode;
  readonly right: CesqlNode;
}

export interface LikeNode extends NodeBase {
  readonly kind: 'like';
  readonly operand: CesqlNode;
  readonly negated: boolean;
  /** The pattern's string value (escapes for `\'`/`\"` already applied, `\%` and `\_` kept). */
  readonly pattern: string;
  readonly patternRaw: string;
  readonly patternPos: number;
}

export interface InNode extends NodeBase {
  readonly kind: 'in';
  readonly operand: CesqlNode;
  readonly negated: boolean;
  /** Never empty (SQL-M6). */
  readonly set: readonly CesqlNode[];
}

export interface CallNode extends NodeBase {
  readonly kind: 'call';
  /** Upper case: function names are case-insensitive (`int(hop)` in the TCK). */
  readonly name: string;
  readonly args: readonly CesqlNode[];
}

export type CesqlNode = LiteralNode | AttributeNode | ExistsNode | UnaryNode | BinaryNode | LikeNode | InNode | CallNode;

/** Direct sub-expressions, in evaluation order. */
export function childrenOf(node: CesqlNode): readonly CesqlNode[] {
  switch (node.kind) {
    case 'literal':
    case 'attribute':
    case 'exists':
      return [];
    case 'not':
    case 'negate':
    case 'like':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
    case 'in':
      return [node.operand, ...node.set];
    case 'call':
      return node.args;
  }
}
