/**
 * JSON Schema (2020-12) of a route file (DESIGN §5). `routeFileSchema(targets)` embeds each
 * target plug-in's `configSchema` under `to.<kind>`; without targets it accepts any kind whose
 * value is an object, which is the form published as docs/routes.schema.json for editors
 * (scripts/gen-routes-schema.ts writes it; a test keeps the two identical).
 *
 * Filters under `when` are only checked to be objects here: compileFilters validates them
 * structurally with better messages (SUB-M2, SUB-M3…); the dialect properties below carry
 * descriptions only, for editor completion.
 */
import { DURATION_PATTERN, SIZE_PATTERN } from './parse-duration.js';

/** What the schema needs from a target plug-in (a TargetPlugin satisfies it). */
export interface TargetSchema {
  readonly kind: string;
  readonly configSchema: object;
}

/** Either a list of plug-ins or a registry keyed by kind. */
export type TargetSchemas = Iterable<TargetSchema> | ReadonlyMap<string, TargetSchema>;

export const ROUTE_ID_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,62}$';
/** Kafka's legal topic names; the embedded log uses the same rule so a file works on both. */
export const TOPIC_PATTERN = '^[a-zA-Z0-9._-]{1,249}$';
export const ORDERINGS = ['key', 'partition', 'none'] as const;
export const BACKOFF_POLICIES = ['exponential', 'linear'] as const;

/** Delivery defaults as written in a file; compileRoute turns them into numbers. */
export const DELIVERY_DEFAULTS = {
  ordering: 'key',
  concurrency: 16,
  batch: { maxEvents: 1, maxBytes: '1MB', maxWait: '0ms' },
  retry: 8,
  backoffPolicy: 'exponential',
  backoffDelay: '200ms',
  backoffMax: '30s',
  timeout: '10s',
  maxHops: 8,
} as const;

/** `causeway.dlq.<route id>` (DESIGN §6) unless the route names another topic. */
export const deadLetterTopicFor = (routeId: string): string => `causeway.dlq.${routeId}`;

const filterDescriptions = {
  exact: { description: 'Attributes equal to these strings, e.g. { type: com.example.bid }' },
  prefix: { description: 'Attributes starting with these strings' },
  suffix: { description: 'Attributes ending with these strings' },
  all: { description: 'Every nested filter matches' },
  any: { description: 'At least one nested filter matches' },
  not: { description: 'The nested filter (one object) does not match' },
  sql: { description: 'A CESQL v1 expression over the attributes; true only for Boolean TRUE' },
  pattern: { description: 'An EventBridge-style event pattern over { ...attributes, data }' },
};

function targetSchema(targets: readonly TargetSchema[] | undefined): object {
  const one = { minProperties: 1, maxProperties: 1 };
  if (targets === undefined) {
    return {
      description: 'Exactly one target: { <kind>: <config> } (http, kafka, lambda, eventbridge)',
      type: 'object',
      ...one,
      additionalProperties: { type: 'object' },
    };
  }
  const properties: Record<string, object> = {};
  for (const t of targets) properties[t.kind] = embeddable(t.configSchema);
  return {
    description: `Exactly one target: ${targets.map((t) => t.kind).join(', ')}`,
    type: 'object',
    ...one,
    properties,
    additionalProperties: false,
  };
}

/** A plug-in schema as a sub-schema: `$schema` is only allowed at a document root. */
function embeddable(schema: object): object {
  const copy: Record<string, unknown> = { ...(schema as Record<string, unknown>) };
  delete copy['$schema'];
  return copy;
}

function listTargets(targets: TargetSchemas): TargetSchema[] {
  return targets instanceof Map ? [...(targets as ReadonlyMap<string, TargetSchema>).values()] : [...(targets as Iterable<TargetSchema>)];
}

/** The rule file schema; with `targets`, `to` accepts exactly those kinds with their schemas. */
export function routeFileSchema(targets?: TargetSchemas): Record<string, unknown> {
  const kinds = targets === undefined ? undefined : listTargets(targets);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://causeway.dev/schemas/routes.json',
    title: 'Causeway routing rules (routes/*.yaml)',
    type: 'object',
    additionalProperties: false,
    required: ['routes'],
    properties: { routes: { type: 'array', items: { $ref: '#/$defs/route' } } },
    $defs: {
      duration: {
        description: 'A duration: 200ms, 1.5s, 5m, 1h, or a number of milliseconds',
        type: ['string', 'integer'],
        pattern: DURATION_PATTERN,
        minimum: 0,
      },
      size: {
        description: 'A size: 512KB, 5MB, 1GiB (binary multiples: 1KB = 1024 bytes), or a number of bytes',
        type: ['string', 'integer'],
        pattern: SIZE_PATTERN,
        minimum: 1,
      },
      topic: { type: 'string', pattern: TOPIC_PATTERN },
      filter: {
        description: 'One filter: an object with exactly one dialect key (exact, prefix, suffix, all, any, not, sql, pattern)',
        type: 'object',
        properties: filterDescriptions,
      },
      target: targetSchema(kinds),
      route: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'from', 'to'],
        properties: {
          id: {
            description: 'Unique across all route files; names the consumer group causeway.route.<id>',
            type: 'string',
            pattern: ROUTE_ID_PATTERN,
          },
          description: { type: 'string' },
          from: {
            description: 'Fact topics this route reads',
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { $ref: '#/$defs/topic' },
          },
          when: {
            description: 'Filters; all must match (an empty or absent list matches every event)',
            type: 'array',
            items: { $ref: '#/$defs/filter' },
          },
          to: { $ref: '#/$defs/target' },
          delivery: { $ref: '#/$defs/delivery' },
          enabled: { description: 'A disabled route keeps its definition but runs no consumer', type: 'boolean', default: true },
        },
      },
      delivery: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ordering: {
            enum: ORDERINGS,
            default: DELIVERY_DEFAULTS.ordering,
            description: 'key: in order per key; partition: one batch in flight per partition; none: fully parallel',
          },
          concurrency: { type: 'integer', minimum: 1, default: DELIVERY_DEFAULTS.concurrency, description: 'In-flight batches per route' },
          batch: {
            type: 'object',
            additionalProperties: false,
            properties: {
              maxEvents: { type: 'integer', minimum: 1, default: DELIVERY_DEFAULTS.batch.maxEvents },
              maxBytes: { $ref: '#/$defs/size', default: DELIVERY_DEFAULTS.batch.maxBytes },
              maxWait: { $ref: '#/$defs/duration', default: DELIVERY_DEFAULTS.batch.maxWait },
            },
          },
          retry: { type: 'integer', minimum: 0, default: DELIVERY_DEFAULTS.retry, description: 'Retries after the first attempt' },
          backoffPolicy: { enum: BACKOFF_POLICIES, default: DELIVERY_DEFAULTS.backoffPolicy },
          backoffDelay: { $ref: '#/$defs/duration', default: DELIVERY_DEFAULTS.backoffDelay },
          backoffMax: { $ref: '#/$defs/duration', default: DELIVERY_DEFAULTS.backoffMax },
          timeout: { $ref: '#/$defs/duration', default: DELIVERY_DEFAULTS.timeout, description: 'Per attempt' },
          rateLimit: {
            type: 'object',
            additionalProperties: false,
            required: ['perSecond'],
            properties: {
              perSecond: { type: 'number', exclusiveMinimum: 0 },
              burst: { type: 'integer', minimum: 1, description: 'Default: perSecond rounded up' },
            },
          },
          deadLetter: {
            type: 'object',
            additionalProperties: false,
            required: ['topic'],
            properties: { topic: { $ref: '#/$defs/topic', description: 'Default: causeway.dlq.<route id>' } },
          },
          maxHops: {
            type: 'integer',
            minimum: 1,
            default: DELIVERY_DEFAULTS.maxHops,
            description: 'Past this many hops an event is dead-lettered (loop stop)',
          },
        },
      },
    },
  };
}
