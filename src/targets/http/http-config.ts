/**
 * The `to.http` config of a route (webhook delivery, spec digest §3–4) and its JSON Schema.
 * The schema checks shape; `resolveHttpConfig` checks what a schema cannot (the URL parses, the
 * signing secret exists in the environment) and fills in defaults.
 */
import { CausewayError, type TargetLimits } from '../../core/index.js';

export type HttpDeliveryMode = 'binary' | 'structured' | 'batch';

export interface HttpTargetConfig {
  /** `https://…` (HOOK-M1); `http://` is allowed for local and private receivers. */
  readonly url: string;
  /** CloudEvents content mode (default binary). `batch` only when the receiver asked for it (HTTP-M14). */
  readonly mode?: HttpDeliveryMode;
  /** Static headers sent with every request, e.g. `authorization: Bearer …` (HOOK-M9). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Standard Webhooks signing; the secret (`whsec_<base64>`) is read from `env[secretEnv]`. */
  readonly signing?: { readonly secretEnv: string };
  /** Largest batch the engine hands over (batch mode: events per request; HTTP-S2). */
  readonly maxBatchEvents?: number;
  readonly maxBatchBytes?: number;
  /** Larger events are dead-lettered with CW_TARGET_PAYLOAD_TOO_LARGE. */
  readonly maxEventBytes?: number;
  /** Keep-alive connections to the receiver (also the per-batch request concurrency). */
  readonly connections?: number;
}

export const HTTP_DEFAULTS = {
  mode: 'binary',
  connections: 16,
  maxEventBytes: 1024 * 1024,
  /** binary/structured: a batch is only a unit of work (one request per event). */
  maxBatchEvents: 100,
  maxBatchBytes: 5 * 1024 * 1024,
  /** batch mode: one request per batch, so its body size; kept at Causeway's own ingress limit. */
  batchModeMaxBatchBytes: 1024 * 1024,
} as const;

export interface ResolvedHttpConfig {
  readonly url: URL;
  readonly mode: HttpDeliveryMode;
  readonly headers: Readonly<Record<string, string>>;
  /** Decoded Standard Webhooks keys: one signature per key (several while rotating). */
  readonly signingKeys: readonly Buffer[];
  readonly connections: number;
  readonly limits: TargetLimits;
}

const TOKEN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
const FIELD_VALUE = '^[\\t\\x20-\\x7e]*$';
const positiveInt = { type: 'integer', minimum: 1 };

/** Header names a route may not set: the target owns them. */
const RESERVED =
  /^(ce-.*|content-type|content-length|transfer-encoding|connection|keep-alive|host|upgrade|te|trailer|webhook-.*|traceparent|tracestate|causeway-.*|idempotency-key)$/;

/** `ab` → `[aA][bB]`: JSON Schema patterns have no flags, and Node 20 has no `(?i:…)`. */
const caseless = (re: string): string => re.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);

export const httpConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'http target (webhook)',
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', pattern: '^[hH][tT][tT][pP][sS]?://[^\\s]+$', description: 'Receiver URL (https:// or http://)' },
    mode: { enum: ['binary', 'structured', 'batch'], default: 'binary', description: 'CloudEvents HTTP content mode' },
    headers: {
      type: 'object',
      propertyNames: { pattern: TOKEN, not: { pattern: caseless(RESERVED.source) } },
      additionalProperties: { type: 'string', pattern: FIELD_VALUE },
      description: 'Static headers (not ce-*, content-type, webhook-*, traceparent, causeway-*, idempotency-key)',
    },
    signing: {
      type: 'object',
      required: ['secretEnv'],
      additionalProperties: false,
      properties: {
        secretEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Environment variable holding whsec_<base64>' },
      },
    },
    maxBatchEvents: { ...positiveInt, maximum: 1000 },
    maxBatchBytes: positiveInt,
    maxEventBytes: positiveInt,
    connections: { ...positiveInt, maximum: 1024 },
  },
} as const;

const invalid = (detail: string): CausewayError => new CausewayError('CW_ROUTE_INVALID', `http target: ${detail}`);

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`url ${JSON.stringify(raw)} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`url must be http:// or https://, got ${url.protocol}`);
  // HOOK-M9 allows bearer tokens only; credentials in the URL would be sent as Basic auth.
  if (url.username !== '' || url.password !== '') throw invalid('url must not carry credentials; use headers.authorization');
  if (url.hash !== '') throw invalid('url must not have a #fragment');
  return url;
}

/** Standard Webhooks: `whsec_` + base64 of 24–512 random bytes; several separated by spaces while rotating. */
function signingKeys(secretEnv: string, env: Readonly<Record<string, string | undefined>>): Buffer[] {
  const raw = env[secretEnv];
  if (raw === undefined || raw.trim() === '') throw invalid(`signing secret environment variable ${secretEnv} is not set`);
  return raw
    .trim()
    .split(/\s+/)
    .map((secret, i) => {
      const b64 = secret.startsWith('whsec_') ? secret.slice(6) : undefined;
      const key = b64 !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, 'base64') : undefined;
      if (key === undefined || key.length < 24 || key.length > 512) {
        // Never echo the secret itself.
        throw invalid(`${secretEnv} secret #${i + 1} must be whsec_ followed by base64 of 24 to 512 bytes`);
      }
      return key;
    });
}

function staticHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (!new RegExp(TOKEN).test(name)) throw invalid(`header name ${JSON.stringify(name)} is not a valid HTTP token`);
    if (RESERVED.test(lower)) throw invalid(`header ${name} is set by the target and cannot be configured`);
    if (!new RegExp(FIELD_VALUE).test(value)) throw invalid(`header ${name} has characters not allowed in an HTTP header value`);
    if (lower in out) throw invalid(`header ${name} is given twice`);
    out[lower] = value;
  }
  return out;
}

export function resolveHttpConfig(c: HttpTargetConfig, env: Readonly<Record<string, string | undefined>>): ResolvedHttpConfig {
  const mode = c.mode ?? HTTP_DEFAULTS.mode;
  if (mode !== 'binary' && mode !== 'structured' && mode !== 'batch')
    throw invalid(`mode must be binary, structured or batch, got ${String(mode)}`);
  for (const k of ['maxBatchEvents', 'maxBatchBytes', 'maxEventBytes', 'connections'] as const) {
    const v = c[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw invalid(`${k} must be a positive integer, got ${String(v)}`);
  }
  const maxBatchBytes = c.maxBatchBytes ?? (mode === 'batch' ? HTTP_DEFAULTS.batchModeMaxBatchBytes : HTTP_DEFAULTS.maxBatchBytes);
  return {
    url: parseUrl(c.url),
    mode,
    headers: staticHeaders(c.headers),
    signingKeys: c.signing === undefined ? [] : signingKeys(c.signing.secretEnv, env),
    connections: c.connections ?? HTTP_DEFAULTS.connections,
    limits: {
      maxBatchEvents: c.maxBatchEvents ?? HTTP_DEFAULTS.maxBatchEvents,
      maxBatchBytes,
      // An event that cannot fit in a batch can never be sent.
      maxEventBytes: Math.min(c.maxEventBytes ?? HTTP_DEFAULTS.maxEventBytes, maxBatchBytes),
    },
  };
}
