export { compilePattern, MAX_PATTERN_DEPTH, type CompiledPattern, type PatternView, type PatternExplanation } from './compile-pattern.js';
export { PatternError } from './pattern-error.js';
export { OPERATORS } from './leaf-matchers.js';
export { NUMERIC_LIMIT } from './numeric.js';
