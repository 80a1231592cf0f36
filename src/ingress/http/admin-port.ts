import type { PartitionOffsets } from '../../core/index.js';

export interface AdminTopic {
  readonly name: string;
  readonly partitions: readonly PartitionOffsets[];
}

export interface AdminFact {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: string;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The fact as a structured CloudEvent (JSON format); null if the record is not a CloudEvent. */
  readonly event: unknown;
}

/** What the admin endpoints read (implemented in app/, over the EventLog). */
export interface AdminService {
  topics(): Promise<AdminTopic[]>;
  /**
   * Partitions of one topic (undefined: no such topic). The events endpoint checks its query with
   * this, not with topics(): on a shared Kafka cluster topics() asks offsets of every topic.
   */
  partitions(topic: string): Promise<number | undefined>;
  events(topic: string, partition: number, from: number, limit: number): Promise<AdminFact[]>;
}
