/** The `to.lambda` config: its JSON Schema, defaults, limits and what create() refuses. */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { isCausewayError } from '../../../src/core/index.js';
import { LAMBDA_DEFAULTS, lambdaTarget, type LambdaTargetConfig } from '../../../src/targets/index.js';
import { resolveLambdaConfig } from '../../../src/targets/lambda/lambda-config.js';

const validate = new Ajv2020({ strict: true, allErrors: true }).compile(lambdaTarget.configSchema);
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:bid-analytics';

describe('lambda target config', () => {
  it('the schema is valid JSON Schema 2020-12 (Ajv strict) and accepts the documented forms', () => {
    for (const c of [
      { function: 'bid-analytics', region: 'eu-west-1' },
      { function: ARN, qualifier: 'live', region: 'eu-west-1', invocation: 'async', payload: 'cloudevents' },
      { function: `${ARN}:7`, region: 'eu-west-1', endpoint: 'http://127.0.0.1:9001' },
      { function: '123456789012:function:bid-analytics', region: 'us-gov-west-1', payload: 'aws:kafka' },
      {
        function: 'f',
        region: 'eu-west-1',
        payload: 'aws:kafka',
        kafka: {
          eventSource: 'aws:kafka',
          eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/x',
          bootstrapServers: ['b-1:9092'],
        },
        maxPayloadBytes: 262_144,
        maxBatchEvents: 500,
        connections: 4,
      },
    ])
      expect(validate(c), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    [{ region: 'eu-west-1' }, 'no function'],
    [{ function: 'f' }, 'no region'],
    [{ function: 'bad name!', region: 'eu-west-1' }, 'a bad name'],
    [{ function: 'f', region: 'Europe' }, 'a bad region'],
    [{ function: 'f', region: 'eu-west-1', invocation: 'RequestResponse' }, 'an unknown invocation'],
    [{ function: 'f', region: 'eu-west-1', payload: 'sqs' }, 'an unknown payload'],
    [{ function: 'f', region: 'eu-west-1', qualifier: 'bad qualifier' }, 'a bad qualifier'],
    [{ function: 'f', region: 'eu-west-1', endpoint: 'ftp://x' }, 'a non-http endpoint'],
    [{ function: 'f', region: 'eu-west-1', credentials: { accessKeyId: 'AKIA' } }, 'credentials (never in route files)'],
    [{ function: 'f', region: 'eu-west-1', kafka: { eventSource: 'aws:sqs' } }, 'an unknown event source'],
    [{ function: 'f', region: 'eu-west-1', maxPayloadBytes: 0 }, 'a zero limit'],
  ] as Array<[object, string]>)('the schema refuses %j (%s)', (c) => expect(validate(c)).toBe(false));

  it('defaults: sync, cloudevents; the payload limits are AWS’s Invoke quotas, in one place', () => {
    expect(LAMBDA_DEFAULTS).toMatchObject({ syncPayloadBytes: 6_291_456, asyncPayloadBytes: 1_048_576, clientContextBytes: 3_583 });
    const sync = resolveLambdaConfig({ function: 'f', region: 'eu-west-1' }, []);
    expect(sync).toMatchObject({ invocation: 'sync', payload: 'cloudevents', maxPayloadBytes: 6_291_456, connections: 16 });
    expect(sync.limits).toEqual({ maxBatchEvents: 100, maxBatchBytes: 6_291_456, maxEventBytes: 6_291_456 });
    const async = resolveLambdaConfig({ function: 'f', region: 'eu-west-1', invocation: 'async' }, []);
    expect(async.limits).toEqual({ maxBatchEvents: 100, maxBatchBytes: 1_048_576, maxEventBytes: 1_048_576 });
    const own = resolveLambdaConfig({ function: 'f', region: 'eu-west-1', maxPayloadBytes: 262_144, maxBatchEvents: 10 }, []);
    expect(own.limits).toEqual({ maxBatchEvents: 10, maxBatchBytes: 262_144, maxEventBytes: 262_144 });
  });

  it('aws:kafka envelope: aws:kafka by default, bootstrapServers from the deployment unless given', () => {
    expect(resolveLambdaConfig({ function: 'f', region: 'eu-west-1', payload: 'aws:kafka' }, ['k1:9092', 'k2:9092']).kafka).toEqual({
      eventSource: 'aws:kafka',
      bootstrapServers: 'k1:9092,k2:9092',
    });
    expect(resolveLambdaConfig({ function: 'f', region: 'eu-west-1', payload: 'aws:kafka' }, []).kafka).toEqual({
      eventSource: 'aws:kafka',
    });
    expect(
      resolveLambdaConfig({ function: 'f', region: 'eu-west-1', kafka: { eventSource: 'SelfManagedKafka', bootstrapServers: ['a:1'] } }, [
        'k:9',
      ]).kafka,
    ).toEqual({ eventSource: 'SelfManagedKafka', bootstrapServers: 'a:1' });
  });

  it.each([
    [{ function: 'arn:aws:lambda:us-east-1:123456789012:function:f', region: 'eu-west-1' }, /in us-east-1 but region is eu-west-1/],
    [{ function: `${ARN}:live`, qualifier: 'blue', region: 'eu-west-1' }, /names qualifier live and qualifier is blue/],
    [{ function: 'f:live', qualifier: 'blue', region: 'eu-west-1' }, /names qualifier live/],
    [
      { function: 'f', region: 'eu-west-1', kafka: { eventSource: 'SelfManagedKafka', eventSourceArn: 'arn:aws:kafka:x' } },
      /only for eventSource aws:kafka/,
    ],
    [{ function: 'f', region: 'eu-west-1', endpoint: 'http://' }, /not a valid URL/],
    [{ function: 'f', region: 'eu-west-1', maxBatchEvents: 1.5 }, /positive integer/],
  ] as Array<[LambdaTargetConfig, RegExp]>)('create() refuses %j with CW_ROUTE_INVALID', (c, message) => {
    let caught: unknown;
    try {
      lambdaTarget.create(c, { env: {}, kafkaBrokers: [] });
    } catch (e) {
      caught = e;
    }
    expect(isCausewayError(caught) && caught.code).toBe('CW_ROUTE_INVALID');
    expect((caught as Error).message).toMatch(message);
  });

  it('an ARN qualifier alone, or the same qualifier twice, is fine', async () => {
    for (const c of [
      { function: `${ARN}:live`, region: 'eu-west-1' },
      { function: `${ARN}:live`, qualifier: 'live', region: 'eu-west-1' },
      { function: 'function:f', region: 'eu-west-1', qualifier: 'x' },
    ]) {
      const t = lambdaTarget.create(c, { env: {}, kafkaBrokers: [] });
      await t.close();
    }
  });
});
