export { createHttpApp, type HttpAppDeps } from './create-http-app.js';
export type { AdminService, AdminFact, AdminTopic } from './admin-port.js';
export { toProblem, type Problem } from './problem.js';
