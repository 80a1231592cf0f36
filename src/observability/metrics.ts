import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one Causeway process (GET /metrics). One instance per app, no globals. */
export class Metrics {
  readonly registry = new Registry();
  readonly accepted = new Counter({
    name: 'causeway_events_accepted_total',
    help: 'Events accepted (stored, or acknowledged as duplicates) by type and ingress',
    labelNames: ['type', 'ingress', 'duplicate'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'causeway_events_rejected_total',
    help: 'Rejected requests or events by type (when known) and CW_* code',
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

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
