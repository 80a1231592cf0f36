import type { CloudEvent, Position } from './cloud-event.js';

/** What a transport hands to the accept side, before any decoding. */
export interface TransportMeta {
  /** `http` or `kafka://topic/partition/offset` (DESIGN §7). */
  readonly ingress: string;
  /** Inbound protocol `traceparent` header, continued by the fact's trace (EXT-TRACE-N2). */
  readonly traceparent: string | undefined;
  /** Authenticated caller (EXT-AUTH-M1); `unauthenticated` until auth exists. */
  readonly authtype: string;
  readonly authid?: string;
  /**
   * `causeway-hops` of an event a route delivered back into Causeway (DESIGN §7): stored with the
   * fact so the router can stop loops. Undefined for first-hand input.
   */
  readonly hops?: number;
}

export interface HttpMessage {
  /** Node's `req.headersDistinct`: lower-case names, every value (CORE-M2 needs duplicates). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Uint8Array;
}

/**
 * One record consumed from a raw Kafka topic by the Kafka ingress, before any decoding.
 * Headers keep record order and repeats (CORE-M2 needs duplicates); a null header value stays null.
 */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Record timestamp in ms since the epoch; negative when the record carries none. */
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: ReadonlyArray<readonly [string, Uint8Array | null]>;
}

export interface Accepted extends Position {
  readonly id: string;
  readonly source: string;
  /** True when source+id was already stored inside the dedupe window (CORE-N1). */
  readonly duplicate: boolean;
}

/** The accept side as the transports see it (implemented in app/accept.ts). */
export interface AcceptService {
  /** POST /events: binary, structured or batch mode. Rejects with CausewayError. */
  acceptHttp(msg: HttpMessage, meta: TransportMeta): Promise<{ mode: 'binary' | 'structured' | 'batch'; accepted: Accepted[] }>;
  /**
   * One already-decoded CloudEvent (the Kafka ingress decodes records itself): validated against
   * schemas/, stamped and stored exactly like HTTP input. Rejects with CausewayError.
   */
  acceptEvent(event: CloudEvent, meta: TransportMeta): Promise<Accepted>;
  /** POST /events/{type}: plain body, Causeway is the producer. */
  acceptPlain(type: string, msg: HttpMessage, meta: TransportMeta): Promise<Accepted>;
}
