import {
  CausewayError,
  isCausewayError,
  type Accepted,
  type AcceptService,
  type CloudEvent,
  type ErrorItem,
  type EventLog,
  type HttpMessage,
  type LogRecord,
  type Position,
  type TransportMeta,
} from '../core/index.js';
import { decodeHttp, encodeKafkaBinary, isJsonContentType, validateAttributes } from '../codec/index.js';
import { LINEAGE, formatTraceparent, stampIngress } from '../lineage/index.js';
import { normalizePlain, type ProducerIdentity } from '../normalize/index.js';
import { resolvePartitionKey, type Registry } from '../registry/index.js';
import type { Metrics } from '../observability/index.js';
import { DedupeWindow } from './dedupe-window.js';

export interface AcceptDeps {
  readonly log: EventLog;
  readonly registry: Registry;
  readonly metrics: Metrics;
  readonly dedupe: DedupeWindow;
  readonly producer: ProducerIdentity;
  readonly defaultTopic: string;
  /**
   * Durable second look for ids the in-memory window has not seen (it starts empty after a
   * restart): the embedded log answers from the ids of its id journal it loaded at open.
   * Undefined for logs that cannot answer cheaply (Kafka).
   */
  readonly recall?: (source: string, id: string) => Position | undefined;
}

interface Planned {
  readonly event: CloudEvent;
  readonly topic: string;
  readonly record: LogRecord;
}

const utf8 = new TextEncoder();
/** Paths as the codec writes them: attribute names bare (`id`), data as pointers (`/data/x`), batch members `[i]/…`. */
const batchPath = (prefix: string, path: string): string =>
  prefix === '' ? path : path === '' ? prefix : `${prefix}${path.startsWith('/') ? '' : '/'}${path}`;
const single = (h: HttpMessage['headers'], name: string): string | undefined => {
  const v = h[name];
  return v && v.length > 0 ? v[0] : undefined;
};

/** The `type` label of events whose type has no schema: clients choose those strings, metrics must not grow with them. */
const UNREGISTERED_TYPE_LABEL = '(unregistered)';

/** The ACCEPT role (DESIGN §2): normalize → validate → stamp → durable append, then answer. */
export function createAcceptService(deps: AcceptDeps): AcceptService {
  const { metrics } = deps;
  /**
   * A registered type names itself with the registry's own string: one cut from a request body
   * would keep that whole body alive inside the metrics (V8 keeps a substring as a view of its parent).
   */
  const typeLabel = (type: unknown): string => {
    const t = String(type ?? '');
    return t === '' ? '' : (deps.registry.get(t)?.type ?? UNREGISTERED_TYPE_LABEL);
  };
  const reject = (err: unknown, type: string, ingress: string): never => {
    const code = isCausewayError(err) ? err.code : 'CW_INTERNAL';
    metrics.rejected.inc({ type: typeLabel(type), code, ingress: ingress.startsWith('kafka') ? 'kafka' : ingress });
    throw err;
  };

  /** Validates every event first: a batch is all-or-nothing (JSON-M9 choice), errors carry `[i]` paths. */
  function plan(events: readonly CloudEvent[], meta: TransportMeta, batch: boolean): Planned[] {
    const planned: Planned[] = [];
    const errors: ErrorItem[] = [];
    let first: CausewayError | undefined;
    const received = new Date().toISOString();
    events.forEach((raw, i) => {
      const prefix = batch ? `[${i}]` : '';
      try {
        const { event, hop } = stampIngress(raw, meta.traceparent, { authtype: meta.authtype, authid: meta.authid });
        const { type, data } = deps.registry.validate(event);
        const key =
          typeof event.attributes.partitionkey === 'string'
            ? event.attributes.partitionkey
            : type
              ? resolvePartitionKey(type, event, data)
              : undefined;
        const enc = encodeKafkaBinary(event, key === undefined ? null : utf8.encode(key));
        // enc.headers is a fresh object of ours: the lineage headers go straight into it (no copy).
        // They cannot collide with the `ce_` attribute headers or `content-type`.
        const headers = enc.headers;
        headers[LINEAGE.ingress] = meta.ingress;
        headers[LINEAGE.received] = received;
        headers[LINEAGE.traceparent] = formatTraceparent(hop);
        if (meta.hops !== undefined) headers[LINEAGE.hops] = String(meta.hops);
        planned.push({ event, topic: type?.topic ?? deps.defaultTopic, record: { key: enc.key, value: enc.value, headers } });
      } catch (err) {
        if (!isCausewayError(err)) throw err;
        first ??= err;
        metrics.rejected.inc({
          type: typeLabel(raw.attributes.type),
          code: err.code,
          ingress: meta.ingress.startsWith('kafka') ? 'kafka' : meta.ingress,
        });
        const items = err.errors.length > 0 ? err.errors : [{ path: '', message: err.message, code: err.code }];
        for (const it of items) errors.push({ ...it, path: batchPath(prefix, it.path), code: it.code ?? err.code });
      }
    });
    if (first) {
      const detail = batch
        ? `batch rejected, nothing stored: ${errors.length} problem(s) in ${events.length} event(s); first: ${first.message}`
        : first.message;
      throw new CausewayError(first.code, detail, { errors });
    }
    return planned;
  }

  /**
   * Appends what is new, answers repeats from the dedupe window (CORE-N1). Per append (one per
   * topic) one promise and one dedupe callback, however many events it holds: per-event promises
   * and Promise.all over them were a measurable part of a 100-event batch.
   */
  async function store(planned: readonly Planned[], ingress: string): Promise<Accepted[]> {
    const n = planned.length;
    const positions: Position[] = new Array(n);
    const duplicate: boolean[] = new Array(n).fill(false);
    /** Repeats: a position or pending append from the window (or the log), or the index of a twin in this request. */
    const repeats: Array<[number, Position | Promise<Position> | number]> = [];
    const byTopic = new Map<string, { idx: number[]; keys: string[] }>();
    const seenHere = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const p = planned[i]!;
      const source = String(p.event.attributes.source);
      const id = String(p.event.attributes.id);
      const key = DedupeWindow.key(source, id);
      const twin = seenHere.get(key);
      const known = twin === undefined ? (deps.dedupe.lookup(key) ?? deps.recall?.(source, id)) : undefined;
      if (twin !== undefined || known !== undefined) {
        duplicate[i] = true;
        repeats.push([i, known ?? twin!]);
        continue;
      }
      seenHere.set(key, i);
      let group = byTopic.get(p.topic);
      if (group === undefined) byTopic.set(p.topic, (group = { idx: [], keys: [] }));
      group.idx.push(i);
      group.keys.push(key);
    }
    const appends: Array<{ idx: number[]; appended: Promise<Position[]> }> = [];
    for (const [topic, { idx, keys }] of byTopic) {
      const started = performance.now();
      const records = new Array<LogRecord>(idx.length);
      for (let j = 0; j < idx.length; j++) records[j] = planned[idx[j]!]!.record;
      const appended = deps.log.append(topic, records).then((pos) => {
        metrics.appendSeconds.observe({ log: deps.log.kind }, (performance.now() - started) / 1000);
        metrics.appendBatchSize.observe({ log: deps.log.kind }, idx.length);
        return pos;
      });
      appended.catch(() => undefined); // observed below; a failure of another append must not go unhandled
      deps.dedupe.trackAll(keys, appended);
      appends.push({ idx, appended });
    }
    try {
      for (const { idx, appended } of appends) {
        const pos = await appended;
        for (let j = 0; j < idx.length; j++) positions[idx[j]!] = pos[j]!;
      }
      // A twin takes its first occurrence's position, which is known by now (it comes earlier).
      for (const [i, r] of repeats) positions[i] = typeof r === 'number' ? positions[r]! : await r;
    } catch (err) {
      // The outcome is unknown: the client retries with the same ids and the window absorbs duplicates.
      const e = isCausewayError(err)
        ? err
        : new CausewayError('CW_EVENTLOG_UNAVAILABLE', `event log append failed: ${(err as Error).message}`, { cause: err });
      for (const p of planned) metrics.rejected.inc({ type: typeLabel(p.event.attributes.type), code: e.code, ingress });
      throw e;
    }
    const counts = new Map<string, { type: string; duplicate: string; n: number }>();
    const accepted: Accepted[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const a = planned[i]!.event.attributes;
      const type = typeLabel(a.type);
      const dup = duplicate[i]!;
      // One counter update per (type, duplicate) of the request, not per event: same totals.
      const label = dup ? `1${type}` : `0${type}`;
      const c = counts.get(label);
      if (c === undefined) counts.set(label, { type, duplicate: String(dup), n: 1 });
      else c.n++;
      const { topic, partition, offset } = positions[i]!;
      accepted[i] = { id: String(a.id), source: String(a.source), topic, partition, offset, duplicate: dup };
    }
    for (const c of counts.values()) metrics.accepted.inc({ type: c.type, ingress, duplicate: c.duplicate }, c.n);
    return accepted;
  }

  return {
    async acceptHttp(msg, meta) {
      let decoded: ReturnType<typeof decodeHttp>;
      try {
        decoded = decodeHttp(msg.headers as Record<string, string[]>, msg.body);
      } catch (err) {
        return reject(err, '', meta.ingress);
      }
      const planned = plan(decoded.events, meta, decoded.mode === 'batch');
      return { mode: decoded.mode, accepted: await store(planned, 'http') };
    },

    async acceptEvent(event, meta) {
      const ingress = meta.ingress.startsWith('kafka') ? 'kafka' : meta.ingress;
      try {
        assertValidAttributes(event);
      } catch (err) {
        return reject(err, String(event.attributes.type ?? ''), meta.ingress);
      }
      const [one] = await store(plan([event], meta, false), ingress);
      return one!;
    },

    async acceptPlain(type, msg, meta) {
      let ev: CloudEvent;
      try {
        ev = normalizeChecked(type, msg, deps.producer);
      } catch (err) {
        return reject(err, type, meta.ingress);
      }
      const [one] = await store(plan([ev], meta, false), 'http');
      return one!;
    },
  };
}

/** The plain endpoint's own checks before the shared pipeline: JSON syntax, single Idempotency-Key, attributes. */
function normalizeChecked(type: string, msg: HttpMessage, producer: ProducerIdentity): CloudEvent {
  const contentType = single(msg.headers, 'content-type');
  if (isJsonContentType(contentType) && msg.body.length > 0) {
    try {
      JSON.parse(Buffer.from(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength).toString('utf8'));
    } catch (e) {
      throw new CausewayError('CW_MALFORMED_JSON', `body is not valid JSON: ${(e as Error).message}`);
    }
  }
  const idem = msg.headers['idempotency-key'];
  if (idem && idem.length > 1) throw new CausewayError('CW_DUPLICATE_ATTRIBUTE', 'Idempotency-Key given more than once');
  const ev = normalizePlain({ type, body: msg.body, contentType, idempotencyKey: idem?.[0] }, producer);
  assertValidAttributes(ev);
  return ev;
}

function assertValidAttributes(ev: CloudEvent): void {
  const problems = validateAttributes(ev.attributes);
  if (problems.length > 0) {
    const p = problems[0]!;
    throw new CausewayError(p.code ?? 'CW_INVALID_ATTRIBUTE', `${p.path}: ${p.message}`, { errors: problems });
  }
}
