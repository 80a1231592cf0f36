/** Public surface of the pure CloudEvents codecs (DESIGN §9). */
export {
  SPEC_VERSION,
  attributeNameViolation,
  canonicalString,
  isJsonContentType,
  isTraceparent,
  validateAttributes,
} from './attributes.js';
export { isMediaType, mediaTypeEssence } from './media-type.js';
export { isRfc3339 } from './timestamp.js';
export { isAbsoluteUri, isUriReference } from './uri.js';
export { stringTypeViolation } from './string-type.js';
export { percentDecode, percentEncode } from './percent.js';
export {
  JSON_BATCH_MEDIA_TYPE,
  JSON_EVENT_MEDIA_TYPE,
  encodeBatch,
  encodeStructuredEvent,
  isJsonData,
  parseBatch,
  parseStructuredEvent,
} from './json-format.js';
export {
  BATCH_CONTENT_TYPE,
  STRUCTURED_CONTENT_TYPE,
  decodeHttp,
  detectHttpMode,
  encodeHttpBatch,
  encodeHttpBinary,
  encodeHttpStructured,
  hasCloudEventHeaders,
  isSupportedHttpContentType,
  type DistinctHeaders,
  type HttpDecoded,
  type HttpMessage,
  type HttpMode,
} from './http.js';
export {
  KAFKA_STRUCTURED_CONTENT_TYPE,
  decodeKafka,
  detectKafkaMode,
  encodeKafkaBinary,
  encodeKafkaStructured,
  type KafkaHeaderValue,
  type KafkaMessage,
  type KafkaMode,
} from './kafka.js';
export { escapePointerToken, getByPointer, isJsonPointer, joinPointer, parseJsonPointer } from './json-pointer.js';
