import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Config } from '../config/index.js';
import type { EventLog } from '../core/index.js';
import { openEmbeddedLog } from '../eventlog/index.js';
import { createHttpApp } from '../ingress/http/index.js';
import { uuidv7 } from '../lineage/index.js';
import { Metrics, type Logger } from '../observability/index.js';
import { loadRegistry, type Registry } from '../registry/index.js';
import { createAcceptService } from './accept.js';
import { createAdminService } from './admin.js';
import { DedupeWindow } from './dedupe-window.js';

export interface Running {
  readonly port: number;
  readonly log: EventLog;
  readonly registry: Registry;
  /** Stops intake, lets in-flight requests finish (their appends flush), closes the log. */
  close(): Promise<void>;
}

const DEDUPE_MAX_ENTRIES = 2_000_000;

export async function openEventLog(config: Config): Promise<EventLog> {
  if (config.eventlog === 'kafka') {
    const { openKafkaLog } = await import('../eventlog/index.js');
    return openKafkaLog({
      brokers: [...config.kafka.brokers],
      clientId: config.kafka.clientId,
      defaultPartitions: config.partitions,
      replicationFactor: config.kafka.replicationFactor,
      produceTimeoutMs: config.kafka.produceTimeoutMs,
      createTopics: config.kafka.createTopics,
    });
  }
  mkdirSync(config.dataDir, { recursive: true });
  return openEmbeddedLog({ dir: config.dataDir, defaultPartitions: config.partitions });
}

/** Builds everything from one frozen config. Fails closed: schemas compile before the first request. */
export async function start(config: Config, logger: Logger): Promise<Running> {
  const registry = await loadRegistry(config.schemasDir, { allowUnknownTypes: config.allowUnknownTypes, defaultTopic: config.defaultTopic });
  const log = await openEventLog(config);
  const topics = new Set([config.defaultTopic, ...registry.types().map((t) => t.topic)]);
  for (const t of topics) await log.ensureTopic(t, config.partitions);

  const metrics = new Metrics();
  const dedupe = new DedupeWindow(config.dedupeWindowMs, DEDUPE_MAX_ENTRIES);
  const accept = createAcceptService({
    log, registry, metrics, dedupe, defaultTopic: config.defaultTopic,
    producer: { source: config.httpSource, mintId: () => uuidv7(), now: () => new Date() },
  });
  let accepting = true;
  const app = createHttpApp({
    accept,
    admin: createAdminService(log),
    bodyLimit: config.bodyLimit,
    retryAfterSeconds: config.retryAfterSeconds,
    metricsText: () => metrics.text(),
    ready: async () => {
      const l = await log.ready();
      return { ok: accepting && l.ok, checks: { eventlog: { kind: log.kind, ok: l.ok, detail: l.detail }, accepting } };
    },
    onRejected: (code) => metrics.rejected.inc({ type: '', code, ingress: 'http' }),
    accepting: () => accepting,
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  logger.info('causeway listening', { port, host: config.host, eventlog: log.kind, types: registry.types().length });

  return {
    port, log, registry,
    async close() {
      accepting = false;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close();
      logger.info('causeway stopped');
    },
  };
}
