/**
 * Standard Webhooks signatures (standardwebhooks.com, spec v1.0.0, symmetric scheme):
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`,
 * one space-separated entry per key while a secret is being rotated. The timestamp is the time
 * of this attempt in Unix seconds (it changes on every retry; the id does not).
 */
import { createHmac } from 'node:crypto';

export interface WebhookSignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

export function signWebhook(
  keys: readonly Buffer[],
  id: string,
  body: Uint8Array,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): WebhookSignatureHeaders {
  const timestamp = String(nowSeconds);
  // The body is hashed as bytes, never decoded: binary-mode data need not be text.
  const signatures = keys.map((key) => `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`);
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}
