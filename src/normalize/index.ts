export { normalizePlain, type PlainInput, type ProducerIdentity } from './normalize-plain.js';
export {
  kafkaRecordId,
  normalizeKafkaRecord,
  type KafkaFieldRef,
  type KafkaRecordMapping,
  type KafkaRecordRule,
  type MappedAttribute,
} from './kafka-record.js';
