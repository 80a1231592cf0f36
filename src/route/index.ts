/**
 * Routing rules (DESIGN §5): routes/*.yaml loaded, validated and compiled (loadRoutes), watched
 * and hot-swapped (watchRoutes), matched and explained (matchRoutes), tested by cases files
 * (runRouteCases), and the route CLI commands. Filters live in ./filters.
 */
export { loadRoutes, listRouteFiles, type LoadRoutesOptions } from './load-routes.js';
export { watchRoutes, type RouteWatcher, type RouteWatcherOptions, type RouteWatcherStatus, type ReloadResult } from './route-watcher.js';
export { diffRouteSets, isEmptyDiff } from './diff-route-sets.js';
export { matchRoutes, describeFailure, type RouteMatch } from './match.js';
export { routesReport, summarizeRoute, type RoutesReport, type RouteSummary } from './route-report.js';
export { runRouteCases, CASES_FILE_SCHEMA, type CaseFailure, type CasesResult } from './route-cases.js';
export { routesCheck, routesTest, filterEval, type CliResult, type RouteCliOptions } from './cli.js';
export {
  routeFileSchema,
  deadLetterTopicFor,
  DELIVERY_DEFAULTS,
  ROUTE_ID_PATTERN,
  TOPIC_PATTERN,
  ORDERINGS,
  BACKOFF_POLICIES,
  type TargetSchema,
  type TargetSchemas,
} from './route-schema.js';
export { parseDuration, parseSize, DURATION_PATTERN, SIZE_PATTERN, MAX_DURATION_MS } from './parse-duration.js';
export { formatProblem, formatProblemPath, routeProblems } from './route-problem.js';
export type { BackoffPolicy, CompiledRoute, DeliveryOptions, Ordering, RouteDiff, RouteProblem, RouteSet } from './types.js';
export * from './filters/index.js';
