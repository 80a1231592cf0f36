/** The `http` (webhook) target plug-in. */
export { httpTarget, HttpTarget } from './http-target.js';
export { HTTP_DEFAULTS, httpConfigSchema, type HttpDeliveryMode, type HttpTargetConfig } from './http-config.js';
export { parseHttpDate, parseRetryAfter } from './retry-after.js';
export { signWebhook, type WebhookSignatureHeaders } from './signing.js';
