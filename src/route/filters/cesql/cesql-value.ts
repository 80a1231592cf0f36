/**
 * CESQL's three primitive types (SQL-M7). Integer is a JS number that always holds an int32
 * (never -0, never a fraction); Boolean and String are the JS primitives.
 */
export type CesqlValue = string | number | boolean;
export type CesqlType = 'String' | 'Integer' | 'Boolean';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

export const isInt32 = (n: number): boolean => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX;

export function typeOfValue(v: CesqlValue): CesqlType {
  return typeof v === 'string' ? 'String' : typeof v === 'number' ? 'Integer' : 'Boolean';
}

/** SQL-M7 zero values, returned with an error when no better value exists (SQL-M12). */
export function zeroValue(t: CesqlType): CesqlValue {
  return t === 'String' ? '' : t === 'Integer' ? 0 : false;
}

export function hasType(v: unknown, t: CesqlType): v is CesqlValue {
  switch (t) {
    case 'String':
      return typeof v === 'string';
    case 'Boolean':
      return typeof v === 'boolean';
    case 'Integer':
      return typeof v === 'number' && isInt32(v);
  }
}

/**
 * An attribute as CESQL sees it (SQL-M8): Integer and Boolean stay typed, everything else
 * (URI, Timestamp, Binary as Base64) is a String. A number that is not an int32 cannot be a
 * CloudEvents Integer, so it is treated as its decimal String rather than silently truncated.
 */
export function attributeValue(v: unknown): CesqlValue | undefined {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return isInt32(v) ? v | 0 : String(v);
  if (v === undefined || v === null) return undefined;
  return String(v);
}

/** For messages: strings quoted the CESQL way, other values as literals. */
export function describeValue(v: CesqlValue): string {
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  return typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);
}
