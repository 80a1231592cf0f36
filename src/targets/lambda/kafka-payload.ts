/**
 * The `aws:kafka` payload: the event Lambda's Kafka event source mapping (an Amazon MSK or
 * self-managed Kafka trigger) gives a function, so a function written for such a trigger works
 * unchanged behind Causeway. As documented by AWS ("Using Lambda with Amazon MSK", "… with
 * self-managed Apache Kafka", example events):
 *
 *   { "eventSource": "aws:kafka" | "SelfManagedKafka",
 *     "eventSourceArn": "<MSK cluster ARN>",                  (MSK only; here when configured)
 *     "bootstrapServers": "host:port,host:port",
 *     "records": { "<topic>-<partition>": [ { "topic", "partition", "offset", "timestamp",
 *                  "timestampType": "CREATE_TIME", "key": <base64>, "value": <base64>,
 *                  "headers": [ { "<name>": [<byte>, …] }, … ] } ] } }
 *
 * Each record is the FACT as stored in the log: its topic, partition, offset, timestamp, key,
 * value (the data bytes, KAFKA-M5) and headers (the ce_ attributes, content-type, ingress
 * lineage). Like the kafka target, the hop's lineage headers (DESIGN §7) replace the fact's
 * headers of the same name (its `traceparent` header is the ingress hop's) and the idempotency
 * key is added as `idempotency-key`. A null key or value is left out of the record, which is
 * what Lambda sends for a record without a key and for a tombstone.
 */
import type { Delivery } from '../../core/index.js';
import { IDEMPOTENCY_KEY_HEADER } from '../outcomes.js';
import type { LambdaKafkaEventSource } from './lambda-config.js';
import type { EncodedItem, PayloadShape, PayloadSizer } from './payload-plan.js';

export interface KafkaEnvelope {
  readonly eventSource: LambdaKafkaEventSource;
  readonly eventSourceArn?: string;
  readonly bootstrapServers?: string;
}

/** Facts are appended with the producer's time (Kafka's default message.timestamp.type). */
export const TIMESTAMP_TYPE = 'CREATE_TIME';

/** The `records` key of a fact: `<topic>-<partition>`, as Lambda groups records. */
export const recordsKey = (topic: string, partition: number): string => `${topic}-${partition}`;

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** `{"name":[1,2,3]}`: a header as Lambda gives it, its value as the array of its UTF-8 bytes. */
function headerJson(name: string, value: string): string {
  return `{${JSON.stringify(name)}:[${Buffer.from(value, 'utf8').join(',')}]}`;
}

/** The record of one delivery, fields in the order of AWS's example event. */
export function kafkaRecordJson(d: Delivery): string {
  const f = d.fact;
  const replaced = new Set([...Object.keys(d.lineage), IDEMPOTENCY_KEY_HEADER]);
  const headers: string[] = [];
  for (const [name, value] of Object.entries(f.headers)) if (!replaced.has(name)) headers.push(headerJson(name, value));
  for (const [name, value] of Object.entries(d.lineage)) headers.push(headerJson(name, value));
  headers.push(headerJson(IDEMPOTENCY_KEY_HEADER, d.idempotencyKey));
  return (
    `{"topic":${JSON.stringify(f.topic)},"partition":${f.partition},"offset":${f.offset},"timestamp":${f.timestamp},` +
    `"timestampType":"${TIMESTAMP_TYPE}"` +
    (f.key === null ? '' : `,"key":"${b64(f.key)}"`) +
    (f.value === null ? '' : `,"value":"${b64(f.value)}"`) +
    `,"headers":[${headers.join(',')}]}`
  );
}

function envelopeHead(e: KafkaEnvelope): string {
  let head = `{"eventSource":${JSON.stringify(e.eventSource)}`;
  if (e.eventSourceArn !== undefined) head += `,"eventSourceArn":${JSON.stringify(e.eventSourceArn)}`;
  if (e.bootstrapServers !== undefined) head += `,"bootstrapServers":${JSON.stringify(e.bootstrapServers)}`;
  return `${head},"records":{`;
}
const TAIL = '}}';

class EnvelopeSizer implements PayloadSizer {
  size: number;
  count = 0;
  private readonly groups = new Set<string>();
  constructor(head: number) {
    this.size = head + TAIL.length;
  }
  sizeWith(item: EncodedItem): number {
    if (this.groups.has(item.group)) return this.size + 1 + item.json.length; // ,{record}
    // [,]"topic-p":[{record}]
    return this.size + (this.groups.size > 0 ? 1 : 0) + Buffer.byteLength(JSON.stringify(item.group)) + 3 + item.json.length;
  }
  add(item: EncodedItem): void {
    this.size = this.sizeWith(item);
    this.groups.add(item.group);
    this.count += 1;
  }
}

export function kafkaShape(envelope: KafkaEnvelope): PayloadShape {
  const head = Buffer.from(envelopeHead(envelope));
  return {
    encode: (d) => ({ json: Buffer.from(kafkaRecordJson(d)), group: recordsKey(d.fact.topic, d.fact.partition) }),
    sizer: () => new EnvelopeSizer(head.length),
    assemble(items) {
      const groups = new Map<string, Buffer[]>();
      for (const item of items) {
        const g = groups.get(item.group);
        if (g === undefined) groups.set(item.group, [item.json]);
        else g.push(Buffer.from(','), item.json);
      }
      const parts: Buffer[] = [head];
      let first = true;
      for (const [key, records] of groups) {
        parts.push(Buffer.from(`${first ? '' : ','}${JSON.stringify(key)}:[`), ...records, Buffer.from(']'));
        first = false;
      }
      parts.push(Buffer.from(TAIL));
      return Buffer.concat(parts);
    },
  };
}
