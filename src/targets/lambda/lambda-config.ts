/**
 * The `to.lambda` config of a route (issue #5) and its JSON Schema. The schema checks shape;
 * `resolveLambdaConfig` checks what a schema cannot (an ARN's region agrees with `region`, a
 * qualifier is not given twice) and fills in the defaults, all of which live in LAMBDA_DEFAULTS.
 * Credentials are never configured here: the SDK's default provider chain finds them.
 */
import { CausewayError, type TargetLimits } from '../../core/index.js';

export type LambdaInvocation = 'sync' | 'async';
export type LambdaPayload = 'cloudevents' | 'aws:kafka';
/** `aws:kafka` is what an Amazon MSK trigger sends; `SelfManagedKafka` a self-managed Kafka trigger. */
export type LambdaKafkaEventSource = 'aws:kafka' | 'SelfManagedKafka';

export interface LambdaKafkaEnvelope {
  readonly eventSource?: LambdaKafkaEventSource;
  /** The MSK cluster ARN the function expects in `eventSourceArn` (MSK only). */
  readonly eventSourceArn?: string;
  /** `bootstrapServers` of the envelope; default: the deployment's Kafka brokers, when it has any. */
  readonly bootstrapServers?: readonly string[];
}

export interface LambdaTargetConfig {
  /** Name (`my-function`), ARN (`arn:aws:lambda:eu-west-1:123456789012:function:my-function[:alias]`) or partial ARN. */
  readonly function: string;
  /** Version or alias (the Invoke API's `Qualifier`). */
  readonly qualifier?: string;
  readonly region: string;
  /** Endpoint override (an emulator, a VPC interface endpoint). */
  readonly endpoint?: string;
  /** `sync` = RequestResponse (default), `async` = Event. */
  readonly invocation?: LambdaInvocation;
  /** `cloudevents` (default): a JSON array of structured CloudEvents; `aws:kafka`: the Kafka trigger's envelope. */
  readonly payload?: LambdaPayload;
  readonly kafka?: LambdaKafkaEnvelope;
  /** Largest Invoke request body; default the invocation type's AWS limit (LAMBDA_DEFAULTS). */
  readonly maxPayloadBytes?: number;
  readonly maxBatchEvents?: number;
  /** Keep-alive connections to the Lambda endpoint. */
  readonly connections?: number;
}

/**
 * Every Lambda default in one place. Payload limits are AWS's Invoke quotas ("Invocation payload
 * (request and response): 6 MB each for synchronous, 1 MB for asynchronous"; Lambda's docs count
 * an MB as 1,024 KB, and Lambda's own 413 message says "Request must be smaller than 6291456
 * bytes"). The client context is "up to 3,583 bytes of base64-encoded data" (Invoke API).
 */
export const LAMBDA_DEFAULTS = {
  invocation: 'sync',
  payload: 'cloudevents',
  syncPayloadBytes: 6_291_456,
  asyncPayloadBytes: 1_048_576,
  clientContextBytes: 3_583,
  /** A Kafka trigger's default batch size is 100 records. */
  maxBatchEvents: 100,
  connections: 16,
  kafkaEventSource: 'aws:kafka',
  /** A throttling answer without a retry hint: wait this long. */
  throttleRetryAfterMs: 1_000,
} as const;

export interface ResolvedLambdaConfig {
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly invocation: LambdaInvocation;
  readonly payload: LambdaPayload;
  readonly kafka: { readonly eventSource: LambdaKafkaEventSource; readonly eventSourceArn?: string; readonly bootstrapServers?: string };
  /** The Invoke request body limit every invocation stays within. */
  readonly maxPayloadBytes: number;
  readonly connections: number;
  readonly limits: TargetLimits;
}

// Patterns from the Invoke API reference (FunctionName, Qualifier).
const FUNCTION =
  '^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?$';
const QUALIFIER = '^[a-zA-Z0-9$_-]{1,128}$';
const REGION = '^[a-z]{2}(-[a-z0-9]+)*-[0-9]+$';
const BROKER = '^[^\\s,]+:[0-9]{1,5}$';
const positiveInt = { type: 'integer', minimum: 1 };

export const lambdaConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'lambda target (AWS Lambda Invoke)',
  type: 'object',
  required: ['function', 'region'],
  additionalProperties: false,
  properties: {
    function: { type: 'string', minLength: 1, maxLength: 256, pattern: FUNCTION, description: 'Function name, ARN or partial ARN' },
    qualifier: { type: 'string', pattern: QUALIFIER, description: 'Version or alias' },
    region: { type: 'string', pattern: REGION, description: 'AWS region, e.g. eu-west-1' },
    endpoint: { type: 'string', pattern: '^[hH][tT][tT][pP][sS]?://[^\\s]+$', description: 'Endpoint override (emulator, VPC endpoint)' },
    invocation: { enum: ['sync', 'async'], default: 'sync', description: 'sync = RequestResponse, async = Event' },
    payload: { enum: ['cloudevents', 'aws:kafka'], default: 'cloudevents', description: 'Payload shape' },
    kafka: {
      type: 'object',
      additionalProperties: false,
      description: 'Envelope fields of the aws:kafka payload',
      properties: {
        eventSource: { enum: ['aws:kafka', 'SelfManagedKafka'], default: 'aws:kafka' },
        eventSourceArn: { type: 'string', pattern: '^arn:[^\\s]+$' },
        bootstrapServers: { type: 'array', minItems: 1, items: { type: 'string', pattern: BROKER } },
      },
    },
    maxPayloadBytes: { ...positiveInt, minimum: 1024 },
    maxBatchEvents: { ...positiveInt, maximum: 10_000 },
    connections: { ...positiveInt, maximum: 1024 },
  },
} as const;

const invalid = (detail: string): CausewayError => new CausewayError('CW_ROUTE_INVALID', `lambda target: ${detail}`);

/** Region and qualifier written into a function ARN (`arn:…:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
function arnParts(fn: string): { region?: string; qualifier?: string } {
  const m = /^arn:[^:]*:lambda:([^:]+):\d{12}:function:[^:]+(?::(.+))?$/.exec(fn);
  if (m) return { region: m[1], ...(m[2] === undefined ? {} : { qualifier: m[2] }) };
  const partial = /^(?:\d{12}:)?function:[^:]+:(.+)$/.exec(fn) ?? /^(?!\d{12}:|function:)[^:]+:([^:]+)$/.exec(fn);
  return partial ? { qualifier: partial[1] } : {};
}

export function resolveLambdaConfig(c: LambdaTargetConfig, kafkaBrokers: readonly string[]): ResolvedLambdaConfig {
  if (typeof c.function !== 'string' || c.function.length > 256 || !new RegExp(FUNCTION).test(c.function))
    throw invalid(`function ${JSON.stringify(c.function)} is not a function name, ARN or partial ARN`);
  if (typeof c.region !== 'string' || !new RegExp(REGION).test(c.region))
    throw invalid(`region ${JSON.stringify(c.region)} is not an AWS region`);
  if (c.qualifier !== undefined && !new RegExp(QUALIFIER).test(c.qualifier))
    throw invalid(`qualifier ${JSON.stringify(c.qualifier)} is not valid`);
  const arn = arnParts(c.function);
  if (arn.region !== undefined && arn.region !== c.region)
    throw invalid(`the function ARN is in ${arn.region} but region is ${c.region}: Lambda invokes only in the client's region`);
  if (arn.qualifier !== undefined && c.qualifier !== undefined && arn.qualifier !== c.qualifier)
    throw invalid(`the function names qualifier ${arn.qualifier} and qualifier is ${c.qualifier}`);
  if (c.endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(c.endpoint);
    } catch {
      throw invalid(`endpoint ${JSON.stringify(c.endpoint)} is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`endpoint must be http:// or https://, got ${url.protocol}`);
  }
  const invocation = c.invocation ?? LAMBDA_DEFAULTS.invocation;
  if (invocation !== 'sync' && invocation !== 'async') throw invalid(`invocation must be sync or async, got ${String(invocation)}`);
  const payload = c.payload ?? LAMBDA_DEFAULTS.payload;
  if (payload !== 'cloudevents' && payload !== 'aws:kafka')
    throw invalid(`payload must be cloudevents or aws:kafka, got ${String(payload)}`);
  for (const k of ['maxPayloadBytes', 'maxBatchEvents', 'connections'] as const) {
    const v = c[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw invalid(`${k} must be a positive integer, got ${String(v)}`);
  }
  const eventSource = c.kafka?.eventSource ?? LAMBDA_DEFAULTS.kafkaEventSource;
  if (eventSource !== 'aws:kafka' && eventSource !== 'SelfManagedKafka')
    throw invalid(`kafka.eventSource must be aws:kafka or SelfManagedKafka`);
  if (c.kafka?.eventSourceArn !== undefined && eventSource !== 'aws:kafka')
    throw invalid('kafka.eventSourceArn is only for eventSource aws:kafka (MSK)');
  const brokers = c.kafka?.bootstrapServers ?? kafkaBrokers;
  for (const b of brokers)
    if (!new RegExp(BROKER).test(b)) throw invalid(`kafka.bootstrapServers entry ${JSON.stringify(b)} is not host:port`);
  const maxPayloadBytes =
    c.maxPayloadBytes ?? (invocation === 'sync' ? LAMBDA_DEFAULTS.syncPayloadBytes : LAMBDA_DEFAULTS.asyncPayloadBytes);
  return {
    functionName: c.function,
    qualifier: c.qualifier,
    region: c.region,
    endpoint: c.endpoint,
    invocation,
    payload,
    kafka: {
      eventSource,
      ...(c.kafka?.eventSourceArn === undefined ? {} : { eventSourceArn: c.kafka.eventSourceArn }),
      ...(brokers.length === 0 ? {} : { bootstrapServers: brokers.join(',') }),
    },
    maxPayloadBytes,
    connections: c.connections ?? LAMBDA_DEFAULTS.connections,
    limits: {
      maxBatchEvents: c.maxBatchEvents ?? LAMBDA_DEFAULTS.maxBatchEvents,
      // The engine batches by its size estimate (data + attributes); every encoding here is at
      // least that large, so an event the engine passes may still be refused once encoded (the
      // target checks the encoded size), but never the other way round.
      maxBatchBytes: maxPayloadBytes,
      maxEventBytes: maxPayloadBytes,
    },
  };
}
