import { CesqlParseError } from './cesql-error.js';
import { isInt32 } from './cesql-value.js';

/**
 * Hand-written lexer that reproduces the token boundaries of the upstream ANTLR lexer
 * (`CESQLLexer.g4`, which sdk-go and sdk-java use unchanged), so that expressions split the
 * same way here as there:
 * - keywords are case-insensitive (SQL-M1);
 * - longest match wins, and on a tie the earlier rule: keyword, then integer, then identifier;
 * - an integer literal carries its sign (SQL-M4), so `5-3` is `5` `-3`, a parse error (SQL-N1);
 * - a string may contain any `\x` pair and doubled quotes (SQL-N1); see `stringValue`.
 */
export type TokenKind =
  | '('
  | ')'
  | ','
  | '*'
  | '/'
  | '%'
  | '+'
  | '-'
  | '='
  | '!='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'AND'
  | 'OR'
  | 'XOR'
  | 'NOT'
  | 'LIKE'
  | 'EXISTS'
  | 'IN'
  | 'TRUE'
  | 'FALSE'
  | 'string'
  | 'integer'
  | 'identifier'
  | 'underscored'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** 0-based offsets into the source, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** Source text of the token, as written. */
  readonly raw: string;
  /**
   * string: the literal's value; integer: unused (see `int`); identifier: the name folded to
   * lower case (SQL-M3); underscored: the name in upper case (only valid as a function name).
   */
  readonly text: string;
  readonly int: number;
  /** identifier only: letters only, so it may also name a function (`functionIdentifier`). */
  readonly lettersOnly: boolean;
}

const KEYWORDS: ReadonlySet<string> = new Set(['AND', 'OR', 'XOR', 'NOT', 'LIKE', 'EXISTS', 'IN', 'TRUE', 'FALSE']);
const SINGLE: Readonly<Record<string, TokenKind>> = {
  '(': '(',
  ')': ')',
  ',': ',',
  '*': '*',
  '/': '/',
  '%': '%',
  '=': '=',
};

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, text = '', int = 0, lettersOnly = false): void => {
    tokens.push({ kind, start, end, raw: source.slice(start, end), text, int, lettersOnly });
  };
  while (i < n) {
    const c = source.charCodeAt(i);
    const ch = source[i] as string;
    const single = SINGLE[ch];
    if (isSpace(c)) {
      i++;
    } else if (single !== undefined) {
      push(single, i, i + 1);
      i++;
    } else if (ch === '!' || ch === '<' || ch === '>') {
      const two = source.slice(i, i + 2);
      if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
        push(two, i, i + 2);
        i += 2;
      } else if (ch === '!') {
        throw new CesqlParseError("unexpected '!' (did you mean '!='?)", source, i);
      } else {
        push(ch as '<' | '>', i, i + 1);
        i++;
      }
    } else if (ch === "'" || ch === '"') {
      i = lexString(source, i, push);
    } else if (ch === '+' || ch === '-' || isDigit(c)) {
      i = lexSignOrNumber(source, i, push);
    } else if (isLetter(c)) {
      i = lexWord(source, i, push);
    } else {
      throw new CesqlParseError(`unexpected character ${JSON.stringify(ch)}`, source, i);
    }
  }
  push('eof', n, n);
  return tokens;
}

type Push = (kind: TokenKind, start: number, end: number, text?: string, int?: number, lettersOnly?: boolean) => void;

function lexString(source: string, start: number, push: Push): number {
  const quote = source[start] as string;
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\\') {
      if (i + 1 >= source.length) break;
      i += 2; // `'\\' .` in the ANTLR lexer: any escaped character, the quote included
    } else if (ch === quote) {
      if (source[i + 1] === quote) {
        i += 2; // doubled quote stays inside the literal (ANTLR `'\'\''`)
      } else {
        const raw = source.slice(start + 1, i);
        push('string', start, i + 1, stringValue(raw, quote));
        return i + 1;
      }
    } else {
      i++;
    }
  }
  throw new CesqlParseError(`unterminated string literal (opened with ${quote})`, source, start);
}

/**
 * Value of a string literal. The spec's EBNF knows only `\'` (in '…') and `\"` (in "…"); like
 * sdk-go we unescape exactly those and keep every other character verbatim, so `'ab\c'` keeps
 * its backslash (TCK) and LIKE still sees `\%` and `\_`. Other forms are linted (SQL-N1).
 */
function stringValue(raw: string, quote: string): string {
  return raw.includes('\\') ? raw.replaceAll(`\\${quote}`, quote) : raw;
}

function lexSignOrNumber(source: string, start: number, push: Push): number {
  let i = start;
  const c = source[i];
  if (c === '+' || c === '-') i++;
  const digitsStart = i;
  while (i < source.length && isDigit(source.charCodeAt(i))) i++;
  if (i === digitsStart) {
    push(c as '+' | '-', start, start + 1); // a lone sign is the operator
    return start + 1;
  }
  if (digitsStart === start && i < source.length && isLetter(source.charCodeAt(i))) {
    return lexWord(source, start, push); // `123abc` is one IDENTIFIER_WITH_NUMBER (longest match)
  }
  const value = Number(source.slice(start, i));
  if (!isInt32(value)) {
    throw new CesqlParseError(`integer literal ${source.slice(start, i)} does not fit in a signed 32-bit integer (SQL-M4)`, source, start);
  }
  push('integer', start, i, '', value | 0); // `| 0`: the literal -0 is the Integer 0
  return i;
}

function lexWord(source: string, start: number, push: Push): number {
  let alnum = start;
  while (alnum < source.length && (isLetter(source.charCodeAt(alnum)) || isDigit(source.charCodeAt(alnum)))) alnum++;
  let letters = start;
  while (letters < source.length && isLetter(source.charCodeAt(letters))) letters++;
  let fn = letters;
  if (letters > start) {
    while (fn < source.length && (isLetter(source.charCodeAt(fn)) || source[fn] === '_')) fn++;
  }
  const word = source.slice(start, alnum);
  if (fn > alnum) {
    // Only FUNCTION_IDENTIFIER_WITH_UNDERSCORE ([A-Z][A-Z_]*) is longer: it has an underscore.
    push('underscored', start, fn, source.slice(start, fn).toUpperCase());
    return fn;
  }
  const upper = word.toUpperCase();
  if (alnum === letters && KEYWORDS.has(upper)) {
    push(upper as TokenKind, start, alnum);
  } else {
    push('identifier', start, alnum, word.toLowerCase(), 0, alnum === letters);
  }
  return alnum;
}
