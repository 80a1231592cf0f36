/**
 * Context-attribute validation shared by every ingress mode (spec digest §1).
 * Pure: takes the decoded attribute map, returns every problem found (never throws).
 */
import { REQUIRED_ATTRIBUTES, type AttributeValue, type ErrorItem } from '../core/index.js';
import { isMediaType } from './media-type.js';
import { stringTypeViolation } from './string-type.js';
import { isRfc3339 } from './timestamp.js';
import { isAbsoluteUri, isUriReference } from './uri.js';

export { isJsonContentType } from './media-type.js';

/** The only specversion we accept (CORE-M5). Legacy "0.3" is not supported. */
export const SPEC_VERSION = '1.0';

const NAME = /^[a-z0-9]+$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Core attributes whose type is String, URI, URI-reference or Timestamp: never a number/boolean. */
const CORE_STRINGS = new Set(['id', 'source', 'specversion', 'type', 'datacontenttype', 'dataschema', 'subject', 'time']);
/** Known String extensions we check when present (EXT-PART-M1, EXT-TRACE-M1, EXT-TRACE-N1). */
const EXT_STRINGS = new Set(['partitionkey', 'traceparent', 'tracestate']);

const NON_EMPTY_RULE: Readonly<Record<string, string>> = {
  id: 'CORE-M3',
  type: 'CORE-M6',
  subject: 'CORE-M11',
  partitionkey: 'EXT-PART-M1',
  traceparent: 'EXT-TRACE-M1',
};

// W3C Trace Context §3.2: version-traceid-parentid-flags, lower-case hex.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** CORE-M22: the canonical string encoding (Integer → decimal, Boolean → true/false). */
export function canonicalString(value: AttributeValue): string {
  return typeof value === 'string' ? value : String(value);
}

/** EXT-TRACE-M1: W3C `traceparent`; version ff and all-zero ids are invalid. */
export function isTraceparent(s: string): boolean {
  const m = TRACEPARENT.exec(s);
  if (m === null) return false;
  const [, version, traceId, parentId, , rest] = m;
  if (version === 'ff' || /^0+$/.test(traceId ?? '') || /^0+$/.test(parentId ?? '')) return false;
  // Version 00 has exactly four fields; later versions may append more (W3C §4.3).
  return version !== '00' || rest === undefined;
}

/** CORE-M13, CORE-M14, CORE-M15: a reason when `name` cannot be an attribute name, else undefined. */
export function attributeNameViolation(name: string): string | undefined {
  if (name === 'data') return 'is reserved by the event formats and cannot be an attribute name (CORE-M14)';
  if (!NAME.test(name)) return 'has an invalid name: only lower-case a-z and 0-9 are allowed (CORE-M13, CORE-M15)';
  return undefined;
}

/** Returns a reason when `value` breaks the type system (CORE-M16..M19), else undefined. */
function typeViolation(value: unknown): string | undefined {
  switch (typeof value) {
    case 'boolean':
      return undefined;
    case 'number':
      // CORE-M18: Integer is int32; floats are no CloudEvents type (CORE-M16).
      if (!Number.isInteger(value)) return 'is not an Integer: only whole numbers are allowed (CORE-M16, CORE-M18)';
      if (value < INT32_MIN || value > INT32_MAX) return 'is outside the Integer range -2147483648..2147483647 (CORE-M18)';
      return undefined;
    case 'string': {
      const bad = stringTypeViolation(value);
      return bad === undefined ? undefined : `is not a valid String: ${bad} (CORE-M19)`;
    }
    default:
      return 'must be a Boolean, Integer or String value (CORE-M16)';
  }
}

/** Checks specific to core and known extension attributes, given a valid string value. */
function semanticViolation(name: string, v: string): { message: string; code?: ErrorItem['code'] } | undefined {
  switch (name) {
    case 'specversion':
      if (v === '') return { message: 'must be a non-empty String (CORE-M5)' };
      if (v !== SPEC_VERSION) return { message: `"${v}" is not supported; only "1.0" is (CORE-M5)`, code: 'CW_UNSUPPORTED_SPECVERSION' };
      return undefined;
    case 'id':
    case 'type':
    case 'subject':
    case 'partitionkey':
    case 'traceparent':
      if (v === '') return { message: `must be a non-empty String (${NON_EMPTY_RULE[name]})` };
      if (name === 'traceparent' && !isTraceparent(v)) return { message: 'is not a W3C traceparent (EXT-TRACE-M1)' };
      return undefined;
    case 'source':
      if (v === '') return { message: 'must be a non-empty URI-reference (CORE-M4)' };
      return isUriReference(v) ? undefined : { message: 'is not an RFC 3986 URI-reference (CORE-M4)' };
    case 'dataschema':
      return isAbsoluteUri(v) ? undefined : { message: 'must be a non-empty absolute URI (CORE-M10)' };
    case 'datacontenttype':
      return isMediaType(v) ? undefined : { message: 'must be an RFC 2046 media type such as "text/plain" (CORE-M8)' };
    case 'time':
      return isRfc3339(v) ? undefined : { message: 'must be an RFC 3339 timestamp such as "2018-04-05T17:31:00Z" (CORE-M12)' };
    default:
      return undefined;
  }
}

/**
 * Values that passed the type and semantic checks, per attribute. `source`, `datacontenttype`
 * and `dataschema` take a URI or media-type parse, and most traffic repeats a few values of them;
 * the checks are pure functions of (name, value), so a remembered pass is the same answer.
 * Bounded: a flood of distinct values only empties the memo now and then.
 */
const MEMO_NAMES = new Set(['source', 'datacontenttype', 'dataschema', 'specversion', 'type']);
const MEMO_MAX = 1024;
const memo = new Map<string, Set<string>>([...MEMO_NAMES].map((n) => [n, new Set<string>()]));

function problem(pathPrefix: string, name: string, message: string, code: NonNullable<ErrorItem['code']>): ErrorItem {
  return { path: pathPrefix + name, message: `Attribute "${name}" ${message}`, code };
}

/**
 * Validates decoded context attributes (CORE-M1..M22). `pathPrefix` is prepended to each
 * error path, e.g. `[3]/` for a batch member. Returns [] when the attributes are valid.
 */
export function validateAttributes(attrs: Readonly<Record<string, AttributeValue>>, pathPrefix = ''): ErrorItem[] {
  const errors: ErrorItem[] = [];
  for (const name of REQUIRED_ATTRIBUTES) {
    // CORE-M1
    if (!Object.hasOwn(attrs, name) || attrs[name] === undefined)
      errors.push(problem(pathPrefix, name, 'is required (CORE-M1)', 'CW_MISSING_ATTRIBUTE'));
  }
  for (const name of Object.keys(attrs)) {
    const value = attrs[name];
    if (value === undefined) continue;
    const known = typeof value === 'string' ? memo.get(name) : undefined;
    if (known?.has(value as string)) continue;
    const badName = attributeNameViolation(name);
    if (badName !== undefined) {
      errors.push(problem(pathPrefix, name, badName, 'CW_INVALID_ATTRIBUTE_NAME'));
      continue;
    }
    const typeBad = typeViolation(value);
    if (typeBad !== undefined) {
      errors.push(problem(pathPrefix, name, typeBad, 'CW_INVALID_ATTRIBUTE'));
      continue;
    }
    if (typeof value !== 'string') {
      if (CORE_STRINGS.has(name) || EXT_STRINGS.has(name))
        errors.push(problem(pathPrefix, name, 'must be a String (CORE-M3..M12)', 'CW_INVALID_ATTRIBUTE'));
      continue;
    }
    const bad = semanticViolation(name, value);
    if (bad !== undefined) errors.push(problem(pathPrefix, name, bad.message, bad.code ?? 'CW_INVALID_ATTRIBUTE'));
    else if (known !== undefined) {
      if (known.size >= MEMO_MAX) known.clear();
      known.add(value);
    }
  }
  return errors;
}
