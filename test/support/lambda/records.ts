/**
 * Reading back what the test handlers recorded (handlers/recording.mjs) and decoding the two
 * payload shapes of the lambda target into what a far end received (the Target contract's
 * ReceivedEvent). Written from the documented shapes (docs/targets.md), not from src/: the
 * attribute and header names are spelled out here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { decodeKafka, parseBatch } from '../../../src/codec/index.js';
import type { AttributeValue } from '../../../src/core/index.js';
import type { ReceivedEvent } from '../../contract/target-helpers.js';

export interface RecordedInvocation {
  readonly requestId: string;
  readonly functionArn: string;
  readonly clientContext: { custom?: Record<string, string> } | null;
  /** The payload bytes exactly as the function received them. */
  readonly payload: Buffer;
  readonly at: number;
}

export function readRecorded(file: string): RecordedInvocation[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const r = JSON.parse(l) as Omit<RecordedInvocation, 'payload'> & { payload: string };
      return { ...r, payload: Buffer.from(r.payload, 'base64') };
    });
}

/** cloudevents payload: lineage extension attribute → the lineage header it carries. */
export const LINEAGE_ATTRIBUTES: Readonly<Record<string, string>> = {
  causewaytraceparent: 'traceparent',
  causewayfact: 'causeway-fact',
  causewayroute: 'causeway-route',
  causewayattempt: 'causeway-attempt',
  causewayhops: 'causeway-hops',
};
export const IDEMPOTENCY_ATTRIBUTE = 'causewayidempotency';

export function receivedFromCloudEvents(payload: Uint8Array): ReceivedEvent[] {
  return parseBatch(payload).map((ev) => {
    const attributes: Record<string, AttributeValue> = {};
    const lineage: Record<string, string> = {};
    let idempotencyKey: string | undefined;
    for (const [name, value] of Object.entries(ev.attributes)) {
      const header = LINEAGE_ATTRIBUTES[name];
      if (header !== undefined) lineage[header] = String(value);
      else if (name === IDEMPOTENCY_ATTRIBUTE) idempotencyKey = String(value);
      else attributes[name] = value;
    }
    return { event: { attributes, data: ev.data }, lineage, idempotencyKey };
  });
}

export interface KafkaRecordJson {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: string;
  readonly key?: string;
  readonly value?: string;
  readonly headers: ReadonlyArray<Record<string, number[]>>;
}

export interface KafkaEventJson {
  readonly eventSource: string;
  readonly eventSourceArn?: string;
  readonly bootstrapServers?: string;
  readonly records: Record<string, KafkaRecordJson[]>;
}

/** A record's headers as [name, UTF-8 text] pairs, in order. */
export const recordHeaders = (r: KafkaRecordJson): Array<[string, string]> =>
  r.headers.map((h) => {
    const [name, bytes] = Object.entries(h)[0] as [string, number[]];
    return [name, Buffer.from(bytes).toString('utf8')];
  });

export function receivedFromKafka(payload: Uint8Array): ReceivedEvent[] {
  const doc = JSON.parse(Buffer.from(payload).toString('utf8')) as KafkaEventJson;
  return Object.values(doc.records)
    .flat()
    .map((r) => {
      const headers = recordHeaders(r);
      const value = r.value === undefined ? null : new Uint8Array(Buffer.from(r.value, 'base64'));
      const key = r.key === undefined ? null : new Uint8Array(Buffer.from(r.key, 'base64'));
      const event = decodeKafka(headers, value, key);
      const lineage: Record<string, string> = {};
      for (const [name, v] of headers) if (name === 'traceparent' || name.startsWith('causeway-')) lineage[name] = v;
      return { event, lineage, idempotencyKey: headers.find(([n]) => n === 'idempotency-key')?.[1] };
    });
}

export const receivedFrom = (shape: 'cloudevents' | 'aws:kafka', payload: Uint8Array): ReceivedEvent[] =>
  shape === 'cloudevents' ? receivedFromCloudEvents(payload) : receivedFromKafka(payload);
