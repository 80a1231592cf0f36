/**
 * Delivery target plug-ins (DESIGN §6), keyed by the `to:` kind of a route. Every target passes
 * test/contract/target.contract.ts.
 */
import type { TargetPlugin } from '../core/index.js';
import { httpTarget } from './http/index.js';
import { kafkaTarget } from './kafka/index.js';

export { httpTarget, HTTP_DEFAULTS, type HttpDeliveryMode, type HttpTargetConfig } from './http/index.js';
export { kafkaTarget, KAFKA_DEFAULTS, type KafkaDeliveryMode, type KafkaKeyPolicy, type KafkaTargetConfig } from './kafka/index.js';
export { IDEMPOTENCY_KEY_HEADER } from './outcomes.js';

export const TARGET_PLUGINS: ReadonlyMap<string, TargetPlugin> = new Map<string, TargetPlugin>([
  [httpTarget.kind, httpTarget as TargetPlugin],
  [kafkaTarget.kind, kafkaTarget as TargetPlugin],
]);
