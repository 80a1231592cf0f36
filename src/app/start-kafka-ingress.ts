import type { Config } from '../config/index.js';
import type { AcceptService } from '../core/index.js';
import { createKafkaIngress, type KafkaIngress } from '../ingress/kafka/index.js';
import { normalizeKafkaRecord, type KafkaRecordRule } from '../normalize/index.js';
import type { Logger, Metrics } from '../observability/index.js';

/**
 * The Kafka ingress of the ACCEPT role (issue 3), when `ingress.kafka` names topics: normalize/
 * decodes each record by its topic's rule, the accept service validates and stores it exactly like
 * HTTP input. Resolves once the consumer runs; undefined when the ingress is off or the role is dispatch.
 */
export async function startKafkaIngress(
  config: Config,
  accept: AcceptService,
  metrics: Metrics,
  logger: Logger,
): Promise<KafkaIngress | undefined> {
  const k = config.ingress.kafka;
  if (!k.enabled || k.topics.length === 0 || config.role === 'dispatch') return undefined;
  const rules = new Map<string, KafkaRecordRule>(k.topics.map((t) => [t.topic, t]));
  const ingress = createKafkaIngress({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId,
    group: k.group,
    topics: k.topics.map((t) => t.topic),
    deadLetterTopic: k.deadLetterTopic,
    concurrency: k.concurrency,
    sessionTimeoutMs: k.sessionTimeoutMs,
    createTopics: config.kafka.createTopics,
    partitions: config.partitions,
    replicationFactor: config.kafka.replicationFactor,
    decode: (record) => normalizeKafkaRecord(record, rules.get(record.topic)!),
    accept: (event, meta) => accept.acceptEvent(event, meta),
    onRejected: (code) => metrics.rejected.inc({ type: '', code, ingress: 'kafka' }),
    onDeadLetter: (topic, code) => metrics.ingressDeadLetters.inc({ topic, code }),
    logger,
  });
  await ingress.start();
  return ingress;
}
