export { createHttpApp, type HttpAppDeps } from './create-http-app.js';
export { fastIntakeServer } from './fast-intake.js';
export type { AdminService, AdminFact, AdminTopic } from './admin-port.js';
export { toProblem, type Problem } from './problem.js';
