export { KafkaEventLog, openKafkaLog } from './kafka-event-log.js';
export type { KafkaLogLevel, KafkaLogOptions } from './kafka-event-log.js';
