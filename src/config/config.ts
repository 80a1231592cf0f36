/** One typed config (DESIGN §10.1): validated once at start, frozen, every error names its path. */
export type Role = 'accept' | 'dispatch' | 'all';
export type EventLogKind = 'embedded' | 'kafka';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly produceTimeoutMs: number;
  readonly replicationFactor: number;
  readonly createTopics: boolean;
}

/**
 * Where a json-mode attribute comes from (docs/kafka-ingress.md): a JSON pointer into the record
 * value, a record header, a constant, or the record key; `default` when the place is empty.
 */
export type KafkaFieldRef = (
  { readonly field: string } | { readonly header: string } | { readonly value: string } | { readonly key: true }
) & { readonly default?: string };

export interface KafkaIngressMapping {
  readonly type?: KafkaFieldRef;
  readonly source?: KafkaFieldRef;
  readonly id?: KafkaFieldRef;
  readonly subject?: KafkaFieldRef;
  readonly time?: KafkaFieldRef;
}

export interface KafkaIngressTopic {
  readonly topic: string;
  /** `cloudevents`: the Kafka binding (binary or structured); `json`: plain JSON mapped by `mapping`. */
  readonly mode: 'cloudevents' | 'json';
  readonly mapping?: KafkaIngressMapping;
}

export interface KafkaIngressConfig {
  /** Defaults to true when `topics` is not empty. */
  readonly enabled: boolean;
  readonly group: string;
  readonly deadLetterTopic: string;
  readonly topics: readonly KafkaIngressTopic[];
  /** Partitions processed at once (KafkaJS partitionsConsumedConcurrently). */
  readonly concurrency: number;
  /** Group session timeout: how long a crashed instance holds its partitions. */
  readonly sessionTimeoutMs: number;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly schemasDir: string;
  readonly routesDir: string;
  readonly eventlog: EventLogKind;
  readonly role: Role;
  readonly logLevel: LogLevel;
  /** Largest accepted request body in bytes (CORE-M26 needs it above 64 KiB). */
  readonly bodyLimit: number;
  /** `source` Causeway sets when it is the producer (POST /events/{type}). */
  readonly httpSource: string;
  /** Topic for types whose event.yaml names none (and for unknown types when allowed). */
  readonly defaultTopic: string;
  /** Partitions of topics Causeway creates. */
  readonly partitions: number;
  readonly dedupeWindowMs: number;
  readonly allowUnknownTypes: boolean;
  /** Seconds a 503 asks the client to wait before retrying. */
  readonly retryAfterSeconds: number;
  /** Grace period for in-flight work on SIGTERM. */
  readonly shutdownTimeoutMs: number;
  readonly kafka: KafkaConfig;
  readonly ingress: { readonly kafka: KafkaIngressConfig };
}

export const DEFAULT_CONFIG: Config = {
  port: 8080,
  host: '0.0.0.0',
  dataDir: './data',
  schemasDir: './schemas',
  routesDir: './routes',
  eventlog: 'embedded',
  role: 'all',
  logLevel: 'info',
  bodyLimit: 1024 * 1024,
  httpSource: '/causeway/http',
  defaultTopic: 'causeway.events',
  partitions: 3,
  dedupeWindowMs: 10 * 60 * 1000,
  allowUnknownTypes: false,
  retryAfterSeconds: 1,
  shutdownTimeoutMs: 10_000,
  kafka: {
    brokers: ['127.0.0.1:9092'],
    clientId: 'causeway',
    produceTimeoutMs: 5_000,
    replicationFactor: 1,
    createTopics: true,
  },
  ingress: {
    kafka: {
      enabled: false,
      group: 'causeway.ingress',
      deadLetterTopic: 'causeway.ingress.dlq',
      topics: [],
      concurrency: 4,
      sessionTimeoutMs: 30_000,
    },
  },
};
