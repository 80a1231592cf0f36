export { normalizePlain, type PlainInput, type ProducerIdentity } from './normalize-plain.js';
