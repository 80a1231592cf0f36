export { start, openEventLog, type Running } from './wiring.js';
export { createAcceptService, type AcceptDeps } from './accept.js';
export { createAdminService, renderFact } from './admin.js';
export { DedupeWindow } from './dedupe-window.js';
