/**
 * CORE-M19: the CloudEvents String type forbids control characters (U+0000–U+001F,
 * U+007F–U+009F), Unicode noncharacters (U+FDD0–U+FDEF, U+xFFFE/U+xFFFF in every plane)
 * and unpaired surrogates. Returns a reason, or undefined when the string is valid.
 */
export function stringTypeViolation(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return `control character U+${hex(c)} at index ${i}`;
    if (c >= 0xfdd0 && c <= 0xfdef) return `noncharacter U+${hex(c)} at index ${i}`;
    if ((c & 0xfffe) === 0xfffe) return `noncharacter U+${hex(c)} at index ${i}`;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return `unpaired surrogate at index ${i}`;
      const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
      if ((cp & 0xfffe) === 0xfffe) return `noncharacter U+${hex(cp)} at index ${i}`;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return `unpaired surrogate at index ${i}`;
    }
  }
  return undefined;
}

/** True when the string has no unpaired surrogates, i.e. it can be encoded as UTF-8. */
export function isWellFormedUtf16(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
