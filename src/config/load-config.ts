import { parse as parseYaml } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CausewayError, type ErrorItem } from '../core/index.js';
import { CONFIG_SCHEMA } from './config-schema.js';
import { DEFAULT_CONFIG, type Config } from './config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** CAUSEWAY_* names are part of the interface (DESIGN §8): operators and scripts rely on them. */
const ENV_MAP: ReadonlyArray<readonly [string, string, 'string' | 'int' | 'bool' | 'list']> = [
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
];

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(CONFIG_SCHEMA);

function convert(name: string, raw: string, kind: 'string' | 'int' | 'bool' | 'list', errors: ErrorItem[]): unknown {
  if (kind === 'string') return raw;
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
  const envWithFallback: Env = { ...env, CAUSEWAY_KAFKA_BROKERS: env.CAUSEWAY_KAFKA_BROKERS ?? env.KAFKA_BROKERS };
  for (const [name, path, kind] of ENV_MAP) {
    const raw = envWithFallback[name];
    if (raw !== undefined && raw !== '') setPath(merged, path, convert(name, raw, kind, errors));
  }
  if (!validate(merged)) {
    for (const e of validate.errors ?? []) {
      const at = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const extra = e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : '';
      errors.push({ path: at || '(root)', message: `${e.message ?? 'invalid'}${extra}` });
    }
  }
  if (errors.length > 0) {
    throw new CausewayError('CW_CONFIG_INVALID', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
  return deepFreeze(merged as unknown as Config);
}
