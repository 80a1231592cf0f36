export { EmbeddedEventLog, openEmbeddedLog } from './embedded-event-log.js';
export type { EmbeddedLogOptions, EmbeddedLogStats } from './embedded-event-log.js';
