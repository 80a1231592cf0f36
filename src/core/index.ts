export * from './cloud-event.js';
export * from './fact.js';
export * from './ports.js';
export * from './errors.js';
export * from './accept-port.js';
export * from './target-port.js';
