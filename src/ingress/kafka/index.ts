export {
  createKafkaIngress,
  type IngressLogger,
  type KafkaIngress,
  type KafkaIngressOptions,
  type KafkaIngressState,
  type KafkaIngressStatus,
} from './kafka-ingress.js';
export { processBatch, classify, KAFKA_AUTHTYPE, type BatchDeps, type BatchOutcome } from './process-batch.js';
export { DEAD_LETTER_HEADERS, describeError, toDeadLetter, type OutboundRecord } from './dead-letter.js';
export { toKafkaRecord, toMessage } from './kafka-util.js';
