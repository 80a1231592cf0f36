/**
 * Durations and sizes as route authors write them (`200ms`, `30s`, `5MB`) and as the compiled
 * routes carry them: milliseconds and bytes. The JSON Schema patterns below and these parsers
 * agree by construction: the schema refuses what the parsers cannot read.
 */

/** `200ms`, `1.5s`, `5m`, `1h`; a bare YAML number means milliseconds. */
export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$';
/** `512KB`, `5MB`, `1.5MiB`, `100B`; a bare YAML number means bytes. */
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?(B|KB|MB|GB|KiB|MiB|GiB)$';

/** setTimeout's limit: a longer timer fires at once, which would turn a long wait into none. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/**
 * Binary multiples, as AWS counts its limits (Lambda's 6 MB = 6,291,456 bytes, EventBridge's
 * 256 KB = 262,144 bytes), so a batch sized `6MB` fits a Lambda payload. KiB/MiB/GiB are synonyms.
 */
const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1024,
  KiB: 1024,
  MB: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1024 ** 3,
  GiB: 1024 ** 3,
};

const DURATION_RE = new RegExp(DURATION_PATTERN);
const SIZE_RE = new RegExp(SIZE_PATTERN);

function parseWith(value: number | string, re: RegExp, units: Readonly<Record<string, number>>): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const m = re.exec(value);
  if (m === null) return undefined;
  const unit = units[m[2] as string] as number;
  return Math.round(Number(value.slice(0, value.length - (m[2] as string).length)) * unit);
}

/** Milliseconds, rounded; undefined when `value` is not a duration. */
export function parseDuration(value: number | string): number | undefined {
  return parseWith(value, DURATION_RE, DURATION_UNITS);
}

/** Bytes, rounded; undefined when `value` is not a size. */
export function parseSize(value: number | string): number | undefined {
  return parseWith(value, SIZE_RE, SIZE_UNITS);
}
