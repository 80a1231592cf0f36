/**
 * One delivery as one PutEvents entry (issue #5; docs/targets.md has the table and an example),
 * and its size as AWS counts it. Pure: the SDK client lives in eventbridge-target.ts.
 *
 *   Source = CE source, DetailType = CE type, Time = CE time, EventBusName = the route's bus,
 *   Detail = the JSON data (detail: data) or the structured CloudEvent + lineage (detail: cloudevent),
 *   Resources = [the configured attribute's value] when it is an ARN,
 *   TraceHeader = the hop's traceparent as an X-Ray trace header.
 */
import { canonicalString, encodeStructuredEvent, isJsonContentType } from '../../codec/index.js';
import type { Delivery, ItemOutcome } from '../../core/index.js';
import { withHopAttributes } from '../hop-attributes.js';
import { printable, reject } from '../outcomes.js';
import type { EventBridgeDetail } from './eventbridge-config.js';
import { xrayTraceHeader } from './trace-header.js';

/** The fields of a PutEventsRequestEntry this target sets (the SDK's type, without the SDK). */
export interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
  readonly Time?: Date;
  readonly Resources?: string[];
  readonly TraceHeader?: string;
}

export interface EntryOptions {
  readonly bus: string;
  readonly detail: EventBridgeDetail;
  readonly resources: string | undefined;
  readonly maxEntryBytes: number;
}

export type Mapped =
  { readonly ok: true; readonly entry: PutEventsEntry; readonly size: number } | { readonly ok: false; readonly outcome: ItemOutcome };

/**
 * AWS's count ("Calculating PutEvents event entry size"): Time is 14 bytes when set; Source,
 * DetailType, Detail and each Resources entry their UTF-8 length. TraceHeader does not count
 * (EventBridge's X-Ray page), nor does EventBusName.
 */
export function entrySize(e: PutEventsEntry): number {
  let size = e.Time === undefined ? 0 : 14;
  size += Buffer.byteLength(e.Source, 'utf8') + Buffer.byteLength(e.DetailType, 'utf8') + Buffer.byteLength(e.Detail, 'utf8');
  for (const r of e.Resources ?? []) size += Buffer.byteLength(r, 'utf8');
  return size;
}

/** arn:partition:service:region:account:resource; region and account may be empty (S3). */
const ARN = /^arn:aws[a-z-]*:[A-Za-z0-9-]+:[a-z0-9-]*:([0-9]{12}|aws)?:\S+$/;
export const isArn = (s: string): boolean => s.length <= 1600 && ARN.test(s);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const useCloudevent = 'set `detail: cloudevent` on the route to send the whole event instead';

/** detail: data — the data must be a JSON object: EventBridge's Detail is one, and AWS ignores other JSON values. */
function dataDetail(d: Delivery): string | ItemOutcome {
  const data = d.event.data;
  // No data: an empty detail, as AWS's own events without details have.
  if (data === undefined) return '{}';
  const ct = d.event.attributes['datacontenttype'];
  if (ct !== undefined && !isJsonContentType(String(ct))) {
    return reject(
      'CW_TARGET_REJECTED',
      `data of type ${printable(String(ct), 100)} cannot be EventBridge's Detail, which is JSON: ${useCloudevent}`,
    );
  }
  let text: string;
  let value: unknown;
  try {
    text = strictUtf8.decode(data);
    value = JSON.parse(text);
  } catch {
    return reject('CW_TARGET_REJECTED', `the data is not JSON, and EventBridge's Detail must be a JSON object: ${useCloudevent}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return reject('CW_TARGET_REJECTED', `the data is JSON ${kind}, but EventBridge's Detail must be a JSON object: ${useCloudevent}`);
  }
  return text; // verbatim: the bytes are the producer's (JSON-N4)
}

/** detail: cloudevent — the structured event (data_base64 for binary data) plus the hop lineage and idempotency key. */
function cloudeventDetail(d: Delivery): string | ItemOutcome {
  try {
    return Buffer.from(encodeStructuredEvent({ attributes: withHopAttributes(d), data: d.event.data })).toString('utf8');
  } catch (e) {
    return reject('CW_TARGET_REJECTED', `cannot encode the event: ${printable((e as Error).message)}`);
  }
}

function resourcesOf(d: Delivery, attribute: string | undefined): string[] | undefined {
  if (attribute === undefined) return undefined;
  const v = d.event.attributes[attribute];
  const s = v === undefined ? undefined : canonicalString(v);
  // Only ARNs: EventBridge documents Resources as the ARNs the event concerns.
  return s !== undefined && isArn(s) ? [s] : undefined;
}

function timeOf(d: Delivery): Date | undefined {
  const t = d.event.attributes['time'];
  if (t === undefined) return undefined;
  const ms = Date.parse(canonicalString(t));
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export function putEventsEntry(d: Delivery, o: EntryOptions): Mapped {
  const detail = o.detail === 'cloudevent' ? cloudeventDetail(d) : dataDetail(d);
  if (typeof detail !== 'string') return { ok: false, outcome: detail };
  const time = timeOf(d);
  const resources = resourcesOf(d, o.resources);
  const trace = xrayTraceHeader(d.lineage['traceparent']);
  const entry: PutEventsEntry = {
    Source: canonicalString(d.event.attributes['source'] ?? ''),
    DetailType: canonicalString(d.event.attributes['type'] ?? ''),
    Detail: detail,
    EventBusName: o.bus,
    ...(time !== undefined && { Time: time }),
    ...(resources !== undefined && { Resources: resources }),
    ...(trace !== undefined && { TraceHeader: trace }),
  };
  const size = entrySize(entry);
  if (size > o.maxEntryBytes) {
    return {
      ok: false,
      outcome: reject(
        'CW_TARGET_PAYLOAD_TOO_LARGE',
        `EventBridge entry of ${size} bytes (as AWS counts it: Source + DetailType + Detail + Resources + 14 for Time) exceeds the limit of ${o.maxEntryBytes} bytes`,
      ),
    };
  }
  return { ok: true, entry, size };
}
