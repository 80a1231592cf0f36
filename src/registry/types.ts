/**
 * The shapes the schema registry hands out (DESIGN §4). A registry is built once at start
 * (and on reload) from a `schemas/` directory; everything here is read-only afterwards.
 */

import type { CloudEvent } from '../core/index.js';

/** A JSON Schema document or subschema (2020-12): an object or a boolean schema. */
export type JSONSchema = boolean | { readonly [keyword: string]: unknown };

/** Compatibility mode declared in a type's event.yaml (Confluent Schema Registry's words). */
export type CompatibilityMode = 'none' | 'backward' | 'forward' | 'full';
export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = ['none', 'backward', 'forward', 'full'];

/** Where a type's partition key comes from when the event has no `partitionkey` attribute. */
export type PartitionKeySource = { readonly pointer: string } | { readonly attribute: string };

export interface SchemaVersion {
  readonly version: number;
  /** The schema's `$id`: the URI producers put in `dataschema`. */
  readonly id: string;
  readonly schema: { readonly [keyword: string]: unknown };
}

export interface TypeInfo {
  readonly type: string;
  /** event.yaml's `topic`, else the registry's `defaultTopic`. */
  readonly topic: string;
  readonly partitionKey?: PartitionKeySource;
  readonly compatibility: CompatibilityMode;
  readonly owner?: string;
  readonly description?: string;
  /** A media type this type's data may have besides JSON (e.g. `application/xml`). */
  readonly contentType?: string;
  /** Ascending by version. May be empty only for a type that declares a non-JSON contentType. */
  readonly versions: readonly SchemaVersion[];
  /** Highest version number; 0 when the type has no versions. */
  readonly latest: number;
}

/** One problem found in a schemas directory: the file, where in it (JSON pointer), and what. */
export interface SchemaProblem {
  readonly file: string;
  readonly pointer?: string;
  readonly message: string;
}

/** Result of {@link Registry.validate}: the event's type (undefined for an allowed unknown type) and its data. */
export interface ValidatedData {
  readonly type: TypeInfo | undefined;
  /**
   * The data as parsed JSON when the event carries JSON data; the raw bytes (Uint8Array) for
   * non-JSON data; undefined when the event has no data. Callers extract the partition key
   * from it (resolvePartitionKey) without parsing twice.
   */
  readonly data: unknown;
}

export interface Registry {
  /** Every registered type, sorted by name. */
  types(): readonly TypeInfo[];
  get(type: string): TypeInfo | undefined;
  /**
   * Validates an event's data against its schema: the version named by `dataschema`, else the
   * type's latest. Throws CausewayError CW_UNKNOWN_TYPE, CW_UNKNOWN_DATASCHEMA, CW_INVALID_DATA
   * or CW_SCHEMA_VIOLATION.
   */
  validate(ev: CloudEvent): ValidatedData;
}
