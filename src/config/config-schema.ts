const TOPIC_NAME = { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$' } as const;

/** Exactly one of field (JSON pointer) | header | value | key, plus an optional default. */
const FIELD_REF = {
  type: 'object',
  additionalProperties: false,
  properties: {
    field: { type: 'string', pattern: '^(/([^~]|~[01])*)*$' },
    header: { type: 'string', minLength: 1 },
    value: { type: 'string', minLength: 1 },
    key: { const: true },
    default: { type: 'string', minLength: 1 },
  },
  // The `properties` repeat the names only because Ajv's strict mode wants required names declared alongside.
  oneOf: (['field', 'header', 'value', 'key'] as const).map((k) => ({ properties: { [k]: true }, required: [k] })),
} as const;

const KAFKA_INGRESS = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    group: { type: 'string', minLength: 1 },
    deadLetterTopic: TOPIC_NAME,
    concurrency: { type: 'integer', minimum: 1, maximum: 256 },
    sessionTimeoutMs: { type: 'integer', minimum: 6000 },
    topics: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['topic'],
        properties: {
          topic: TOPIC_NAME,
          mode: { enum: ['cloudevents', 'json'] },
          mapping: {
            type: 'object',
            additionalProperties: false,
            properties: { type: FIELD_REF, source: FIELD_REF, id: FIELD_REF, subject: FIELD_REF, time: FIELD_REF },
          },
        },
      },
    },
  },
} as const;

/** JSON Schema of causeway.yaml (also what the merged env + file config must satisfy). */
export const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://causeway.dev/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    host: { type: 'string', minLength: 1 },
    dataDir: { type: 'string', minLength: 1 },
    schemasDir: { type: 'string', minLength: 1 },
    routesDir: { type: 'string', minLength: 1 },
    eventlog: { enum: ['embedded', 'kafka'] },
    role: { enum: ['accept', 'dispatch', 'all'] },
    logLevel: { enum: ['debug', 'info', 'warn', 'error', 'silent'] },
    bodyLimit: { type: 'integer', minimum: 65536 },
    httpSource: { type: 'string', minLength: 1 },
    defaultTopic: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$' },
    partitions: { type: 'integer', minimum: 1, maximum: 1024 },
    dedupeWindowMs: { type: 'integer', minimum: 0 },
    allowUnknownTypes: { type: 'boolean' },
    retryAfterSeconds: { type: 'integer', minimum: 1 },
    shutdownTimeoutMs: { type: 'integer', minimum: 0 },
    kafka: {
      type: 'object',
      additionalProperties: false,
      properties: {
        brokers: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' } },
        clientId: { type: 'string', minLength: 1 },
        produceTimeoutMs: { type: 'integer', minimum: 100 },
        replicationFactor: { type: 'integer', minimum: 1 },
        createTopics: { type: 'boolean' },
      },
    },
    ingress: {
      type: 'object',
      additionalProperties: false,
      properties: { kafka: KAFKA_INGRESS },
    },
  },
} as const;
