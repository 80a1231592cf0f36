import type { AttributeValue, CloudEvent } from '../core/index.js';

export interface PlainInput {
  readonly type: string;
  readonly body: Uint8Array;
  readonly contentType: string | undefined;
  readonly idempotencyKey: string | undefined;
}

export interface ProducerIdentity {
  /** The deployment's `source` for normalized events, e.g. `/causeway/http`. */
  readonly source: string;
  readonly mintId: () => string;
  readonly now: () => Date;
}

/**
 * A plain (non-CloudEvents) body becomes a CloudEvent with Causeway as the producer:
 * `id` is the Idempotency-Key header or a fresh UUIDv7 (CORE-M7), `source` the configured one,
 * `time` and `recordedtime` the moment of creation — one documented rule for every source
 * (CORE-M27, EXT-REC-N1), `datacontenttype` from Content-Type (JSON when absent, JSON-S1).
 * The body stays the data bytes as received (JSON-N4).
 */
export function normalizePlain(input: PlainInput, producer: ProducerIdentity): CloudEvent {
  const now = producer.now().toISOString();
  const attributes: Record<string, AttributeValue> = {
    specversion: '1.0',
    id: input.idempotencyKey ?? producer.mintId(),
    source: producer.source,
    type: input.type,
    time: now,
    recordedtime: now,
    datacontenttype: input.contentType ?? 'application/json',
  };
  return { attributes, data: input.body.length > 0 ? input.body : undefined };
}
