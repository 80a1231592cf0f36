import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionFor, toPositive } from '../../../src/eventlog/index.js';
import { notingPartitioner } from '../../../src/eventlog/kafka/kafka-util.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
// KafkaJS's own Java-compatible murmur2, loaded from its sources: the reference we must equal.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (
  k: Buffer | string,
) => number;

/** Signed murmur2 values printed by Kafka's own implementation. */
const VECTORS: Record<string, number> = {
  // apache/kafka clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java (testMurmur2)
  '21': -973932308,
  foobar: -790332482,
  'a-little-bit-long-string': -985981536,
  'a-little-bit-longer-string': -1486304829,
  lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8: -58897971,
  abc: 479470107,
  // librdkafka src/rdmurmur2.c unit test (java_murmur2_results)
  kafka: -798503068,
  giberish123456789: -1890243828,
  '1234': -1614185708,
  '234': -406844982,
  '34': -2026295078,
  '4': 1514888353,
  'PreAmbleWillBeRemoved,ThePrePartThatIs': 2017611548,
  'reAmbleWillBeRemoved,ThePrePartThatIs': 1247982455,
  'eAmbleWillBeRemoved,ThePrePartThatIs': -521871202,
  'AmbleWillBeRemoved,ThePrePartThatIs': 1656271935,
  '': 275646681,
  // kafkajs src/producer/partitioners/default/murmur2.spec.js, generated with Kafka's Java code (Test.java)
  '0': 971027396,
  '1': -1993445489,
  '128': -326012175,
  '2187': -1508407203,
  '16384': -325739742,
  '78125': -1654490814,
  '279936': 1462227128,
  '823543': -2014198330,
  '2097152': 607668903,
  '4782969': -1182699775,
  '10000000': -1830336757,
  '19487171': -1603849305,
  '35831808': -857013643,
  '62748517': -1167431028,
  '105413504': -381294639,
  '170859375': -1658323481,
  '100:48069': 1009543857,
};

/** What KafkaJS's DefaultPartitioner (used by the Kafka adapter) picks for a keyed message. */
function kafkajsPartition(key: Uint8Array, partitions: number): number {
  const meta = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0 }) as PartitionMetadata);
  return Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata: meta, message: { key: Buffer.from(key), value: null } });
}

describe('murmur2', () => {
  it.each(Object.entries(VECTORS))('murmur2(%j) is Kafka’s value', (key, expected) => {
    expect(murmur2(utf8(key))).toBe(expected);
    expect(kafkajsMurmur2(Buffer.from(key))).toBe(expected); // the reference agrees with the vectors
  });

  it('equals KafkaJS’s murmur2 for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => murmur2(bytes) === kafkajsMurmur2(Buffer.from(bytes))),
      { numRuns: 2000 },
    );
  });

  it('is a deterministic signed 32-bit integer that reads only the view’s bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array({ maxLength: 8 }), (bytes, pad) => {
        const h = murmur2(bytes);
        // The same bytes inside a larger buffer (subarray view) hash the same.
        const big = new Uint8Array(pad.length + bytes.length + 3);
        big.set(pad, 0);
        big.set(bytes, pad.length);
        const view = big.subarray(pad.length, pad.length + bytes.length);
        return Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31 && murmur2(bytes) === h && murmur2(view) === h;
      }),
    );
  });
});

describe('partitionFor', () => {
  it('matches a table of key → partition computed by KafkaJS’s DefaultPartitioner', () => {
    // toPositive(h) % n, e.g. "foobar": -790332482 & 0x7fffffff = 1357151166 → 1357151166 % 3 = 0.
    expect(toPositive(-790332482)).toBe(1357151166);
    const table: Array<[string, number, number]> = [
      ['foobar', 3, 0],
      ['21', 3, 0],
      ['kafka', 12, 4],
      ['', 7, 2],
      ['170859375', 100, 67],
    ];
    for (const [key, n, p] of table) {
      expect(partitionFor(utf8(key), n)).toBe(p);
      expect(kafkajsPartition(utf8(key), n)).toBe(p);
    }
  });

  it('equals KafkaJS’s DefaultPartitioner for any key and partition count', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 48 }),
        fc.integer({ min: 1, max: 1000 }),
        (key, n) => partitionFor(key, n) === kafkajsPartition(key, n),
      ),
      { numRuns: 1000 },
    );
  });

  it('is deterministic and in range', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.integer({ min: 1, max: 10_000 }), (key, n) => {
        const p = partitionFor(key, n);
        return Number.isInteger(p) && p >= 0 && p < n && partitionFor(Uint8Array.from(key), n) === p;
      }),
    );
  });

  it('uses toPositive (sign bit cleared), not Math.abs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        (h) => toPositive(h) >= 0 && toPositive(h) === (h < 0 ? h + 2 ** 31 : h),
      ),
    );
  });

  it('rejects a partition count that is not a positive integer', () => {
    expect(() => partitionFor(utf8('k'), 0)).toThrow(RangeError);
    expect(() => partitionFor(utf8('k'), 1.5)).toThrow(RangeError);
  });
});

describe('the Kafka producer’s partitioner (notingPartitioner)', () => {
  const metadata = (n: number, down: number[] = []): PartitionMetadata[] =>
    Array.from({ length: n }, (_, i) => ({
      partitionId: i,
      leader: down.includes(i) ? -1 : 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    }));
  const reference = Partitioners.DefaultPartitioner();

  it('chooses what KafkaJS’s DefaultPartitioner chooses for keyed records, and notes it on the message', () => {
    const ours = notingPartitioner();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), fc.integer({ min: 1, max: 500 }), (bytes, n) => {
        const key = Buffer.from(bytes);
        const message = { key, value: null, chosen: -1 };
        const p = ours({ topic: 't', partitionMetadata: metadata(n), message });
        return p === reference({ topic: 't', partitionMetadata: metadata(n), message: { key, value: null } }) && message.chosen === p;
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps an explicit partition, and spreads unkeyed records over available partitions only', () => {
    const ours = notingPartitioner();
    const explicit = { key: Buffer.from('k'), value: null, partition: 2, chosen: -1 };
    expect(ours({ topic: 't', partitionMetadata: metadata(3), message: explicit })).toBe(2);
    expect(explicit.chosen).toBe(2);
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const message = { key: null, value: null, chosen: -1 };
      const p = ours({ topic: 't', partitionMetadata: metadata(4, [1]), message });
      expect(message.chosen).toBe(p);
      seen.add(p);
    }
    expect([...seen].sort()).toEqual([0, 2, 3]);
  });

  it('gives an unkeyed record the same partition when KafkaJS asks again for a retry', () => {
    const ours = notingPartitioner();
    const messages = Array.from({ length: 7 }, () => ({ key: null, value: null, chosen: -1 }));
    const first = messages.map((message) => ours({ topic: 't', partitionMetadata: metadata(3), message }));
    expect(new Set(first).size).toBe(3); // round robin
    const again = messages.map((message) => ours({ topic: 't', partitionMetadata: metadata(3), message }));
    expect(again).toEqual(first);
    // A partition that is gone (fewer partitions now) is chosen anew.
    const shrunk = { key: null, value: null, chosen: 5 };
    expect(ours({ topic: 't', partitionMetadata: metadata(3), message: shrunk })).toBeLessThan(3);
  });
});
