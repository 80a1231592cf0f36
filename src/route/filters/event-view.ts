import { isJsonContentType as codecIsJson } from '../../codec/index.js';
/**
 * What filters look at: the attributes as they are, and the data decoded only when a filter asks
 * for it. Most routes filter on attributes alone, so the data bytes of most events are never
 * decoded on the routing path.
 */
import type { AttributeValue, CloudEvent } from '../../core/index.js';

export interface EventView {
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** The decoded data (see eventView); never throws. */
  data(): unknown;
}

/** One JSON-detection rule for the whole product (JSON-M5): the codec's. Re-exported for filter users. */
export function isJsonContentType(contentType: string): boolean {
  return codecIsJson(contentType);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decodes event data for filtering. JSON content type, or none (JSON-S1): the parsed JSON value
 * (`null` included), or undefined when it does not parse. Any other content type: the data as
 * a UTF-8 string, or undefined when it is not valid UTF-8. No data: undefined.
 */
export function decodeEventData(ev: CloudEvent): unknown {
  if (ev.data === undefined) return undefined;
  const text = decodeText(ev.data);
  if (text === undefined) return undefined;
  const ct = ev.attributes['datacontenttype'];
  if (ct !== undefined && !isJsonContentType(String(ct))) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A view of `ev` whose data() decodes once, on first call, and then returns the same value. */
export function eventView(ev: CloudEvent): EventView {
  let decoded = false;
  let value: unknown;
  return {
    attributes: ev.attributes,
    data() {
      if (!decoded) {
        decoded = true;
        value = decodeEventData(ev);
      }
      return value;
    },
  };
}

/** Wraps any view so that its data() is called at most once (used per evaluation by compiled filters). */
export function memoizeData(view: EventView): EventView {
  let decoded = false;
  let value: unknown;
  return {
    attributes: view.attributes,
    data() {
      if (!decoded) {
        decoded = true; // if data() throws, the caller counts the error once; later calls see no data
        value = view.data();
      }
      return value;
    },
  };
}
