/**
 * The `to.eventbridge` config of a route (PutEvents to an event bus, issue #5) and its JSON Schema.
 * The schema checks shape; `resolveEventBridgeConfig` checks what a schema cannot and fills in
 * defaults. AWS's limits are configuration with their defaults here, in one place.
 */
import { CausewayError, type TargetLimits } from '../../core/index.js';

/** What goes in an entry's `Detail`: the event's JSON data, or the whole structured CloudEvent. */
export type EventBridgeDetail = 'data' | 'cloudevent';

export interface EventBridgeTargetConfig {
  /** Event bus name or ARN (`EventBusName`). */
  readonly bus: string;
  readonly region: string;
  /** Endpoint override (an emulator, a VPC endpoint); default: the region's public endpoint. */
  readonly endpoint?: string;
  readonly detail?: EventBridgeDetail;
  /** Name of the CloudEvents attribute whose value, when it is an ARN, is the entry's `Resources`. */
  readonly resources?: string;
  /** Events per engine batch; a batch is sent as ⌈n / maxEntriesPerCall⌉ PutEvents calls. */
  readonly maxBatchEvents?: number;
  readonly maxEntriesPerCall?: number;
  /** An entry larger than this (counted as AWS counts it) is dead-lettered, CW_TARGET_PAYLOAD_TOO_LARGE. */
  readonly maxEntryBytes?: number;
  /** The sum of the entry sizes of one PutEvents call. */
  readonly maxRequestBytes?: number;
  /** The wait asked of the engine after throttling: EventBridge sends no Retry-After. */
  readonly throttleRetryAfterMs?: number;
}

/**
 * AWS's numbers (EventBridge API reference, PutEvents and "Calculating PutEvents event entry
 * size"; quotas): at most 10 entries per PutEvents call; since 29 January 2026 an event may be up
 * to 1 MB (it was 256 KB), and the entries of one request together as well. Sizes are counted
 * as AWS counts them (see entrySize in put-events-entry.ts), in binary units like every size here.
 */
export const EVENTBRIDGE_DEFAULTS = {
  detail: 'data',
  maxEntriesPerCall: 10,
  maxEntryBytes: 1024 * 1024,
  maxRequestBytes: 1024 * 1024,
  /** One PutEvents call's worth: the engine's batch is then one call (route concurrency runs calls in parallel). */
  maxBatchEvents: 10,
  /** PutEvents quotas are per-second token buckets: a second lets the bucket refill. */
  throttleRetryAfterMs: 1_000,
} as const;

/** AWS's hard limit on entries per PutEvents call. */
const AWS_MAX_ENTRIES = 10;

export interface ResolvedEventBridgeConfig {
  readonly bus: string;
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly detail: EventBridgeDetail;
  readonly resources: string | undefined;
  readonly maxEntriesPerCall: number;
  readonly maxEntryBytes: number;
  readonly maxRequestBytes: number;
  readonly throttleRetryAfterMs: number;
  readonly limits: TargetLimits;
}

/** PutEventsRequestEntry.EventBusName: a name, or the ARN of a bus. */
const BUS = '^(arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/)?[/.\\-_A-Za-z0-9]{1,256}$';
const REGION = '^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$';
const ATTRIBUTE = '^[a-z0-9]{1,64}$';
const positiveInt = { type: 'integer', minimum: 1 };

export const eventbridgeConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'eventbridge target (PutEvents)',
  type: 'object',
  required: ['bus', 'region'],
  additionalProperties: false,
  properties: {
    bus: { type: 'string', pattern: BUS, description: 'Event bus name or ARN' },
    region: { type: 'string', pattern: REGION, description: 'AWS region, e.g. eu-west-1' },
    endpoint: { type: 'string', pattern: '^[hH][tT][tT][pP][sS]?://[^\\s]+$', description: 'Endpoint override (emulator, VPC endpoint)' },
    detail: {
      enum: ['data', 'cloudevent'],
      default: 'data',
      description: 'Detail = the JSON data (an object), or the whole structured CloudEvent with lineage',
    },
    resources: { type: 'string', pattern: ATTRIBUTE, description: 'Attribute whose value, when an ARN, goes in Resources (e.g. subject)' },
    maxBatchEvents: { ...positiveInt, maximum: 1000 },
    maxEntriesPerCall: { ...positiveInt, maximum: AWS_MAX_ENTRIES },
    maxEntryBytes: positiveInt,
    maxRequestBytes: positiveInt,
    throttleRetryAfterMs: { type: 'integer', minimum: 0, maximum: 600_000 },
  },
} as const;

const invalid = (detail: string): CausewayError => new CausewayError('CW_ROUTE_INVALID', `eventbridge target: ${detail}`);

function checkEndpoint(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`endpoint ${JSON.stringify(raw)} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`endpoint must be http:// or https://, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '')
    throw invalid('endpoint must not carry credentials (the SDK default provider chain supplies them)');
  return raw;
}

export function resolveEventBridgeConfig(c: EventBridgeTargetConfig): ResolvedEventBridgeConfig {
  if (typeof c.bus !== 'string' || !new RegExp(BUS).test(c.bus))
    throw invalid(`bus ${JSON.stringify(c.bus)} is not an event bus name or ARN`);
  if (typeof c.region !== 'string' || !new RegExp(REGION).test(c.region))
    throw invalid(`region ${JSON.stringify(c.region)} is not an AWS region`);
  const detail = c.detail ?? EVENTBRIDGE_DEFAULTS.detail;
  if (detail !== 'data' && detail !== 'cloudevent') throw invalid(`detail must be data or cloudevent, got ${String(detail)}`);
  if (c.resources !== undefined && !new RegExp(ATTRIBUTE).test(c.resources))
    throw invalid(`resources must name a CloudEvents attribute (lower-case letters and digits), got ${JSON.stringify(c.resources)}`);
  for (const k of ['maxBatchEvents', 'maxEntriesPerCall', 'maxEntryBytes', 'maxRequestBytes'] as const) {
    const v = c[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw invalid(`${k} must be a positive integer, got ${String(v)}`);
  }
  const maxEntriesPerCall = c.maxEntriesPerCall ?? EVENTBRIDGE_DEFAULTS.maxEntriesPerCall;
  if (maxEntriesPerCall > AWS_MAX_ENTRIES)
    throw invalid(`maxEntriesPerCall cannot exceed AWS's ${AWS_MAX_ENTRIES} entries per PutEvents call`);
  const throttleRetryAfterMs = c.throttleRetryAfterMs ?? EVENTBRIDGE_DEFAULTS.throttleRetryAfterMs;
  if (!(Number.isInteger(throttleRetryAfterMs) && throttleRetryAfterMs >= 0))
    throw invalid(`throttleRetryAfterMs must be a non-negative integer, got ${String(throttleRetryAfterMs)}`);
  const maxRequestBytes = c.maxRequestBytes ?? EVENTBRIDGE_DEFAULTS.maxRequestBytes;
  // An entry that cannot fit in a request can never be sent.
  const maxEntryBytes = Math.min(c.maxEntryBytes ?? EVENTBRIDGE_DEFAULTS.maxEntryBytes, maxRequestBytes);
  const maxBatchEvents = c.maxBatchEvents ?? EVENTBRIDGE_DEFAULTS.maxBatchEvents;
  return {
    bus: c.bus,
    region: c.region,
    endpoint: checkEndpoint(c.endpoint),
    detail,
    resources: c.resources,
    maxEntriesPerCall,
    maxEntryBytes,
    maxRequestBytes,
    throttleRetryAfterMs,
    limits: {
      maxBatchEvents,
      // A batch is this many calls' worth (the engine's estimate; the target re-counts as AWS does).
      maxBatchBytes: maxRequestBytes * Math.ceil(maxBatchEvents / maxEntriesPerCall),
      maxEventBytes: maxEntryBytes,
    },
  };
}
