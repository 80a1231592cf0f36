import { describe, expect, it } from 'vitest';
import type { DeliverMetrics } from '../../../src/deliver/index.js';
import { Metrics } from '../../../src/observability/index.js';

describe('prom-client metrics satisfy DeliverMetrics', () => {
  it('app/ can pass Metrics straight to the dispatcher, and the series show up', async () => {
    const m = new Metrics({ defaultMetrics: false });
    const dm: DeliverMetrics = m; // compile-time check of the shape
    dm.delivered.inc({ route: 'r', target: 'http' });
    dm.deadLettered.inc({ route: 'r', target: 'http', code: 'CW_RETRIES_EXHAUSTED' });
    dm.deliveryRetries.inc({ route: 'r', target: 'http', code: 'CW_TARGET_THROTTLED' });
    dm.deliveryLatency.observe({ route: 'r', target: 'http' }, 0.02);
    dm.routesDisabled.inc({ route: 'r', target: 'http' });
    const text = await m.text();
    expect(text).toMatch(/causeway_deliveries_total\{route="r",target="http"\} 1/);
    expect(text).toMatch(/causeway_dead_letters_total\{route="r",target="http",code="CW_RETRIES_EXHAUSTED"\} 1/);
    expect(text).toMatch(/causeway_delivery_retries_total\{route="r",target="http",code="CW_TARGET_THROTTLED"\} 1/);
    expect(text).toMatch(/causeway_delivery_latency_seconds_count\{route="r",target="http"\} 1/);
    expect(text).toMatch(/causeway_routes_disabled_total\{route="r",target="http"\} 1/);
  });
});
