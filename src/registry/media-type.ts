/**
 * Media type helpers for `datacontenttype` and event.yaml's `contentType` (CORE-M8: RFC 2046
 * `type/subtype[; params]`).
 */

const TOKEN = "[!#$%&'*+.^_`|~0-9a-z-]+";
const ESSENCE = new RegExp(`^${TOKEN}/${TOKEN}$`);
const JSON_ESSENCE = new RegExp(`^${TOKEN}/(?:${TOKEN}\\+)?json$`);

/**
 * `type/subtype` lower-cased, parameters dropped; undefined when malformed. Whitespace before
 * the `;` is not trimmed, so `text/json ;` and `text/json ` are malformed (as sdk-java's tests
 * expect, spec digest §9).
 */
export function mediaTypeEssence(mediaType: string): string | undefined {
  const semi = mediaType.indexOf(';');
  const essence = (semi === -1 ? mediaType : mediaType.slice(0, semi)).toLowerCase();
  return ESSENCE.test(essence) ? essence : undefined;
}

/**
 * Does the content type declare JSON data? JSON-M5: the media type without parameters is
 * `*\/json` or `*\/*+json`, case-insensitively; JSON-S1: an absent datacontenttype means JSON.
 */
export function isJsonContentType(datacontenttype: string | undefined): boolean {
  if (datacontenttype === undefined) return true;
  const essence = mediaTypeEssence(datacontenttype);
  return essence !== undefined && JSON_ESSENCE.test(essence);
}
