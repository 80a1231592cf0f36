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
}

export interface HttpMessage {
  /** Node's `req.headersDistinct`: lower-case names, every value (CORE-M2 needs duplicates). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Uint8Array;
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
