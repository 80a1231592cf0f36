/**
 * The `to.kafka` config of a route (republish to a topic, spec digest §5) and its JSON Schema.
 */
import { CausewayError, type TargetLimits } from '../../core/index.js';

export type KafkaDeliveryMode = 'binary' | 'structured';
/** `keep` the incoming record key (KAFKA-N3), use the `partitionkey` attribute (KAFKA-S1), or `none`. */
export type KafkaKeyPolicy = 'keep' | 'partitionkey' | 'none';

export interface KafkaTargetConfig {
  readonly topic: string;
  /** CloudEvents Kafka content mode (default binary). Kafka has no batch mode (KAFKA-M1). */
  readonly mode?: KafkaDeliveryMode;
  /** Another cluster's bootstrap brokers (default: the deployment's own, TargetDeps.kafkaBrokers). */
  readonly brokers?: readonly string[];
  readonly key?: KafkaKeyPolicy;
  readonly maxBatchEvents?: number;
  readonly maxBatchBytes?: number;
  readonly maxEventBytes?: number;
}

/**
 * Kafka writes a partition's records of one produce request as one record batch, which must stay
 * under the topic's max.message.bytes (broker default 1 MiB + 12): so the batch bytes stay below
 * that with room for the lineage headers, and a single event may use nearly all of it.
 */
export const KAFKA_DEFAULTS = {
  mode: 'binary',
  key: 'keep',
  maxBatchEvents: 500,
  maxBatchBytes: 900_000,
  maxEventBytes: 900_000,
} as const;

export interface ResolvedKafkaConfig {
  readonly topic: string;
  readonly mode: KafkaDeliveryMode;
  readonly brokers: readonly string[];
  readonly key: KafkaKeyPolicy;
  readonly limits: TargetLimits;
}

const TOPIC = '^[a-zA-Z0-9._-]{1,249}$';
const BROKER = '^[^\\s,]+:[0-9]{1,5}$';
const positiveInt = { type: 'integer', minimum: 1 };

export const kafkaConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'kafka target (republish)',
  type: 'object',
  required: ['topic'],
  additionalProperties: false,
  properties: {
    topic: { type: 'string', pattern: TOPIC, description: 'Topic to publish to (created when missing)' },
    mode: { enum: ['binary', 'structured'], default: 'binary', description: 'CloudEvents Kafka content mode' },
    brokers: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', pattern: BROKER },
      description: 'Bootstrap host:port list of another cluster',
    },
    key: {
      enum: ['keep', 'partitionkey', 'none'],
      default: 'keep',
      description: 'Record key: the incoming key, the partitionkey attribute, or none',
    },
    maxBatchEvents: positiveInt,
    maxBatchBytes: positiveInt,
    maxEventBytes: positiveInt,
  },
} as const;

const invalid = (detail: string): CausewayError => new CausewayError('CW_ROUTE_INVALID', `kafka target: ${detail}`);

export function resolveKafkaConfig(c: KafkaTargetConfig, defaultBrokers: readonly string[]): ResolvedKafkaConfig {
  if (typeof c.topic !== 'string' || !new RegExp(TOPIC).test(c.topic))
    throw invalid(`${JSON.stringify(c.topic)} is not a legal Kafka topic name`);
  const mode = c.mode ?? KAFKA_DEFAULTS.mode;
  if (mode !== 'binary' && mode !== 'structured')
    throw invalid(`mode must be binary or structured (Kafka has no batch mode, KAFKA-M1), got ${String(mode)}`);
  const key = c.key ?? KAFKA_DEFAULTS.key;
  if (key !== 'keep' && key !== 'partitionkey' && key !== 'none')
    throw invalid(`key must be keep, partitionkey or none, got ${String(key)}`);
  const brokers = c.brokers ?? defaultBrokers;
  if (brokers.length === 0) throw invalid('no brokers: set brokers, or run with a Kafka cluster configured');
  for (const b of brokers) if (!new RegExp(BROKER).test(b)) throw invalid(`broker ${JSON.stringify(b)} is not host:port`);
  for (const k of ['maxBatchEvents', 'maxBatchBytes', 'maxEventBytes'] as const) {
    const v = c[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw invalid(`${k} must be a positive integer, got ${String(v)}`);
  }
  const maxBatchBytes = c.maxBatchBytes ?? KAFKA_DEFAULTS.maxBatchBytes;
  return {
    topic: c.topic,
    mode,
    brokers: [...brokers],
    key,
    limits: {
      maxBatchEvents: c.maxBatchEvents ?? KAFKA_DEFAULTS.maxBatchEvents,
      maxBatchBytes,
      maxEventBytes: Math.min(c.maxEventBytes ?? KAFKA_DEFAULTS.maxEventBytes, maxBatchBytes),
    },
  };
}
