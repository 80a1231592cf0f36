export * from './traceparent.js';
export * from './headers.js';
export { uuidv7 } from './uuid-v7.js';
export { stampIngress, type Caller, type Stamped } from './stamp.js';
