/** Helpers of the EventLog contract suite (event-log.contract.ts). */
import { randomBytes } from 'node:crypto';
import type { EventLog, Fact, LogRecord } from '../../src/core/index.js';

const enc = new TextEncoder();
export const utf8 = (s: string): Uint8Array => enc.encode(s);
export const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
export const newTopic = (): string => `ct.${randomBytes(6).toString('hex')}`;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads a whole partition from `from` to its current high watermark. */
export async function readAll(log: EventLog, topic: string, partition: number, from = 0): Promise<Fact[]> {
  const high = (await log.offsets(topic)).find((o) => o.partition === partition)?.high ?? 0;
  const out: Fact[] = [];
  let next = from;
  while (next < high) {
    const batch = await log.read(topic, partition, next, 500);
    if (batch.length === 0) break;
    out.push(...batch);
    next = batch[batch.length - 1]!.offset + 1;
  }
  return out;
}

export async function readTopic(log: EventLog, topic: string, partitions: number): Promise<Fact[]> {
  const out: Fact[] = [];
  for (let p = 0; p < partitions; p++) out.push(...(await readAll(log, topic, p)));
  return out;
}

export async function highOf(log: EventLog, topic: string, partition: number): Promise<number> {
  const o = (await log.offsets(topic)).find((x) => x.partition === partition);
  if (o === undefined) throw new Error(`no partition ${partition} in offsets(${topic})`);
  return o.high;
}

export const tagged = (id: string, extra: Partial<LogRecord> = {}): LogRecord => ({
  key: null,
  value: utf8(`v-${id}`),
  headers: { 'ct-id': id },
  ...extra,
});
