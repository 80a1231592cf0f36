/**
 * The `lambda` target (issue #5): events to an AWS Lambda function through the Invoke API
 * (`@aws-sdk/client-lambda`, credentials from the SDK's default provider chain only). A batch
 * becomes as few invocations as the payload limit allows, split by the exact encoded size; the
 * invocations of a batch go one after another, so an ordering key's events keep their order, and
 * once an event gets `retry` the rest of its key is not sent (core/target-port.ts).
 *
 * The SDK never retries (`maxAttempts: 1`): the delivery engine does (DESIGN §6). The engine's
 * signal aborts the HTTP request; an aborted synchronous invocation may still run in Lambda
 * (at-least-once, and the idempotency key is in the payload).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { BatchOutcome, Delivery, ErrorCode, ItemOutcome, ItemProgress, Target, TargetLimits, TargetPlugin } from '../../core/index.js';
import { awsClientConfig } from '../aws-client.js';
import { InFlight } from '../in-flight.js';
import { DELIVERED, closedOutcome, reject, retry, settler, timedOut, tooLarge } from '../outcomes.js';
import { clientContextFor } from './client-context.js';
import { cloudEventsShape } from './cloudevents-payload.js';
import { kafkaShape, recordsKey } from './kafka-payload.js';
import {
  LAMBDA_DEFAULTS,
  lambdaConfigSchema,
  resolveLambdaConfig,
  type LambdaTargetConfig,
  type ResolvedLambdaConfig,
} from './lambda-config.js';
import { classifyInvokeError, judgeSyncAnswer, verdictOutcomes, type ItemIdentity } from './lambda-response.js';
import { planInvocations, type EncodedItem, type PayloadShape } from './payload-plan.js';

/** close() lets in-flight invocations finish for this long, then drops the connections. */
const CLOSE_GRACE_MS = 5_000;

interface Invoked {
  readonly outcomes: readonly ItemOutcome[];
  /** Lambda said 413: send the events in smaller invocations. */
  readonly split?: boolean;
}

/** The key whose order must be kept (Delivery.orderingKey, else the record key); undefined = none. */
const orderKeyOf = (d: Delivery): string | undefined =>
  d.orderingKey ?? (d.fact.key === null ? undefined : Buffer.from(d.fact.key).toString('hex'));

export class LambdaTarget implements Target {
  readonly limits: TargetLimits;
  private readonly client: LambdaClient;
  private readonly shape: PayloadShape;
  private readonly inFlight = new InFlight();
  private closing: Promise<void> | undefined;
  /** After a throttling answer nothing is invoked before this time (ms): its retry hint. */
  private holdUntil = 0;

  constructor(private readonly cfg: ResolvedLambdaConfig) {
    this.limits = cfg.limits;
    this.shape = cfg.payload === 'cloudevents' ? cloudEventsShape : kafkaShape(cfg.kafka);
    this.client = new LambdaClient(awsClientConfig({ region: cfg.region, endpoint: cfg.endpoint, maxSockets: cfg.connections }));
  }

  async send(batch: readonly Delivery[], outer: AbortSignal, progress?: ItemProgress): Promise<BatchOutcome> {
    if (this.closing !== undefined) return { items: batch.map(() => closedOutcome('lambda')) };
    return this.inFlight.run(outer, (signal) => this.sendAll(batch, signal, progress));
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      await this.inFlight.settle(CLOSE_GRACE_MS);
      this.client.destroy(); // destroys the agents: keep-alive sockets are closed
    })();
    return this.closing;
  }

  private async sendAll(batch: readonly Delivery[], signal: AbortSignal, progress: ItemProgress | undefined): Promise<BatchOutcome> {
    const items: Array<ItemOutcome | undefined> = batch.map((d) => tooLarge(d, this.limits.maxEventBytes, 'lambda'));
    const settle = settler(items, progress);
    const encoded: Array<EncodedItem | undefined> = batch.map((d, i) => {
      if (items[i] !== undefined) return undefined;
      try {
        return this.shape.encode(d);
      } catch (e) {
        items[i] = reject('CW_TARGET_REJECTED', `cannot encode the event: ${(e as Error).message}`);
        return undefined;
      }
    });
    const max = this.cfg.maxPayloadBytes;
    const plan = planInvocations(encoded, this.shape, max);
    for (const i of plan.oversize) {
      const size = this.shape.sizer().sizeWith(encoded[i] as EncodedItem);
      const what = `${this.cfg.payload} payload of ${size} bytes for this event alone`;
      settle(i, reject('CW_TARGET_PAYLOAD_TOO_LARGE', `${what} exceeds the ${this.cfg.invocation} invocation limit of ${max} bytes`));
    }
    const queue = [...plan.chunks];
    const blocked = new Map<string, ItemOutcome>();
    while (queue.length > 0) {
      const chunk = queue.shift() as number[];
      const todo: number[] = [];
      for (const i of chunk) {
        const key = orderKeyOf(batch[i] as Delivery);
        const earlier = key === undefined ? undefined : blocked.get(key);
        if (earlier === undefined) todo.push(i);
        else settle(i, earlier);
      }
      if (todo.length === 0) continue;
      const r = await this.invoke(
        todo.map((i) => batch[i] as Delivery),
        todo.map((i) => encoded[i] as EncodedItem),
        signal,
      );
      if (r.split === true && todo.length > 1) {
        // Lambda's own count disagrees with ours (a lower quota, its internal serialization): halve.
        const half = Math.ceil(todo.length / 2);
        queue.unshift(todo.slice(0, half), todo.slice(half));
        continue;
      }
      todo.forEach((i, k) => {
        const o = r.outcomes[k] as ItemOutcome;
        settle(i, o);
        const key = orderKeyOf(batch[i] as Delivery);
        if (o.status === 'retry' && key !== undefined && !blocked.has(key)) {
          const why = `not sent: an earlier event with the same ordering key failed (${o.message})`;
          blocked.set(key, retry(o.code as ErrorCode, why, o.retryAfterMs));
        }
      });
    }
    return { items: items as ItemOutcome[] };
  }

  private identity(d: Delivery): ItemIdentity {
    const id = String(d.event.attributes['id']);
    return this.cfg.payload === 'aws:kafka'
      ? { id, kafka: { partition: recordsKey(d.fact.topic, d.fact.partition), offset: d.fact.offset } }
      : { id };
  }

  /** One Invoke call for these deliveries; an outcome per delivery. */
  private async invoke(ds: readonly Delivery[], enc: readonly EncodedItem[], signal: AbortSignal): Promise<Invoked> {
    const all = (o: ItemOutcome): Invoked => ({ outcomes: ds.map(() => o) });
    if (this.closing !== undefined) return all(closedOutcome('lambda'));
    if (signal.aborted) return all(timedOut('lambda invoke'));
    const wait = this.holdUntil - Date.now();
    if (wait > 0) return all(retry('CW_TARGET_THROTTLED', `not sent: Lambda throttled this function; retry hint ${wait} ms more`, wait));
    const sync = this.cfg.invocation === 'sync';
    const cc = sync ? clientContextFor(ds, LAMBDA_DEFAULTS.clientContextBytes) : undefined;
    const command = new InvokeCommand({
      FunctionName: this.cfg.functionName,
      ...(this.cfg.qualifier === undefined ? {} : { Qualifier: this.cfg.qualifier }),
      InvocationType: sync ? 'RequestResponse' : 'Event',
      Payload: this.shape.assemble(enc),
      ...(cc === undefined ? {} : { ClientContext: cc }),
    });
    try {
      const out = await this.client.send(command, { abortSignal: signal });
      const expected = sync ? 200 : 202;
      if (out.StatusCode !== expected)
        return all(
          retry('CW_TARGET_UNAVAILABLE', `Lambda answered status ${String(out.StatusCode)} to a ${sync ? 'sync' : 'async'} invoke`),
        );
      if (!sync) return all(DELIVERED);
      const verdict = judgeSyncAnswer(
        {
          ...(out.FunctionError === undefined ? {} : { functionError: out.FunctionError }),
          ...(out.Payload === undefined ? {} : { payload: out.Payload }),
        },
        ds.map((d) => this.identity(d)),
      );
      return { outcomes: verdictOutcomes(verdict, ds.length, DELIVERED) };
    } catch (e) {
      const c = classifyInvokeError(e, signal.aborted, LAMBDA_DEFAULTS.throttleRetryAfterMs);
      if (c.outcome.status === 'retry' && c.outcome.code === 'CW_TARGET_THROTTLED' && (c.outcome.retryAfterMs ?? 0) > 0) {
        this.holdUntil = Math.max(this.holdUntil, Date.now() + (c.outcome.retryAfterMs ?? 0));
      }
      return { outcomes: ds.map(() => c.outcome), ...(c.tooLarge === true ? { split: true } : {}) };
    }
  }
}

export const lambdaTarget: TargetPlugin<LambdaTargetConfig> = {
  kind: 'lambda',
  configSchema: lambdaConfigSchema,
  create: (config, deps) => new LambdaTarget(resolveLambdaConfig(config, deps.kafkaBrokers)),
};
