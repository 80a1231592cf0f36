/** A bus (+ rule + SQS queue) on a moto server, for the EventBridge tests and bench/route-eventbridge.ts. */
import { randomBytes } from 'node:crypto';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

/** moto accepts any credentials; the region must match between the bus and the queue it delivers to. */
export const MOTO_REGION = 'eu-west-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A message EventBridge put on the queue: the event as EventBridge emits it to targets. */
export interface BusEvent {
  readonly id: string;
  readonly version: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly resources: string[];
  readonly detail: unknown;
}

/**
 * One event bus on the moto server at `endpoint`, with unique names; given a `pattern`, also one rule
 * with that pattern whose target is one SQS queue. `events()` reads everything that reached the queue
 * so far (received messages are deleted from the queue and remembered here).
 */
export class MotoBus {
  readonly eb: EventBridgeClient;
  readonly sqs: SQSClient;
  private readonly seen: BusEvent[] = [];
  private constructor(
    readonly name: string,
    readonly arn: string,
    readonly queueUrl: string | undefined,
    endpoint: string,
  ) {
    this.eb = new EventBridgeClient({ endpoint, region: MOTO_REGION, credentials });
    this.sqs = new SQSClient({ endpoint, region: MOTO_REGION, credentials });
  }

  static async create(endpoint: string, prefix: string, pattern?: object): Promise<MotoBus> {
    const name = `${prefix}-${randomBytes(4).toString('hex')}`;
    const eb = new EventBridgeClient({ endpoint, region: MOTO_REGION, credentials });
    const sqs = new SQSClient({ endpoint, region: MOTO_REGION, credentials });
    try {
      const bus = await eb.send(new CreateEventBusCommand({ Name: name }));
      if (pattern === undefined) return new MotoBus(name, bus.EventBusArn!, undefined, endpoint);
      const q = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }));
      await eb.send(new PutRuleCommand({ Name: `${name}-rule`, EventBusName: name, EventPattern: JSON.stringify(pattern) }));
      await eb.send(
        new PutTargetsCommand({
          Rule: `${name}-rule`,
          EventBusName: name,
          Targets: [{ Id: 'queue', Arn: attrs.Attributes!.QueueArn! }],
        }),
      );
      return new MotoBus(name, bus.EventBusArn!, q.QueueUrl!, endpoint);
    } finally {
      eb.destroy();
      sqs.destroy();
    }
  }

  /** Everything that reached the queue so far, in arrival order. */
  async events(): Promise<BusEvent[]> {
    if (this.queueUrl === undefined) throw new Error(`bus ${this.name} has no rule and queue: create it with a pattern`);
    for (;;) {
      const r = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const got = r.Messages ?? [];
      if (got.length === 0) return [...this.seen];
      for (const m of got) this.seen.push(JSON.parse(m.Body!) as BusEvent);
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: got.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }

  async delete(): Promise<void> {
    await this.eb
      .send(new RemoveTargetsCommand({ Rule: `${this.name}-rule`, EventBusName: this.name, Ids: ['queue'] }))
      .catch(() => undefined);
    await this.eb.send(new DeleteRuleCommand({ Name: `${this.name}-rule`, EventBusName: this.name })).catch(() => undefined);
    await this.eb.send(new DeleteEventBusCommand({ Name: this.name })).catch(() => undefined);
    if (this.queueUrl !== undefined) await this.sqs.send(new DeleteQueueCommand({ QueueUrl: this.queueUrl })).catch(() => undefined);
    this.eb.destroy();
    this.sqs.destroy();
  }
}
