/**
 * Messages between the embedded log (main thread) and its writer worker. Only writes cross the
 * thread boundary; reads use the main thread's read-only connection.
 */
import type { ErrorCode, Position, TopicInfo } from '../../core/index.js';

/**
 * A record as it crosses to the writer. Headers travel as the JSON text the writer stores:
 * structured clone copies one string far cheaper than an object of a dozen strings, and the
 * serializing is done once either way. `source`/`id` are the `ce_source`/`ce_id` headers, if any.
 */
export interface WireRecord {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: string;
  readonly source: string | null;
  readonly id: string | null;
  readonly partition?: number;
  readonly timestamp?: number;
}

export type WriteOp =
  | { readonly op: 'append'; readonly topic: string; readonly records: readonly WireRecord[] }
  | { readonly op: 'ensureTopic'; readonly topic: string; readonly partitions?: number }
  | { readonly op: 'commit'; readonly group: string; readonly topic: string; readonly partition: number; readonly offset: number };

export type WriteRequest = WriteOp & { readonly id: number };

export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
}

export type WriteResult =
  | { readonly id: number; readonly ok: true; readonly positions?: Position[]; readonly topic?: TopicInfo }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

export interface WorkerInit {
  readonly file: string;
  readonly defaultPartitions: number;
  /** How far back (ms) a restart must still recognise ids: what an old file's migration copies. */
  readonly recallWindowMs: number;
  readonly maxBytes?: number;
}

export type ToWorker = { readonly type: 'write'; readonly requests: readonly WriteRequest[] } | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: WireError }
  /** One message per group commit: every result of that transaction. */
  | { readonly type: 'results'; readonly results: readonly WriteResult[]; readonly transactions: number }
  | { readonly type: 'closed' };
