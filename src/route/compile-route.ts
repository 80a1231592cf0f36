/**
 * One schema-valid route → CompiledRoute: filters compiled (FilterError → field path), durations
 * and sizes turned into numbers, every default applied, and the fingerprint computed.
 */
import { createHash } from 'node:crypto';
import { CesqlParseError } from './filters/cesql/index.js';
import { compileFilters, FilterError, type CompiledFilter, type FilterOptions } from './filters/index.js';
import { dottedSegments, type Segment } from './locate-node.js';
import { MAX_DURATION_MS, parseDuration, parseSize } from './parse-duration.js';
import { deadLetterTopicFor, DELIVERY_DEFAULTS } from './route-schema.js';
import type { BackoffPolicy, CompiledRoute, DeliveryOptions, Ordering } from './types.js';

/** A problem inside one route; `field` is relative to the route. */
export interface CompileProblem {
  readonly field: readonly Segment[];
  readonly message: string;
  /** For CESQL parse errors: the 1-based line inside the expression (block scalars map it to the file). */
  readonly expressionLine?: number;
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});

/** Compiles a route's `when` list; a FilterError becomes a problem with its field path. */
export function compileWhen(when: readonly unknown[], options: FilterOptions, problems: CompileProblem[]): CompiledFilter | undefined {
  try {
    return compileFilters(when, 'when', options);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    const cause = e.cause;
    if (cause instanceof CesqlParseError) {
      // The parser's "(line L, column C)" is inside the expression, not the file: say so.
      const detail = cause.message.replace(/ \(line \d+, column \d+\)$/, '');
      problems.push({
        field: dottedSegments(e.path),
        message: `${detail} (expression line ${cause.line}, column ${cause.column})`,
        expressionLine: cause.line,
      });
    } else {
      problems.push({ field: dottedSegments(e.path), message: e.reason });
    }
    return undefined;
  }
}

function duration(raw: Raw, key: string, fallback: string, field: Segment[], problems: CompileProblem[]): number {
  const v = raw[key] ?? fallback;
  const ms = parseDuration(v as string | number);
  if (ms === undefined) {
    problems.push({ field: [...field, key], message: `${JSON.stringify(v)} is not a duration` }); // unreachable after the schema
    return 0;
  }
  if (ms > MAX_DURATION_MS)
    problems.push({ field: [...field, key], message: `at most ${MAX_DURATION_MS} ms (about 24.8 days), got ${ms} ms` });
  return ms;
}

function compileDelivery(id: string, raw: Raw, problems: CompileProblem[]): DeliveryOptions {
  const d = ['delivery'];
  const batchRaw = obj(raw['batch']);
  const maxBytesRaw = (batchRaw['maxBytes'] ?? DELIVERY_DEFAULTS.batch.maxBytes) as string | number;
  const maxBytes = parseSize(maxBytesRaw) ?? 0;
  if (maxBytes < 1)
    problems.push({ field: [...d, 'batch', 'maxBytes'], message: `must be at least 1 byte, got ${JSON.stringify(maxBytesRaw)}` });
  const backoffDelay = duration(raw, 'backoffDelay', DELIVERY_DEFAULTS.backoffDelay, d, problems);
  const backoffMax = duration(raw, 'backoffMax', DELIVERY_DEFAULTS.backoffMax, d, problems);
  if (backoffMax < backoffDelay)
    problems.push({ field: [...d, 'backoffMax'], message: `must not be below backoffDelay (${backoffMax} ms < ${backoffDelay} ms)` });
  const timeout = duration(raw, 'timeout', DELIVERY_DEFAULTS.timeout, d, problems);
  if (timeout === 0) problems.push({ field: [...d, 'timeout'], message: 'must be more than 0 ms' });
  const rate = raw['rateLimit'] === undefined ? undefined : obj(raw['rateLimit']);
  const perSecond = rate === undefined ? 0 : Number(rate['perSecond']);
  return {
    ordering: (raw['ordering'] ?? DELIVERY_DEFAULTS.ordering) as Ordering,
    concurrency: (raw['concurrency'] ?? DELIVERY_DEFAULTS.concurrency) as number,
    batch: {
      maxEvents: (batchRaw['maxEvents'] ?? DELIVERY_DEFAULTS.batch.maxEvents) as number,
      maxBytes,
      maxWaitMs: duration(batchRaw, 'maxWait', DELIVERY_DEFAULTS.batch.maxWait, [...d, 'batch'], problems),
    },
    retry: (raw['retry'] ?? DELIVERY_DEFAULTS.retry) as number,
    backoffPolicy: (raw['backoffPolicy'] ?? DELIVERY_DEFAULTS.backoffPolicy) as BackoffPolicy,
    backoffDelayMs: backoffDelay,
    backoffMaxMs: backoffMax,
    timeoutMs: timeout,
    ...(rate !== undefined && {
      rateLimit: { perSecond, burst: (rate['burst'] as number | undefined) ?? Math.max(1, Math.ceil(perSecond)) },
    }),
    deadLetterTopic: (obj(raw['deadLetter'])['topic'] as string | undefined) ?? deadLetterTopicFor(id),
    maxHops: (raw['maxHops'] ?? DELIVERY_DEFAULTS.maxHops) as number,
  };
}

/** JSON with object keys sorted, so equal definitions hash equally whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Raw;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Compiles one route that passed the schema. Returns the route, or the problems found (all of
 * them: filters and delivery are both checked).
 */
export function compileRoute(
  raw: Raw,
  where: { file: string; line: number },
  options: FilterOptions = {},
): { route?: CompiledRoute; problems: CompileProblem[] } {
  const problems: CompileProblem[] = [];
  const id = raw['id'] as string;
  const when = (raw['when'] ?? []) as unknown[];
  const filter = compileWhen(when, options, problems);
  const delivery = compileDelivery(id, obj(raw['delivery']), problems);
  const [kind, config] = Object.entries(obj(raw['to']))[0] as [string, Raw];
  if (filter === undefined || problems.length > 0) return { problems };
  const from = raw['from'] as string[];
  const enabled = (raw['enabled'] ?? true) as boolean;
  const target = { kind, config };
  const fingerprint = createHash('sha256').update(canonicalJson({ id, from, when, target, delivery, enabled })).digest('hex');
  const description = raw['description'] as string | undefined;
  return {
    route: { id, file: where.file, line: where.line, description, from, when, filter, target, delivery, enabled, fingerprint },
    problems,
  };
}
