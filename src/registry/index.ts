/** The schema registry (DESIGN §4): schemas/ loader, compiled validators, compatibility checker. */
export { loadRegistry, type LoadRegistryOptions } from './load-registry.js';
export { checkSchemasDir } from './check-schemas.js';
export { checkCompatibility, type CompatibilityProblem } from './compatibility.js';
export { resolvePartitionKey } from './resolve-partition-key.js';
export { isJsonContentType, mediaTypeEssence } from './media-type.js';
export type {
  CompatibilityMode,
  JSONSchema,
  PartitionKeySource,
  Registry,
  SchemaProblem,
  SchemaVersion,
  TypeInfo,
  ValidatedData,
} from './types.js';
