/**
 * Route filters: the CloudEvents Subscriptions API dialects (exact, prefix, suffix, all, any,
 * not, sql) and our `pattern` extension (EventBridge event patterns), all evaluated against an
 * EventView whose data is decoded only when a filter needs it.
 */
export { compileFilter, compileFilters, DIALECTS, MAX_FILTER_DEPTH, type Dialect } from './subscriptions.js';
export type { CompiledFilter, FilterExplanation, FilterFailure, FilterEvaluationError, FilterOptions } from './filter-node.js';
export { FilterError, isFilterError } from './filter-error.js';
export { eventView, decodeEventData, isJsonContentType, type EventView } from './event-view.js';
export { canonicalString } from './attribute-dialects.js';
export {
  compilePattern,
  PatternError,
  MAX_PATTERN_DEPTH,
  NUMERIC_LIMIT,
  OPERATORS as PATTERN_OPERATORS,
  type CompiledPattern,
  type PatternView,
  type PatternExplanation,
} from './pattern/index.js';
