/**
 * Errors are data (DESIGN §10.4): every failure Causeway reports has a stable CW_* code,
 * an HTTP status and whether retrying the same request can succeed. docs/errors.md
 * documents every code; test/unit/errors-doc.test.ts keeps the two in sync.
 */
export const ERROR_CODES = {
  CW_MALFORMED_JSON: { status: 400, retriable: false, title: 'Malformed JSON' },
  CW_MISSING_ATTRIBUTE: { status: 400, retriable: false, title: 'Required attribute missing' },
  CW_INVALID_ATTRIBUTE: { status: 400, retriable: false, title: 'Invalid attribute value' },
  CW_INVALID_ATTRIBUTE_NAME: { status: 400, retriable: false, title: 'Invalid attribute name' },
  CW_DUPLICATE_ATTRIBUTE: { status: 400, retriable: false, title: 'Attribute given more than once' },
  CW_UNSUPPORTED_SPECVERSION: { status: 400, retriable: false, title: 'Unsupported specversion' },
  CW_INVALID_HEADER_ENCODING: { status: 400, retriable: false, title: 'Invalid header percent-encoding' },
  CW_INVALID_DATA: { status: 400, retriable: false, title: 'Data does not match its content type' },
  CW_INVALID_BATCH: { status: 400, retriable: false, title: 'Invalid batch' },
  CW_MIXED_SPECVERSION: { status: 400, retriable: false, title: 'Batch mixes specversions' },
  CW_INVALID_REQUEST: { status: 400, retriable: false, title: 'Invalid request' },
  CW_BODY_TOO_LARGE: { status: 413, retriable: false, title: 'Body too large' },
  CW_UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false, title: 'Unsupported content mode or event format' },
  CW_SCHEMA_VIOLATION: { status: 422, retriable: false, title: 'Data violates its schema' },
  CW_UNKNOWN_TYPE: { status: 422, retriable: false, title: 'Unknown event type' },
  CW_UNKNOWN_DATASCHEMA: { status: 422, retriable: false, title: 'Unknown dataschema' },
  CW_NOT_FOUND: { status: 404, retriable: false, title: 'Not found' },
  CW_EVENTLOG_UNAVAILABLE: { status: 503, retriable: true, title: 'Event log cannot confirm the write' },
  CW_SHUTTING_DOWN: { status: 503, retriable: true, title: 'Shutting down' },
  CW_TARGET_UNAVAILABLE: { status: 502, retriable: true, title: 'Target unreachable or failing' },
  CW_TARGET_THROTTLED: { status: 429, retriable: true, title: 'Target throttled the delivery' },
  CW_TARGET_TIMEOUT: { status: 504, retriable: true, title: 'Target did not answer in time' },
  CW_TARGET_REJECTED: { status: 502, retriable: false, title: 'Target rejected the event' },
  CW_TARGET_GONE: { status: 410, retriable: false, title: 'Target is gone; route disabled' },
  CW_TARGET_PAYLOAD_TOO_LARGE: { status: 413, retriable: false, title: 'Event too large for the target' },
  CW_TARGET_FUNCTION_ERROR: { status: 502, retriable: true, title: 'The function reported an error' },
  CW_RETRIES_EXHAUSTED: { status: 502, retriable: false, title: 'Delivery retries exhausted' },
  CW_HOP_LIMIT: { status: 508, retriable: false, title: 'Event exceeded the hop limit (routing loop)' },
  CW_ROUTE_INVALID: { status: 500, retriable: false, title: 'Invalid routing rules' },
  CW_INGRESS_INVALID_RECORD: { status: 400, retriable: false, title: 'Kafka record cannot be normalized' },
  CW_INGRESS_UNAVAILABLE: { status: 503, retriable: true, title: 'Kafka ingress cannot reach its brokers' },
  CW_INTERNAL: { status: 500, retriable: true, title: 'Internal error' },
  CW_CONFIG_INVALID: { status: 500, retriable: false, title: 'Invalid configuration' },
  CW_SCHEMA_INVALID: { status: 500, retriable: false, title: 'Invalid schema registry' },
} as const satisfies Record<string, { status: number; retriable: boolean; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorItem {
  /** JSON pointer or attribute path: `/data/amount`, `id`, `[3]/source`. */
  readonly path: string;
  readonly message: string;
  readonly code?: ErrorCode;
}

export class CausewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retriable: boolean;
  readonly errors: readonly ErrorItem[];
  /** Seconds, for 429/503 answers. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, detail: string, opts: { errors?: readonly ErrorItem[]; retryAfter?: number; cause?: unknown } = {}) {
    super(detail, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CausewayError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.retriable = ERROR_CODES[code].retriable;
    this.errors = opts.errors ?? [];
    this.retryAfter = opts.retryAfter;
  }
}

export const isCausewayError = (e: unknown): e is CausewayError => e instanceof CausewayError;
