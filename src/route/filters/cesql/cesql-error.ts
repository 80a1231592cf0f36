import type { CesqlValue } from './cesql-value.js';

/**
 * The seven error kinds every CESQL engine MUST support (SQL-M11). The names are the ones the
 * TCK uses in its `error:` field, so a test can compare them directly.
 */
export type CesqlErrorKind = 'parse' | 'math' | 'cast' | 'missingAttribute' | 'missingFunction' | 'functionEvaluation' | 'generic';

export interface CesqlErrorOptions {
  /** 0-based offset in the expression text of the token or sub-expression at fault. */
  readonly position?: number;
  /**
   * Only for errors thrown by function implementations: the value the function returns
   * together with the error (SQL-N2: `LEFT('abc', -2)` gives `'abc'` plus the error).
   */
  readonly value?: CesqlValue;
  readonly cause?: unknown;
}

export class CesqlError extends Error {
  readonly kind: CesqlErrorKind;
  readonly position: number | undefined;
  readonly value: CesqlValue | undefined;

  constructor(kind: CesqlErrorKind, message: string, opts: CesqlErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CesqlError';
    this.kind = kind;
    this.position = opts.position;
    this.value = opts.value;
  }
}

/** Thrown by `compileCesql` (and `lintCesql`); the message ends with `(line L, column C)`. */
export class CesqlParseError extends CesqlError {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 units. */
  readonly column: number;

  constructor(detail: string, source: string, position: number) {
    const { line, column } = lineAndColumn(source, position);
    super('parse', `CESQL parse error: ${detail} (line ${line}, column ${column})`, { position });
    this.name = 'CesqlParseError';
    this.line = line;
    this.column = column;
  }
}

export class CesqlMathError extends CesqlError {
  constructor(message: string, opts?: CesqlErrorOptions) {
    super('math', message, opts);
    this.name = 'CesqlMathError';
  }
}

export class CesqlCastError extends CesqlError {
  constructor(message: string, opts?: CesqlErrorOptions) {
    super('cast', message, opts);
    this.name = 'CesqlCastError';
  }
}

export class CesqlMissingAttributeError extends CesqlError {
  constructor(message: string, opts?: CesqlErrorOptions) {
    super('missingAttribute', message, opts);
    this.name = 'CesqlMissingAttributeError';
  }
}

export class CesqlMissingFunctionError extends CesqlError {
  constructor(message: string, opts?: CesqlErrorOptions) {
    super('missingFunction', message, opts);
    this.name = 'CesqlMissingFunctionError';
  }
}

export class CesqlFunctionEvaluationError extends CesqlError {
  constructor(message: string, opts?: CesqlErrorOptions) {
    super('functionEvaluation', message, opts);
    this.name = 'CesqlFunctionEvaluationError';
  }
}

export class CesqlGenericError extends CesqlError {
  constructor(message: string, opts?: CesqlErrorOptions) {
    super('generic', message, opts);
    this.name = 'CesqlGenericError';
  }
}

/** Builds the error class that matches `kind` (evaluation errors only; parse errors need the source). */
export function makeCesqlError(kind: Exclude<CesqlErrorKind, 'parse'>, message: string, position?: number): CesqlError {
  const opts = position === undefined ? {} : { position };
  switch (kind) {
    case 'math':
      return new CesqlMathError(message, opts);
    case 'cast':
      return new CesqlCastError(message, opts);
    case 'missingAttribute':
      return new CesqlMissingAttributeError(message, opts);
    case 'missingFunction':
      return new CesqlMissingFunctionError(message, opts);
    case 'functionEvaluation':
      return new CesqlFunctionEvaluationError(message, opts);
    case 'generic':
      return new CesqlGenericError(message, opts);
  }
}

/** 1-based line and column (UTF-16 units) of a 0-based offset. */
export function lineAndColumn(source: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(position, source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}
