/** The event log implementations (DESIGN §3) and the key partitioner they share. */
export { murmur2, partitionFor, toPositive } from './partitioner.js';
export { openEmbeddedLog, EmbeddedEventLog } from './embedded/index.js';
export type { EmbeddedLogOptions, EmbeddedLogStats } from './embedded/index.js';
export { openKafkaLog, KafkaEventLog } from './kafka/index.js';
export type { KafkaLogLevel, KafkaLogOptions } from './kafka/index.js';
