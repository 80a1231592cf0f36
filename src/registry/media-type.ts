/**
 * Media type helpers for `datacontenttype` and event.yaml's `contentType` (CORE-M8: RFC 2046
 * `type/subtype[; params]`).
 */

const TOKEN = "[!#$%&'*+.^_`|~0-9a-z-]+";
const ESSENCE = new RegExp(`^${TOKEN}/${TOKEN}$`);

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
 * Does the content type declare JSON? One rule for the whole product (JSON-M5, JSON-S1): the codec's,
 * so schema validation, routing filters and encoders never disagree about the same event.
 */
export { isJsonContentType } from '../codec/index.js';
