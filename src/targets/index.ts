/**
 * Delivery target plug-ins (DESIGN §6), keyed by the `to:` kind of a route. Every target passes
 * test/contract/target.contract.ts.
 */
import type { TargetPlugin } from '../core/index.js';
import { eventbridgeTarget } from './eventbridge/index.js';
import { httpTarget } from './http/index.js';
import { kafkaTarget } from './kafka/index.js';
import { lambdaTarget } from './lambda/index.js';

export { httpTarget, HTTP_DEFAULTS, type HttpDeliveryMode, type HttpTargetConfig } from './http/index.js';
export { kafkaTarget, KAFKA_DEFAULTS, type KafkaDeliveryMode, type KafkaKeyPolicy, type KafkaTargetConfig } from './kafka/index.js';
export {
  lambdaTarget,
  LAMBDA_DEFAULTS,
  type LambdaInvocation,
  type LambdaPayload,
  type LambdaTargetConfig,
} from './lambda/index.js';
export {
  eventbridgeTarget,
  EVENTBRIDGE_DEFAULTS,
  type EventBridgeDetail,
  type EventBridgeTargetConfig,
} from './eventbridge/index.js';
export { IDEMPOTENCY_KEY_HEADER } from './outcomes.js';
export { IDEMPOTENCY_ATTRIBUTE, lineageAttribute, withHopAttributes } from './hop-attributes.js';

export const TARGET_PLUGINS: ReadonlyMap<string, TargetPlugin> = new Map<string, TargetPlugin>([
  [httpTarget.kind, httpTarget as TargetPlugin],
  [kafkaTarget.kind, kafkaTarget as TargetPlugin],
  [lambdaTarget.kind, lambdaTarget as TargetPlugin],
  [eventbridgeTarget.kind, eventbridgeTarget as TargetPlugin],
]);
