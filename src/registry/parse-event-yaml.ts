import { parseDocument } from 'yaml';
import { COMPATIBILITY_MODES, type CompatibilityMode, type PartitionKeySource, type SchemaProblem } from './types.js';
import { isJsonPointer } from '../codec/index.js';
import { mediaTypeEssence } from './media-type.js';

/** What a type's event.yaml declares, validated. */
export interface EventYaml {
  readonly topic?: string;
  readonly partitionKey?: PartitionKeySource;
  readonly compatibility: CompatibilityMode;
  readonly owner?: string;
  readonly description?: string;
  readonly contentType?: string;
}

const KEYS = ['topic', 'partitionKey', 'compatibility', 'owner', 'description', 'contentType'] as const;
/** Kafka's legal topic names (same rule for the embedded log, so a file works on both). */
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
/** CloudEvents attribute names: lower-case letters and digits only (CORE naming rule). */
const ATTRIBUTE = /^[a-z0-9]+$/;

/**
 * Parses and validates one event.yaml. Every problem is collected (not just the first), each
 * naming the key as a JSON pointer. An absent `compatibility` means `backward`, Confluent
 * Schema Registry's default.
 */
export function parseEventYaml(text: string, file: string): { config?: EventYaml; problems: SchemaProblem[] } {
  const problems: SchemaProblem[] = [];
  const bad = (key: string, message: string): void => {
    problems.push({ file, pointer: key === '' ? '' : `/${key}`, message });
  };
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.push({ file, message: `invalid YAML: ${firstLine(e.message)}` });
    return { problems };
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    bad('', 'event.yaml must be a mapping (topic, partitionKey, compatibility, owner, description, contentType)');
    return { problems };
  }
  const y = raw as Record<string, unknown>;
  for (const key of Object.keys(y)) {
    if (!(KEYS as readonly string[]).includes(key)) bad(key, `unknown key "${key}" (allowed: ${KEYS.join(', ')})`);
  }
  const str = (key: string): string | undefined => {
    const v = y[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      bad(key, `${key} must be a non-empty string`);
      return undefined;
    }
    return v;
  };

  const topic = str('topic');
  if (topic !== undefined && (!TOPIC.test(topic) || topic === '.' || topic === '..')) {
    bad('topic', `topic "${topic}" is not a legal topic name (letters, digits, ".", "_", "-"; at most 249)`);
  }

  let partitionKey: PartitionKeySource | undefined;
  const pk = str('partitionKey');
  if (pk !== undefined) {
    if (pk.startsWith('/')) {
      if (isJsonPointer(pk)) partitionKey = { pointer: pk };
      else bad('partitionKey', `partitionKey "${pk}" is not a valid JSON pointer (RFC 6901: "~" only as "~0" or "~1")`);
    } else if (pk === 'data') {
      bad('partitionKey', 'partitionKey "data" is not an attribute; point into the data with a JSON pointer such as "/itemId"');
    } else if (ATTRIBUTE.test(pk)) {
      partitionKey = { attribute: pk };
    } else {
      bad(
        'partitionKey',
        `partitionKey "${pk}" must be a JSON pointer into data ("/itemId") or an attribute name ([a-z0-9]+, e.g. "subject")`,
      );
    }
  }

  let compatibility: CompatibilityMode = 'backward';
  const c = y['compatibility'];
  if (c !== undefined && c !== null) {
    if (typeof c === 'string' && (COMPATIBILITY_MODES as readonly string[]).includes(c)) compatibility = c as CompatibilityMode;
    else bad('compatibility', `compatibility must be one of ${COMPATIBILITY_MODES.join(', ')} (got ${JSON.stringify(c)})`);
  }

  const contentType = str('contentType');
  if (contentType !== undefined && mediaTypeEssence(contentType) === undefined) {
    bad('contentType', `contentType "${contentType}" is not a media type (type/subtype, RFC 2046)`);
  }
  const owner = str('owner');
  const description = str('description');

  if (problems.length > 0) return { problems };
  const config: EventYaml = {
    compatibility,
    ...(topic !== undefined && { topic }),
    ...(partitionKey !== undefined && { partitionKey }),
    ...(owner !== undefined && { owner }),
    ...(description !== undefined && { description }),
    ...(contentType !== undefined && { contentType }),
  };
  return { config, problems };
}

function firstLine(message: string): string {
  const i = message.indexOf(':\n');
  return i === -1 ? message.trim() : message.slice(0, i);
}
