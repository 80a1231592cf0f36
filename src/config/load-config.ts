import { parse as parseYaml } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CausewayError, type ErrorItem } from '../core/index.js';
import { CONFIG_SCHEMA } from './config-schema.js';
import { DEFAULT_CONFIG, type Config } from './config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** CAUSEWAY_* names are part of the interface (DESIGN §8): operators and scripts rely on them. */
type EnvKind = 'string' | 'int' | 'bool' | 'list' | 'ingressTopics';
const ENV_MAP: ReadonlyArray<readonly [string, string, EnvKind]> = [
  ['CAUSEWAY_PORT', 'port', 'int'],
  ['CAUSEWAY_HOST', 'host', 'string'],
  ['CAUSEWAY_DATA_DIR', 'dataDir', 'string'],
  ['CAUSEWAY_SCHEMAS_DIR', 'schemasDir', 'string'],
  ['CAUSEWAY_ROUTES_DIR', 'routesDir', 'string'],
  ['CAUSEWAY_EVENTLOG', 'eventlog', 'string'],
  ['CAUSEWAY_ROLE', 'role', 'string'],
  ['CAUSEWAY_LOG_LEVEL', 'logLevel', 'string'],
  ['CAUSEWAY_BODY_LIMIT', 'bodyLimit', 'int'],
  ['CAUSEWAY_HTTP_SOURCE', 'httpSource', 'string'],
  ['CAUSEWAY_DEFAULT_TOPIC', 'defaultTopic', 'string'],
  ['CAUSEWAY_PARTITIONS', 'partitions', 'int'],
  ['CAUSEWAY_DEDUPE_WINDOW_MS', 'dedupeWindowMs', 'int'],
  ['CAUSEWAY_ALLOW_UNKNOWN_TYPES', 'allowUnknownTypes', 'bool'],
  ['CAUSEWAY_RETRY_AFTER_SECONDS', 'retryAfterSeconds', 'int'],
  ['CAUSEWAY_SHUTDOWN_TIMEOUT_MS', 'shutdownTimeoutMs', 'int'],
  ['CAUSEWAY_KAFKA_BROKERS', 'kafka.brokers', 'list'],
  ['CAUSEWAY_KAFKA_CLIENT_ID', 'kafka.clientId', 'string'],
  ['CAUSEWAY_KAFKA_PRODUCE_TIMEOUT_MS', 'kafka.produceTimeoutMs', 'int'],
  ['CAUSEWAY_KAFKA_REPLICATION_FACTOR', 'kafka.replicationFactor', 'int'],
  ['CAUSEWAY_KAFKA_CREATE_TOPICS', 'kafka.createTopics', 'bool'],
  ['CAUSEWAY_KAFKA_INGRESS_TOPICS', 'ingress.kafka.topics', 'ingressTopics'],
  ['CAUSEWAY_KAFKA_INGRESS_ENABLED', 'ingress.kafka.enabled', 'bool'],
  ['CAUSEWAY_KAFKA_INGRESS_GROUP', 'ingress.kafka.group', 'string'],
  ['CAUSEWAY_KAFKA_INGRESS_DLQ_TOPIC', 'ingress.kafka.deadLetterTopic', 'string'],
  ['CAUSEWAY_KAFKA_INGRESS_CONCURRENCY', 'ingress.kafka.concurrency', 'int'],
  ['CAUSEWAY_KAFKA_INGRESS_SESSION_TIMEOUT_MS', 'ingress.kafka.sessionTimeoutMs', 'int'],
];

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(CONFIG_SCHEMA);

/**
 * CAUSEWAY_KAFKA_INGRESS_TOPICS, for quick setups: `topic`, `topic:cloudevents`, `topic:json` or
 * `topic:json:<type>` (a constant `type`; other attributes take their defaults), comma-separated.
 * Topic names cannot hold `:`, so everything after the second colon is the type.
 */
function ingressTopics(name: string, raw: string, errors: ErrorItem[]): unknown[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  return items.map((item) => {
    const [topic = '', mode = 'cloudevents', ...rest] = item.split(':');
    const type = rest.join(':');
    if (mode !== 'cloudevents' && mode !== 'json') {
      errors.push({ path: name, message: `${JSON.stringify(item)}: mode must be cloudevents or json` });
    } else if (type !== '' && mode !== 'json') {
      errors.push({ path: name, message: `${JSON.stringify(item)}: a type can only be given in json mode` });
    }
    return type === '' ? { topic, mode } : { topic, mode, mapping: { type: { value: type } } };
  });
}

function convert(name: string, raw: string, kind: EnvKind, errors: ErrorItem[]): unknown {
  if (kind === 'string') return raw;
  if (kind === 'ingressTopics') return ingressTopics(name, raw, errors);
  if (kind === 'list') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (kind === 'bool') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    errors.push({ path: name, message: `must be true or false, got ${JSON.stringify(raw)}` });
    return raw;
  }
  if (!/^-?\d+$/.test(raw)) errors.push({ path: name, message: `must be an integer, got ${JSON.stringify(raw)}` });
  return Number(raw);
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let obj = target;
  for (const p of parts.slice(0, -1)) {
    const next = obj[p];
    if (typeof next !== 'object' || next === null) obj[p] = {};
    obj = obj[p] as Record<string, unknown>;
  }
  obj[parts[parts.length - 1]!] = value;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * Merges defaults ← causeway.yaml (when `fileText` is given) ← CAUSEWAY_* environment.
 * `KAFKA_BROKERS` is the fallback for CAUSEWAY_KAFKA_BROKERS. Throws CW_CONFIG_INVALID listing every problem.
 */
export function loadConfig(env: Env, fileText?: string, fileName = 'causeway.yaml'): Config {
  const errors: ErrorItem[] = [];
  let fromFile: Record<string, unknown> = {};
  if (fileText !== undefined) {
    try {
      const parsed: unknown = parseYaml(fileText);
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed)) errors.push({ path: fileName, message: 'must be a mapping' });
        else fromFile = parsed as Record<string, unknown>;
      }
    } catch (e) {
      errors.push({ path: fileName, message: (e as Error).message });
    }
  }
  const merged: Record<string, unknown> = structuredClone({ ...DEFAULT_CONFIG, ...fromFile }) as Record<string, unknown>;
  merged.kafka = { ...DEFAULT_CONFIG.kafka, ...((fromFile.kafka as object | undefined) ?? {}) };
  // `enabled` is left out of the defaults: when neither file nor env gives it, it follows `topics`.
  const { enabled: _derived, ...ingressDefaults } = DEFAULT_CONFIG.ingress.kafka;
  const fileIngress = fromFile.ingress ?? {};
  merged.ingress =
    isMapping(fileIngress) && (fileIngress.kafka === undefined || isMapping(fileIngress.kafka))
      ? { ...fileIngress, kafka: structuredClone({ ...ingressDefaults, ...fileIngress.kafka }) }
      : fileIngress; // not a mapping: the schema names the problem
  const envWithFallback: Env = { ...env, CAUSEWAY_KAFKA_BROKERS: env.CAUSEWAY_KAFKA_BROKERS ?? env.KAFKA_BROKERS };
  for (const [name, path, kind] of ENV_MAP) {
    const raw = envWithFallback[name];
    if (raw !== undefined && raw !== '') setPath(merged, path, convert(name, raw, kind, errors));
  }
  const ingress = isMapping(merged.ingress) && isMapping(merged.ingress.kafka) ? merged.ingress.kafka : undefined;
  if (ingress !== undefined) ingress.enabled ??= Array.isArray(ingress.topics) && ingress.topics.length > 0;
  if (!validate(merged)) {
    for (const e of validate.errors ?? []) {
      const fieldRef = /\/mapping\/properties\/\w+\/oneOf/.test(e.schemaPath);
      if (fieldRef && e.keyword === 'required') continue; // one line per oneOf branch says nothing useful
      const at = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const extra = e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : '';
      const message = fieldRef && e.keyword === 'oneOf' ? 'must name exactly one of field, header, value, key' : `${e.message ?? 'invalid'}${extra}`;
      errors.push({ path: at || '(root)', message });
    }
  } else {
    errors.push(...checkKafkaIngress((merged as unknown as Config).ingress.kafka));
  }
  if (errors.length > 0) {
    throw new CausewayError('CW_CONFIG_INVALID', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
  return deepFreeze(merged as unknown as Config);
}

/** What the JSON Schema cannot say; fills in `mode` (cloudevents when not given). */
function checkKafkaIngress(k: Config['ingress']['kafka']): ErrorItem[] {
  const errors: ErrorItem[] = [];
  const seen = new Set<string>();
  k.topics.forEach((t, i) => {
    const at = `ingress.kafka.topics.${i}`;
    (t as { mode: string }).mode ??= 'cloudevents';
    if (seen.has(t.topic)) errors.push({ path: `${at}.topic`, message: `topic ${t.topic} is listed more than once` });
    seen.add(t.topic);
    if (t.topic === k.deadLetterTopic) errors.push({ path: `${at}.topic`, message: 'the dead-letter topic cannot be an ingress topic' });
    if (t.mode === 'cloudevents' && t.mapping !== undefined) {
      errors.push({ path: `${at}.mapping`, message: 'a mapping applies only to json mode; cloudevents records carry their attributes' });
    }
    if (t.mapping?.id?.default !== undefined) {
      // One constant id for every record whose id place is empty would make the dedupe window drop them all.
      errors.push({ path: `${at}.mapping.id.default`, message: 'id cannot have a default: an empty id place falls back to kafka://topic/partition/offset' });
    }
  });
  if (k.enabled && k.topics.length === 0) errors.push({ path: 'ingress.kafka.topics', message: 'must name at least one topic when the Kafka ingress is enabled' });
  return errors;
}
