/**
 * The in-memory CloudEvent model. Attributes are kept as their canonical value
 * (CORE-N3): Integer as number, Boolean as boolean, everything else (String, URI,
 * URI-reference, Timestamp, Binary as Base64) as the string that was received.
 * `data` is the data bytes exactly as received (JSON-N4): never re-serialized.
 */
export type AttributeValue = string | number | boolean;

export interface CloudEvent {
  /** Every context attribute, core and extension, `data` excluded (CORE-M14). */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** Data bytes as received; `undefined` means the event has no data. */
  readonly data: Uint8Array | undefined;
}

/** Where a fact sits in the log. */
export interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export const REQUIRED_ATTRIBUTES = ['id', 'source', 'specversion', 'type'] as const;
