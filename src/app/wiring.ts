import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Config } from '../config/index.js';
import type { EventLog, Position } from '../core/index.js';
import { EmbeddedEventLog, openEmbeddedLog } from '../eventlog/index.js';
import { createHttpApp, fastIntakeServer, type HttpAppDeps } from '../ingress/http/index.js';
import { uuidv7 } from '../lineage/index.js';
import { Metrics, type Logger } from '../observability/index.js';
import { loadRegistry, type Registry } from '../registry/index.js';
import { createAcceptService } from './accept.js';
import { createAdminService } from './admin.js';
import { DedupeWindow } from './dedupe-window.js';
import { startDispatch, type DispatchRole } from './dispatch.js';
import { startKafkaIngress } from './start-kafka-ingress.js';

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
  return openEmbeddedLog({
    dir: config.dataDir,
    defaultPartitions: config.partitions,
    recallWindowMs: config.dedupeWindowMs,
    // Only intake dedupes: a dispatch-only process does not load the ids (up to ~90 MB).
    recallMaxIds: config.role === 'dispatch' ? 0 : DEDUPE_MAX_ENTRIES,
  });
}

/**
 * After a restart the in-memory dedupe window is empty, yet ids stored in the last `windowMs`
 * before the restart must still be recognised (a client retrying after a crash, a Kafka
 * record redelivered from an uncommitted offset). The embedded log can answer from the ids it
 * loaded at open (its id journal); the lookup is only needed during the first window after start — after
 * that every id inside the window was seen by this process — so the hot path pays it only then.
 */
function recallAfterRestart(log: EventLog, windowMs: number): ((source: string, id: string) => Position | undefined) | undefined {
  if (!(log instanceof EmbeddedEventLog) || windowMs <= 0) return undefined;
  // Nothing stored inside the window before this start (a new or long-idle log): every id the
  // window does not know is new, so the per-event lookup is skipped.
  if (log.newestTimestamp() < Date.now() - windowMs) return undefined;
  const until = Date.now() + windowMs;
  return (source, id) => {
    const now = Date.now();
    return now < until ? log.lookupId(source, id, now - windowMs) : undefined;
  };
}

export interface StartOptions {
  /** Environment for secrets that route files name (e.g. a webhook signing secret); main.ts passes its environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Builds everything from one frozen config. Fails closed: schemas and routes compile before the first request. */
export async function start(config: Config, logger: Logger, opts: StartOptions = {}): Promise<Running> {
  const registry = await loadRegistry(config.schemasDir, {
    allowUnknownTypes: config.allowUnknownTypes,
    defaultTopic: config.defaultTopic,
  });
  const log = await openEventLog(config);
  const topics = new Set([config.defaultTopic, ...registry.types().map((t) => t.topic)]);
  for (const t of topics) await log.ensureTopic(t, config.partitions);

  const metrics = new Metrics();
  const dedupe = new DedupeWindow(config.dedupeWindowMs, DEDUPE_MAX_ENTRIES);
  metrics.watchDedupe(dedupe);
  const accept = createAcceptService({
    log,
    registry,
    metrics,
    dedupe,
    defaultTopic: config.defaultTopic,
    recall: recallAfterRestart(log, config.dedupeWindowMs),
    producer: { source: config.httpSource, mintId: () => uuidv7(), now: () => new Date() },
  });
  let kafkaIngress: Awaited<ReturnType<typeof startKafkaIngress>>;
  try {
    kafkaIngress = await startKafkaIngress(config, accept, metrics, logger);
  } catch (e) {
    await log.close();
    throw e;
  }
  let dispatch: DispatchRole | undefined;
  if (config.role !== 'accept') {
    try {
      dispatch = await startDispatch({
        routesDir: config.routesDir,
        log,
        metrics,
        logger,
        targetDeps: { env: opts.env ?? {}, kafkaBrokers: config.kafka.brokers },
      });
    } catch (e) {
      await kafkaIngress?.stop();
      await log.close();
      throw e;
    }
  }
  let accepting = true;
  const httpDeps: HttpAppDeps = {
    intake: config.role !== 'dispatch',
    onInternalError: (err, where) =>
      logger.error('internal error', { where, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    ...(dispatch ? { routes: () => dispatch.report() } : {}),
    accept,
    admin: createAdminService(log),
    bodyLimit: config.bodyLimit,
    retryAfterSeconds: config.retryAfterSeconds,
    metricsText: () => metrics.text(),
    ready: async () => {
      const l = await log.ready();
      const k = kafkaIngress?.status();
      const kOk = k === undefined || k.state === 'running';
      return {
        ok: accepting && l.ok && kOk,
        checks: { eventlog: { kind: log.kind, ok: l.ok, detail: l.detail }, accepting, ...(k && { kafkaIngress: { ok: kOk, ...k } }) },
      };
    },
    onRejected: (code) => metrics.rejected.inc({ type: '', code, ingress: 'http' }),
    accepting: () => accepting,
  };
  const app = createHttpApp(httpDeps);
  const server: ServerType = await new Promise((resolve) => {
    // POST /events skips Hono (see fast-intake.ts); everything else is the Hono app.
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host, createServer: fastIntakeServer(httpDeps) }, () =>
      resolve(s),
    );
  });
  const port = (server.address() as AddressInfo).port;
  logger.info('causeway listening', { port, host: config.host, eventlog: log.kind, types: registry.types().length });

  return {
    port,
    log,
    registry,
    async close() {
      accepting = false;
      await kafkaIngress?.stop(); // first: its in-flight records still need the log
      await dispatch?.close(); // drains deliveries and commits what completed
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close();
      logger.info('causeway stopped');
    },
  };
}
