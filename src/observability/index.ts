export { Metrics } from './metrics.js';
export { createLogger, type Logger, type Level } from './logger.js';
