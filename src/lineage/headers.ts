/**
 * Transport lineage headers (DESIGN §7). They travel next to the event (record headers,
 * HTTP headers), never as CloudEvents attributes (CORE-S7).
 */
export const LINEAGE = {
  ingress: 'causeway-ingress',
  received: 'causeway-received',
  fact: 'causeway-fact',
  route: 'causeway-route',
  attempt: 'causeway-attempt',
  hops: 'causeway-hops',
  traceparent: 'traceparent',
} as const;

export const isLineageHeader = (name: string): boolean => name.startsWith('causeway-') || name === 'traceparent';

/** `kafka://topic/partition/offset` — where a record consumed by the Kafka ingress came from. */
export const kafkaIngress = (topic: string, partition: number, offset: number | string): string =>
  `kafka://${topic}/${partition}/${offset}`;
