import { randomHex } from './random-pool.js';

/** W3C Trace Context `traceparent` (EXT-TRACE-M1): version-traceid-parentid-flags, lower-case hex. */
export interface TraceContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Parses a traceparent; undefined when invalid (all-zero ids and version ff are invalid per W3C). */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  // Version 00 has exactly four fields; future versions may append more, which we ignore.
  if (version === '00' && rest !== undefined) return undefined;
  return { traceId, spanId, flags };
}

export const formatTraceparent = (t: TraceContext): string => `00-${t.traceId}-${t.spanId}-${t.flags}`;

/** Random ids, never all zeros (W3C Trace Context §3.2.2.3/§3.2.2.4: all-zero ids are invalid). */
function nonZeroHex(bytes: number, zero: string): string {
  for (;;) {
    const hex = randomHex(bytes);
    if (hex !== zero) return hex;
  }
}

/** A new root trace (sampled). */
export const newTrace = (): TraceContext => ({ traceId: nonZeroHex(16, ZERO_TRACE), spanId: nonZeroHex(8, ZERO_SPAN), flags: '01' });

/** A child span in the same trace: what one hop does to the context it received. */
export const childOf = (parent: TraceContext): TraceContext => ({
  traceId: parent.traceId,
  spanId: nonZeroHex(8, ZERO_SPAN),
  flags: parent.flags,
});
