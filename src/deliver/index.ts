/**
 * The delivery engine (DESIGN §6): per-route consumer groups, per-key ordering with parallelism,
 * batching to target limits, bounded retries with backoff and Retry-After, dead letters with
 * context, lineage headers on every delivery, at-least-once commits.
 */
export { createDispatcher, type Dispatcher, type DispatcherOptions } from './dispatcher.js';
export { RouteDispatcher, type RouteDispatcherOptions, type StartPosition } from './route-dispatcher.js';
export {
  routeGroup,
  defaultDeadLetterTopic,
  type BackoffPolicy,
  type BatchPolicy,
  type DeliveryPolicy,
  type DispatchRoute,
  type Ordering,
  type PartitionStatus,
  type RateLimitPolicy,
  type RouteDiff,
  type RouteState,
  type RouteStatus,
} from './types.js';
export { backoffDelay, baseDelay, DEFAULT_RETRY_AFTER_CAP_MS, type BackoffOptions, type Jitter } from './backoff.js';
export { TokenBucket } from './rate-limiter.js';
export { BatchBuilder, batchDue, batchLimits, planBatches, type BatchLimits } from './batcher.js';
export { CommitTracker } from './commit-tracker.js';
export { KeyScheduler, laneOf, type Schedulable } from './key-scheduler.js';
export { DLQ_HEADERS, deadLetterRecord, type DeadLetterContext } from './dead-letter.js';
export { eventBytes, incomingHops, prepareFact, toDelivery, type DeliveryItem, type Prepared } from './delivery-item.js';
export { systemClock, type Clock } from './clock.js';
export {
  noopDeliverMetrics,
  silentLogger,
  type CounterLike,
  type DeliverLabels,
  type DeliverLogger,
  type DeliverMetrics,
  type HistogramLike,
} from './deliver-metrics.js';
