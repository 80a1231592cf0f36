/** A DeliverMetrics that remembers what it was told, for assertions. */
import type { DeliverLabels, DeliverMetrics } from '../../../src/deliver/index.js';

export class RecordingMetrics implements DeliverMetrics {
  readonly values = new Map<string, number>();
  readonly latencies: number[] = [];
  private counter(name: string) {
    return {
      inc: (labels: DeliverLabels, value = 1) => {
        const k = `${name}${JSON.stringify(labels)}`;
        this.values.set(k, (this.values.get(k) ?? 0) + value);
      },
    };
  }
  readonly delivered = this.counter('delivered');
  readonly deliveryRetries = this.counter('retries');
  readonly deadLettered = this.counter('deadLettered');
  readonly routesDisabled = this.counter('routesDisabled');
  readonly deliveryLatency = { observe: (_l: DeliverLabels, v: number) => void this.latencies.push(v) };

  /** Sum of a counter over the labels that contain `match`. */
  total(name: string, match: Record<string, string> = {}): number {
    let n = 0;
    for (const [k, v] of this.values) {
      if (!k.startsWith(`${name}{`)) continue;
      const labels = JSON.parse(k.slice(name.length)) as Record<string, string>;
      if (Object.entries(match).every(([mk, mv]) => labels[mk] === mv)) n += v;
    }
    return n;
  }
}
