/** The `kafka` (republish) target plug-in. */
export { kafkaTarget, KafkaTarget } from './kafka-target.js';
export { KAFKA_DEFAULTS, kafkaConfigSchema, type KafkaDeliveryMode, type KafkaKeyPolicy, type KafkaTargetConfig } from './kafka-config.js';
