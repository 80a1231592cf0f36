/** Shared helpers for the codec tests (not a test file itself). */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { AttributeValue, CloudEvent } from '../../../src/core/index.js';

export const ACCEPTANCE = new URL('../../../../shared/acceptance/conformance/', import.meta.url);

/** Reads an upstream conformance file; the JSON vectors start with a BOM. */
export function readAcceptance(rel: string): string {
  return readFileSync(new URL(rel, ACCEPTANCE), 'utf8').replace(/^\uFEFF/, '');
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

/** Builds Node's `req.headersDistinct` shape from a flat header record. */
export function distinct(headers: Record<string, string | number | boolean | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    (out[k.toLowerCase()] ??= []).push(String(v));
  }
  return out;
}

/** Attributes by canonical string (CORE-N3): binary modes carry every value as a string. */
export function canonical(attrs: Readonly<Record<string, AttributeValue>>): Record<string, string> {
  return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)]));
}

export const event = (attributes: Record<string, AttributeValue>, data?: string | Uint8Array): CloudEvent => ({
  attributes,
  data: typeof data === 'string' ? utf8(data) : data,
});

export const MINIMAL = { specversion: '1.0', id: 'x1', source: 'https://example.com/src', type: 'com.example.test' } as const;

// ---------- fast-check arbitraries for valid events ----------

/** Strings valid for the CloudEvents String type (CORE-M19): no controls, noncharacters or lone surrogates. */
export const ceString = (minLength = 0): fc.Arbitrary<string> =>
  fc
    .string({ unit: 'grapheme', minLength, maxLength: 20 })
    .filter(
      (s) =>
        s.length >= minLength &&
        !/[\u0000-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]/.test(s) &&
        !/[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]/.test(s),
    );

const extName = fc
  .stringMatching(/^[a-z0-9]{1,12}$/)
  .filter(
    (n) =>
      ![
        'data',
        'id',
        'source',
        'specversion',
        'type',
        'datacontenttype',
        'dataschema',
        'subject',
        'time',
        'partitionkey',
        'traceparent',
        'tracestate',
      ].includes(n),
  );

const extValue: fc.Arbitrary<AttributeValue> = fc.oneof(ceString(), fc.integer({ min: -2147483648, max: 2147483647 }), fc.boolean());

const timeArb = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

export interface EventCase {
  readonly event: CloudEvent;
  /** What the data is: decides what a format may do with it. */
  readonly dataKind: 'none' | 'json' | 'text' | 'binary';
}

const jsonText = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));

/** Valid events with JSON, text, binary or no data; attributes of every type. */
export const eventArb: fc.Arbitrary<EventCase> = fc
  .record({
    id: ceString(1),
    source: fc.constantFrom(
      'https://example.com/a',
      '/relative/path',
      '#frag',
      'urn:uuid:123e4567-e89b-12d3-a456-426614174000',
      '//authority/p?q=1',
    ),
    type: ceString(1),
    subject: fc.option(ceString(1), { nil: undefined }),
    time: fc.option(timeArb, { nil: undefined }),
    dataschema: fc.option(fc.constant('https://example.com/schema.json'), { nil: undefined }),
    exts: fc.dictionary(extName, extValue, { maxKeys: 4 }),
    data: fc.oneof(
      fc.constant({ kind: 'none' as const, ct: undefined, bytes: undefined }),
      fc.record({
        kind: fc.constant('json' as const),
        ct: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/json', 'application/ld+json'),
        bytes: jsonText.map(utf8),
      }),
      fc.record({ kind: fc.constant('json' as const), ct: fc.constant(undefined), bytes: jsonText.map(utf8) }),
      fc.record({
        kind: fc.constant('text' as const),
        ct: fc.constantFrom('text/plain', 'text/plain; charset=utf-8', 'application/xml'),
        bytes: fc.string({ unit: 'grapheme' }).map(utf8),
      }),
      fc.record({
        kind: fc.constant('binary' as const),
        ct: fc.constantFrom('application/octet-stream', 'image/png', undefined),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
      }),
    ),
  })
  .map((r) => {
    const attributes: Record<string, AttributeValue> = { specversion: '1.0', id: r.id, source: r.source, type: r.type };
    if (r.subject !== undefined) attributes['subject'] = r.subject;
    if (r.time !== undefined) attributes['time'] = r.time;
    if (r.dataschema !== undefined) attributes['dataschema'] = r.dataschema;
    if (r.data.ct !== undefined) attributes['datacontenttype'] = r.data.ct;
    Object.assign(attributes, r.exts);
    // An empty body means "no data" in the binary bindings (HTTP-M3, KAFKA-M7), so empty data is "none".
    const bytes = r.data.bytes !== undefined && r.data.bytes.length > 0 ? r.data.bytes : undefined;
    return { event: { attributes, data: bytes }, dataKind: bytes === undefined ? 'none' : r.data.kind };
  });
