import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one Causeway process (GET /metrics). One instance per app, no globals. */
export class Metrics {
  readonly registry = new Registry();
  readonly accepted = new Counter({
    name: 'causeway_events_accepted_total',
    help: 'Events accepted (stored, or acknowledged as duplicates) by type and ingress; types without a schema count as (unregistered)',
    labelNames: ['type', 'ingress', 'duplicate'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'causeway_events_rejected_total',
    help: 'Rejected requests or events by type (when known; types without a schema count as (unregistered)) and CW_* code',
    labelNames: ['type', 'code', 'ingress'] as const,
    registers: [this.registry],
  });
  readonly appendSeconds = new Histogram({
    name: 'causeway_eventlog_append_seconds',
    help: 'Latency of durable appends to the event log',
    labelNames: ['log'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly appendBatchSize = new Histogram({
    name: 'causeway_eventlog_append_records',
    help: 'Records per append call',
    labelNames: ['log'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });
  /** Hot reloads of routes/ (the load at start not counted): `ok` swapped in, `rejected` refused (last good rules kept). */
  readonly routeReloads = new Counter({
    name: 'causeway_route_reloads_total',
    help: 'Reloads of the routing rules by result (ok: swapped in; rejected: invalid, last good rules kept)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  /** Routes in the current rule set; set it after the start and after every valid reload. */
  readonly routes = new Gauge({
    name: 'causeway_routes',
    help: 'Routes in the current rule set by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly ingressDeadLetters = new Counter({
    name: 'causeway_ingress_dead_letters_total',
    help: 'Kafka ingress records sent to the ingress dead-letter topic, by raw topic and CW_* code',
    labelNames: ['topic', 'code'] as const,
    registers: [this.registry],
  });

  // Delivery engine (src/deliver, DeliverMetrics): app/ passes this object to createDispatcher.
  readonly delivered = new Counter({
    name: 'causeway_deliveries_total',
    help: 'Events delivered to their target, by route and target kind',
    labelNames: ['route', 'target'] as const,
    registers: [this.registry],
  });
  readonly deliveryRetries = new Counter({
    name: 'causeway_delivery_retries_total',
    help: 'Delivery attempts that failed and will be retried after a backoff, by route, target kind and CW_* code',
    labelNames: ['route', 'target', 'code'] as const,
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: 'causeway_dead_letters_total',
    help: 'Events written to a dead letter topic, by route, target kind and CW_* code',
    labelNames: ['route', 'target', 'code'] as const,
    registers: [this.registry],
  });
  readonly deliveryLatency = new Histogram({
    name: 'causeway_delivery_latency_seconds',
    help: 'End-to-end latency from the fact timestamp to its delivery, by route and target kind',
    labelNames: ['route', 'target'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly routesDisabled = new Counter({
    name: 'causeway_routes_disabled_total',
    help: 'Routes disabled because their target said it is gone (HTTP 410), by route and target kind',
    labelNames: ['route', 'target'] as const,
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Reports the accept side's dedupe window on every scrape: ids held, and ids dropped before their window passed. */
  watchDedupe(window: { readonly size: number; readonly evicted: number }): void {
    new Gauge({
      name: 'causeway_dedupe_ids',
      help: 'source+id pairs held by the dedupe window',
      registers: [this.registry],
      collect() {
        this.set(window.size);
      },
    });
    let reported = 0;
    new Counter({
      name: 'causeway_dedupe_evicted_total',
      help: 'Ids dropped from the dedupe window before their time because it was full (the window is then shorter than configured)',
      registers: [this.registry],
      collect() {
        if (window.evicted > reported) this.inc(window.evicted - reported);
        reported = window.evicted;
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
