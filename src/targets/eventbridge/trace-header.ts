/**
 * The hop's W3C `traceparent` as the X-Ray trace header EventBridge's `TraceHeader` takes (DESIGN
 * §7: the per-hop context travels in the protocol's own field). The mapping is the one of the
 * OpenTelemetry AWS X-Ray propagator: the 32 hex digits of the trace id split 8 + 24 into
 * `Root=1-<8>-<24>`, the span id is `Parent`, the sampled flag is `Sampled`:
 *
 *   00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01
 *   → Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1
 *
 * X-Ray reads the first 8 digits as the trace's start in epoch seconds and drops a header whose
 * time is far off (EventBridge still delivers the event): traces started by an X-Ray-aware id
 * generator show up in X-Ray, others only carry the ids along.
 */
import { parseTraceparent } from '../../lineage/index.js';

export function xrayTraceHeader(traceparent: string | undefined): string | undefined {
  const t = parseTraceparent(traceparent);
  if (t === undefined) return undefined;
  // W3C trace-flags bit 0 is "sampled".
  const sampled = (Number.parseInt(t.flags, 16) & 1) === 1 ? 1 : 0;
  return `Root=1-${t.traceId.slice(0, 8)}-${t.traceId.slice(8)};Parent=${t.spanId};Sampled=${sampled}`;
}
