import { type BinaryOperator, type CesqlNode, type LikeNode, type InNode } from './ast.js';
import { CesqlParseError } from './cesql-error.js';
import { type Token, type TokenKind, tokenize } from './tokenize.js';

/**
 * Precedence climbing over the tokens, highest binding first (SQL-M21): function calls;
 * unary NOT and `-` (their operand is a single prefix expression, so `NOT a = b` is
 * `(NOT a) = b`); postfix LIKE; EXISTS (an atom); postfix IN; `* / %`; `+ -`; comparisons;
 * AND, OR, XOR at one level. Equal precedence groups left to right (SQL-M21), which for mixed
 * AND/OR differs from the upstream ANTLR grammar's right associativity: lintCesql warns (SQL-N3).
 */
const BINARY_PRECEDENCE: Partial<Record<TokenKind, number>> = {
  AND: 1,
  OR: 1,
  XOR: 1,
  '=': 2,
  '!=': 2,
  '<>': 2,
  '<': 2,
  '<=': 2,
  '>': 2,
  '>=': 2,
  '+': 3,
  '-': 3,
  '*': 4,
  '/': 4,
  '%': 4,
};
const IN_PRECEDENCE = 5;
const LIKE_PRECEDENCE = 6;
type WithoutHeight<T> = T extends unknown ? Omit<T, 'height'> : never;

/**
 * Deepest AST accepted. Evaluation recurses once per level; this keeps a hostile or generated
 * rule far away from the JS stack limit while leaving room for any rule a person writes.
 */
export const MAX_AST_HEIGHT = 1000;

export function parseCesql(source: string): CesqlNode {
  return new Parser(source, tokenize(source)).parseRoot();
}

class Parser {
  private i = 0;
  /** Recursion depth; parentheses add nothing to the AST height but do recurse. */
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseRoot(): CesqlNode {
    const node = this.parseExpression(0);
    const t = this.peek();
    if (t.kind !== 'eof') throw this.error(`unexpected ${describe(t)}${hint(this.tokens[this.i - 1], t)}`, t);
    return node;
  }

  private parseExpression(minPrecedence: number): CesqlNode {
    let left = this.parsePrefix();
    for (;;) {
      const t = this.peek();
      let negated = false;
      let postfix = t.kind === 'LIKE' || t.kind === 'IN' ? t.kind : undefined;
      if (t.kind === 'NOT') {
        const after = this.peek(1);
        if (after.kind !== 'LIKE' && after.kind !== 'IN')
          throw this.error(`expected LIKE or IN after NOT, found ${describe(after)}`, after);
        postfix = after.kind;
        negated = true;
      }
      if (postfix !== undefined) {
        if ((postfix === 'LIKE' ? LIKE_PRECEDENCE : IN_PRECEDENCE) < minPrecedence) return left;
        if (negated) this.i++;
        const opToken = this.next();
        left = postfix === 'LIKE' ? this.finishLike(left, negated, opToken) : this.finishIn(left, negated, opToken);
        continue;
      }
      const precedence = BINARY_PRECEDENCE[t.kind];
      if (precedence === undefined || precedence < minPrecedence) return left;
      this.i++;
      const right = this.parseExpression(precedence + 1); // +1: left to right at equal precedence
      left = this.node({ kind: 'binary', op: t.kind as BinaryOperator, left, right, pos: t.start, parens: false }, left, right);
    }
  }

  /** Every recursion of the parser passes here, so this bounds the JS stack it uses. */
  private parsePrefix(): CesqlNode {
    if (++this.depth > MAX_AST_HEIGHT) {
      throw this.error(`expression nests deeper than ${MAX_AST_HEIGHT} levels`, this.peek());
    }
    try {
      return this.parsePrefixUnchecked();
    } finally {
      this.depth--;
    }
  }

  private parsePrefixUnchecked(): CesqlNode {
    const t = this.next();
    switch (t.kind) {
      case 'NOT':
      case '-': {
        const operand = this.parsePrefix();
        return this.node({ kind: t.kind === 'NOT' ? 'not' : 'negate', operand, pos: t.start, parens: false }, operand);
      }
      case 'EXISTS': {
        const id = this.next();
        if (id.kind !== 'identifier') throw this.error(`EXISTS takes an attribute name, found ${describe(id)} (SQL-M6)`, id);
        return this.node({ kind: 'exists', name: id.text, pos: t.start, parens: false });
      }
      case '(': {
        const inner = this.parseExpression(0);
        this.expect(')', 'to close the parenthesis', t);
        return { ...inner, parens: true };
      }
      case 'TRUE':
      case 'FALSE':
        return this.node({ kind: 'literal', value: t.kind === 'TRUE', raw: t.raw, pos: t.start, parens: false });
      case 'integer':
        return this.node({ kind: 'literal', value: t.int, raw: t.raw, pos: t.start, parens: false });
      case 'string':
        return this.node({ kind: 'literal', value: t.text, raw: t.raw, pos: t.start, parens: false });
      case 'identifier':
        if (t.lettersOnly && this.peek().kind === '(') return this.finishCall(t);
        return this.node({ kind: 'attribute', name: t.text, pos: t.start, parens: false });
      case 'underscored':
        if (this.peek().kind === '(') return this.finishCall(t);
        throw this.error(`'${t.raw}' is not an attribute name (attribute names are letters and digits, SQL-M3)`, t);
      default:
        throw this.error(`unexpected ${describe(t)}, expected an expression${t.kind === '+' ? " (there is no unary '+')" : ''}`, t);
    }
  }

  private finishCall(name: Token): CesqlNode {
    this.i++; // '('
    const args: CesqlNode[] = [];
    if (this.peek().kind !== ')') {
      args.push(this.parseExpression(0));
      while (this.peek().kind === ',') {
        this.i++;
        args.push(this.parseExpression(0));
      }
    }
    this.expect(')', `to close the argument list of ${name.raw}(`, name);
    return this.node({ kind: 'call', name: name.text.toUpperCase(), args, pos: name.start, parens: false }, ...args);
  }

  private finishLike(operand: CesqlNode, negated: boolean, op: Token): CesqlNode {
    const p = this.next();
    if (p.kind !== 'string') throw this.error(`the LIKE pattern must be a string literal, found ${describe(p)} (SQL-M5)`, p);
    const like: WithoutHeight<LikeNode> = {
      kind: 'like',
      operand,
      negated,
      pattern: p.text,
      patternRaw: p.raw,
      patternPos: p.start,
      pos: op.start,
      parens: false,
    };
    return this.node(like, operand);
  }

  private finishIn(operand: CesqlNode, negated: boolean, op: Token): CesqlNode {
    const open = this.next();
    if (open.kind !== '(') throw this.error(`IN takes a parenthesized set, found ${describe(open)}`, open);
    if (this.peek().kind === ')') throw this.error('the IN set must not be empty (SQL-M6)', this.peek());
    const set: CesqlNode[] = [this.parseExpression(0)];
    while (this.peek().kind === ',') {
      this.i++;
      set.push(this.parseExpression(0));
    }
    this.expect(')', 'to close the IN set', open);
    const node: WithoutHeight<InNode> = { kind: 'in', operand, negated, set, pos: op.start, parens: false };
    return this.node(node, operand, ...set);
  }

  /** Adds `height` and enforces MAX_AST_HEIGHT. */
  private node(partial: WithoutHeight<CesqlNode>, ...children: CesqlNode[]): CesqlNode {
    let height = 1;
    for (const c of children) height = Math.max(height, c.height + 1);
    if (height > MAX_AST_HEIGHT) {
      throw new CesqlParseError(`expression nests deeper than ${MAX_AST_HEIGHT} levels`, this.source, partial.pos);
    }
    return { ...partial, height } as CesqlNode;
  }

  private expect(kind: TokenKind, why: string, opener: Token): void {
    const t = this.next();
    if (t.kind !== kind) throw this.error(`expected '${kind}' ${why} (opened at offset ${opener.start}), found ${describe(t)}`, t);
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private error(detail: string, at: Token): CesqlParseError {
    return new CesqlParseError(detail, this.source, at.start);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of expression';
    case 'string':
      return `string literal ${t.raw}`;
    case 'integer':
      return `integer literal ${t.raw}`;
    case 'identifier':
    case 'underscored':
      return `identifier '${t.raw}'`;
    default:
      return `'${t.raw}'`;
  }
}

/** Explains the two lexer traps that produce a dangling token (SQL-N1, SQL-M3). */
function hint(previous: Token | undefined, t: Token): string {
  if (t.kind === 'integer' && (t.raw.startsWith('-') || t.raw.startsWith('+'))) {
    return `: a sign right before digits belongs to the number (SQL-N1); put a space after '${t.raw[0]}'`;
  }
  if (t.kind === '(' && previous?.kind === 'identifier') {
    return `: function names contain only letters and '_'`;
  }
  return '';
}
