export * from './config.js';
export { CONFIG_SCHEMA } from './config-schema.js';
export { loadConfig } from './load-config.js';
