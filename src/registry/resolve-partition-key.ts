import type { CloudEvent } from '../core/index.js';
import type { TypeInfo } from './types.js';
import { getByPointer } from '../codec/index.js';

/**
 * The partition key a type's event.yaml derives for an event (DESIGN §3): a JSON pointer
 * into the parsed data (RFC 6901) or an attribute such as `subject`. Strings are used as they
 * are, numbers and booleans stringified (`42` → "42"); null, objects, arrays and anything
 * missing give undefined (no key: round robin). An event's own `partitionkey` attribute takes
 * precedence over this — that choice is the caller's.
 */
export function resolvePartitionKey(type: TypeInfo, ev: CloudEvent, data: unknown): string | undefined {
  const source = type.partitionKey;
  if (source === undefined) return undefined;
  const value = 'pointer' in source ? getByPointer(data, source.pointer) : ev.attributes[source.attribute];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
