/**
 * `commit` for the Kafka log: stores a group's next offset in Kafka's own group offsets
 * (`__consumer_offsets`), where `admin.fetchOffsets` and any Kafka tool can see it.
 *
 * KafkaJS commits only as a member of the group (its `admin.setOffsets` joins the group too, then
 * waits out a 5 s fetch before committing). So this joins the group once with a consumer that
 * fetches nothing (all paused before the join) and commits through it; the member is kept while
 * commits keep coming and leaves after `idleMs` without one, or on close. A commit that fails
 * (a coordinator still loading, a rebalance when another instance joins the same group, a lost
 * member) is retried with a fresh member until the timeout.
 */
import type { Consumer, Kafka } from 'kafkajs';
import { retrying } from './kafka-util.js';

interface Member {
  readonly consumer: Consumer;
  /** Settles when the member has joined the group, or its join failed. */
  readonly joined: Promise<void>;
  idle: NodeJS.Timeout | undefined;
}

export class GroupCommitter {
  private readonly members = new Map<string, Member>();
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly timeoutMs: number,
    private readonly idleMs = 10_000,
  ) {}

  async commit(group: string, topic: string, partition: number, offset: number): Promise<void> {
    await retrying(
      `commit for group ${group}`,
      this.timeoutMs,
      async () => {
        const member = this.member(group, topic);
        try {
          await member.joined;
          // KafkaJS skips a commit without a word when its consumer is not running (e.g. after
          // a failed rebalance), so success is taken only from its COMMIT_OFFSETS event.
          let confirmed = false;
          const off = member.consumer.on(member.consumer.events.COMMIT_OFFSETS, (e) => {
            const topics =
              (e.payload as { topics?: Array<{ topic: string; partitions: Array<{ partition: number; offset: unknown }> }> }).topics ?? [];
            confirmed ||= topics.some(
              (t) => t.topic === topic && t.partitions.some((p) => p.partition === partition && String(p.offset) === String(offset)),
            );
          });
          try {
            await member.consumer.commitOffsets([{ topic, partition, offset: String(offset) }]);
          } finally {
            off();
          }
          if (!confirmed) throw new Error(`the group member for ${group} is not running`);
        } catch (e) {
          void this.drop(group, member);
          throw e;
        }
        this.keep(group, member);
      },
      () => this.closed,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.members].map(([group, m]) => this.drop(group, m)));
  }

  private member(group: string, topic: string): Member {
    const existing = this.members.get(group);
    if (existing !== undefined) return existing;
    const consumer = this.kafka.consumer({
      groupId: group,
      allowAutoTopicCreation: false,
      // Short session: a member lost in a crash must not hold up other instances' joins for long.
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 500,
      // A crashed member is replaced by commit(); a restarted one would forget its pause.
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000, restartOnFailure: async () => false },
    });
    let inGroup = false;
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => (inGroup = true));
      consumer.on(consumer.events.CRASH, (e) => {
        reject(e.payload.error);
        void this.drop(group, member);
      });
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        // run() creates the group state synchronously: pausing before the join means it never fetches.
        const running = consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
        consumer.pause([{ topic }]);
        // run() resolves after the join, or after a failed join without throwing; commits only
        // work once it has resolved (KafkaJS marks the consumer running just after GROUP_JOIN).
        await running;
        if (!inGroup) throw new Error(`could not join group ${group}`);
        resolve();
      })().catch(reject);
    });
    joined.catch(() => undefined); // awaited by commit(), which drops a member that failed
    const member: Member = { consumer, joined, idle: undefined };
    this.members.set(group, member);
    return member;
  }

  private keep(group: string, member: Member): void {
    if (member.idle !== undefined) clearTimeout(member.idle);
    member.idle = setTimeout(() => void this.drop(group, member), this.idleMs);
    member.idle.unref();
  }

  private async drop(group: string, member: Member): Promise<void> {
    if (member.idle !== undefined) clearTimeout(member.idle);
    if (this.members.get(group) === member) this.members.delete(group);
    await member.consumer.disconnect().catch(() => undefined);
  }
}
