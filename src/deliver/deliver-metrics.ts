/**
 * What the delivery engine reports, as small interfaces: observability/metrics.ts's prom-client
 * metrics satisfy them and app/ passes them in (deliver/ does not import observability/).
 */
export type DeliverLabels = Readonly<Record<string, string>>;

export interface CounterLike {
  inc(labels: DeliverLabels, value?: number): void;
}

export interface HistogramLike {
  observe(labels: DeliverLabels, value: number): void;
}

export interface DeliverMetrics {
  /** Events delivered, by `route` and `target`. */
  readonly delivered: CounterLike;
  /** Attempts that will be retried, by `route`, `target` and `code`. */
  readonly deliveryRetries: CounterLike;
  /** Events written to the dead letter topic, by `route`, `target` and `code`. */
  readonly deadLettered: CounterLike;
  /** Seconds from the fact's timestamp to its delivery, by `route` and `target`. */
  readonly deliveryLatency: HistogramLike;
  /** Routes disabled because the target said it is gone, by `route` and `target`. */
  readonly routesDisabled: CounterLike;
}

export interface DeliverLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const noopCounter: CounterLike = { inc: () => undefined };

export const noopDeliverMetrics: DeliverMetrics = {
  delivered: noopCounter,
  deliveryRetries: noopCounter,
  deadLettered: noopCounter,
  deliveryLatency: { observe: () => undefined },
  routesDisabled: noopCounter,
};

export const silentLogger: DeliverLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
