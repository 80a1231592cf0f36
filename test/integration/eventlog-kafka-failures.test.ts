/**
 * The Kafka event log when Kafka misbehaves: a broker that stops answering (a private broker,
 * frozen with SIGSTOP, so the shared one stays untouched), no broker at all, and the settings
 * that refuse work (createTopics: false, a partition that does not exist).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isCausewayError, type EventLog, type LogRecord } from '../../src/core/index.js';
import { openKafkaLog, type KafkaEventLog } from '../../src/eventlog/index.js';
import { kafkaBrokers, kafkaSh } from '../support/kafka.js';
import { closedPort } from '../support/listen-local.js';

const rec = (id: string, partition?: number): LogRecord => ({
  key: null,
  value: new TextEncoder().encode(id),
  headers: { 'ct-id': id },
  ...(partition === undefined ? {} : { partition }),
});
const topicName = (): string => `ct.fail.${Math.random().toString(16).slice(2, 10)}`;
const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (e: unknown) => (isCausewayError(e) ? e.code : `not a CausewayError: ${String(e)}`),
  );

describe('kafka event log: a broker that stops answering', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'causeway-kafka-'));
  let env: Record<string, string>;
  let pid = 0;
  let log: KafkaEventLog;
  const PRODUCE_TIMEOUT = 2_000;

  beforeAll(async () => {
    const [port, controllerPort] = [await closedPort(), await closedPort()];
    env = {
      KAFKA_STATE_DIR: stateDir,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_HEAP_OPTS: '-Xms64m -Xmx256m',
    };
    await kafkaSh('start', env);
    pid = Number(readFileSync(join(stateDir, 'kafka.pid'), 'utf8'));
    log = await openKafkaLog({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'causeway-failures',
      defaultPartitions: 2,
      replicationFactor: 1,
      produceTimeoutMs: PRODUCE_TIMEOUT,
      createTopics: true,
    });
  }, 300_000);

  afterAll(async () => {
    if (pid > 0) process.kill(pid, 'SIGCONT');
    await log?.close();
    await kafkaSh('stop', env).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  it('rejects appends with a retriable CW_EVENTLOG_UNAVAILABLE within produceTimeoutMs, and recovers', async () => {
    const topic = topicName();
    await log.ensureTopic(topic, 2);
    expect(await log.append(topic, [rec('before', 0)])).toEqual([{ topic, partition: 0, offset: 0 }]);

    process.kill(pid, 'SIGSTOP');
    try {
      const t0 = Date.now();
      const err = await log.append(topic, [rec('frozen', 0)]).then(
        () => undefined,
        (e: unknown) => e,
      );
      const took = Date.now() - t0;
      expect(isCausewayError(err) && err.code).toBe('CW_EVENTLOG_UNAVAILABLE');
      expect(isCausewayError(err) && err.retriable).toBe(true);
      expect(took).toBeLessThan(PRODUCE_TIMEOUT + 1_000);

      const t1 = Date.now();
      const health = await log.ready();
      expect(health.ok).toBe(false);
      expect(health.detail).toBeTruthy();
      expect(Date.now() - t1).toBeLessThan(3_000);

      const t2 = Date.now();
      expect(await log.waitFor(topic, 0, 5, 400)).toBe(false);
      expect(Date.now() - t2).toBeLessThan(1_500);
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    // The same log instance works again once the broker answers (a fresh producer).
    // This broker is new: the first group commit meets a coordinator still loading, and retries.
    await log.commit('ct.fail.group', topic, 0, 1);
    expect(await log.committed('ct.fail.group', topic, 0)).toBe(1);
    const after = await vi.waitFor(() => log.append(topic, [rec('after', 1)]), { timeout: 60_000, interval: 500 });
    expect(after).toEqual([{ topic, partition: 1, offset: 0 }]);
    expect((await log.ready()).ok).toBe(true);
    const ids = (await log.read(topic, 0, 0, 10)).map((f) => f.headers['ct-id']);
    expect(ids[0]).toBe('before');
    // The frozen append was refused, but its request may still have landed (at-least-once).
    expect(ids.slice(1).every((id) => id === 'frozen')).toBe(true);
  }, 120_000);
});

describe('kafka event log: no broker, and refused requests', () => {
  it('open() rejects with CW_EVENTLOG_UNAVAILABLE when no broker listens', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const code = await codeOf(
      openKafkaLog({
        brokers: [`127.0.0.1:${port}`],
        clientId: 'nobody',
        defaultPartitions: 1,
        replicationFactor: 1,
        produceTimeoutMs: 1_000,
        createTopics: true,
        requestTimeoutMs: 3_000,
      }),
    );
    expect(code).toBe('CW_EVENTLOG_UNAVAILABLE');
    expect(Date.now() - t0).toBeLessThan(4_000);
  });

  it('open() rejects invalid options with CW_CONFIG_INVALID', async () => {
    const base = {
      brokers: kafkaBrokers(),
      clientId: 'x',
      defaultPartitions: 1,
      replicationFactor: 1,
      produceTimeoutMs: 1_000,
      createTopics: true,
    };
    expect(await codeOf(openKafkaLog({ ...base, defaultPartitions: 0 }))).toBe('CW_CONFIG_INVALID');
    expect(await codeOf(openKafkaLog({ ...base, brokers: [] }))).toBe('CW_CONFIG_INVALID');
  });

  describe('against the shared broker', () => {
    let creating: EventLog;
    let strict: EventLog;
    const opts = {
      brokers: [] as string[],
      clientId: 'causeway-refusals',
      defaultPartitions: 2,
      replicationFactor: 1,
      produceTimeoutMs: 5_000,
    };
    beforeAll(async () => {
      opts.brokers = kafkaBrokers();
      creating = await openKafkaLog({ ...opts, createTopics: true });
      strict = await openKafkaLog({ ...opts, createTopics: false });
    }, 60_000);
    afterAll(async () => {
      await Promise.all([creating?.close(), strict?.close()]);
    });

    it('createTopics: false refuses to create a topic (CW_CONFIG_INVALID) but uses existing ones', async () => {
      const missing = topicName();
      expect(await codeOf(strict.ensureTopic(missing))).toBe('CW_CONFIG_INVALID');
      expect(await codeOf(strict.append(missing, [rec('x')]))).toBe('CW_CONFIG_INVALID');
      expect((await creating.listTopics()).some((t) => t.name === missing)).toBe(false);

      const existing = topicName();
      await creating.ensureTopic(existing, 2);
      expect(await strict.ensureTopic(existing)).toEqual({ name: existing, partitions: 2 });
      expect(await strict.append(existing, [rec('y', 1)])).toEqual([{ topic: existing, partition: 1, offset: 0 }]);
    });

    it('topic creation gives up at once on an error retrying cannot fix (replication factor above the broker count)', async () => {
      const tooMany = await openKafkaLog({ ...opts, replicationFactor: 3, createTopics: true, requestTimeoutMs: 10_000 });
      try {
        const t0 = Date.now();
        const err = await tooMany.ensureTopic(topicName(), 1).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isCausewayError(err) && err.message).toMatch(/creating topic .*replication/i);
        expect(Date.now() - t0).toBeLessThan(5_000); // not retried until requestTimeoutMs
      } finally {
        await tooMany.close();
      }
    });

    it('rejects a partition that does not exist and an illegal topic name with CW_INVALID_REQUEST', async () => {
      const topic = topicName();
      await creating.ensureTopic(topic, 2);
      expect(await codeOf(creating.append(topic, [rec('a', 2)]))).toBe('CW_INVALID_REQUEST');
      expect(await codeOf(creating.append(topic, [rec('a', -1)]))).toBe('CW_INVALID_REQUEST');
      expect(await codeOf(creating.ensureTopic('no spaces/allowed'))).toBe('CW_INVALID_REQUEST');
      expect(await codeOf(creating.read(topic, 5, 0, 10))).toBe('CW_NOT_FOUND');
      expect((await creating.offsets(topic)).map((o) => o.high)).toEqual([0, 0]);
    });
  });
});
