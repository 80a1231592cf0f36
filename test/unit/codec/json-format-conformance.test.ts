/**
 * The upstream JSON-format conformance vectors (shared/acceptance/conformance/format/json/*.json,
 * 43 cases) against the "golden" samples described in conformance/format/README.md.
 */
import { describe, expect, it } from 'vitest';
import { CausewayError, type AttributeValue, type CloudEvent, type ErrorCode } from '../../../src/core/index.js';
import { parseBatch, parseStructuredEvent } from '../../../src/codec/index.js';
import { readAcceptance, text, utf8 } from './support.js';

interface Vector {
  id: string;
  sampleId?: string;
  testType?: string;
  event?: unknown;
  batch?: unknown;
}
const load = (file: string): { testType: string; tests: Vector[] } => JSON.parse(readAcceptance(`format/json/${file}`));

// ---- Golden samples, written out in code as format/README.md asks. ----
type Typed = { kind: 'timestamp'; value: string } | { kind: 'binary'; bytes: number[] } | AttributeValue;
interface Sample {
  attributes: Record<string, Typed>;
  data?: string;
}
const ts = (value: string): Typed => ({ kind: 'timestamp', value });
const minimal = { specversion: '1.0', id: 'minimal', type: 'io.cloudevents.test', source: 'https://cloudevents.io' };
const allCore: Sample = {
  attributes: {
    ...minimal,
    id: 'allCore',
    datacontenttype: 'text/plain',
    dataschema: 'https://cloudevents.io/dataschema',
    subject: 'tests',
    time: ts('2018-04-05T17:31:00Z'),
  },
};
const allExtensionTypes: Sample = {
  attributes: {
    ...minimal,
    id: 'allExtensionTypes',
    extinteger: 10,
    extboolean: true,
    extstring: 'text',
    extbinary: { kind: 'binary', bytes: [77, 97] },
    exttimestamp: ts('2023-03-31T15:12:00Z'),
    exturi: 'https://cloudevents.io',
    exturiref: '//authority/path',
  },
};
const SAMPLES: Record<string, Sample> = {
  minimal: { attributes: minimal },
  minimalWithTime: { attributes: { ...minimal, id: 'minimalWithTime', time: ts('2018-04-05T17:31:00Z') } },
  minimalWithRelativeSource: { attributes: { ...minimal, id: 'minimalWithRelativeSource', source: '#fragment' } },
  allCore,
  // The README says id "simpleData"; the vector says "simpleTextData". We follow the vector
  // (shared/acceptance/README.md, "Upstream inconsistency").
  simpleTextData: { attributes: { ...minimal, id: 'simpleTextData', datacontenttype: 'text/plain' }, data: 'Simple text' },
  allExtensionTypes,
};
const BATCH_SAMPLES: Record<string, Sample[]> = {
  empty: [],
  minimal: [SAMPLES['minimal'] as Sample],
  minimal2: [SAMPLES['minimal'] as Sample, SAMPLES['minimal'] as Sample],
  minimalAndAllCore: [SAMPLES['minimal'] as Sample, allCore],
  minimalAndAllExtensionTypes: [SAMPLES['minimal'] as Sample, allExtensionTypes],
};

/** Compares only CloudEvent-relevant differences: timestamps by instant, binary by bytes. */
function expectMatchesSample(ev: CloudEvent, sample: Sample): void {
  expect(Object.keys(ev.attributes).sort()).toEqual(Object.keys(sample.attributes).sort());
  for (const [name, want] of Object.entries(sample.attributes)) {
    const got = ev.attributes[name];
    if (typeof want === 'object' && want.kind === 'timestamp') {
      expect(typeof got).toBe('string');
      expect(Date.parse(got as string), name).toBe(Date.parse(want.value));
    } else if (typeof want === 'object' && want.kind === 'binary') {
      expect([...Buffer.from(got as string, 'base64')], name).toEqual(want.bytes);
    } else {
      expect(got, name).toStrictEqual(want);
    }
  }
  expect(text(ev.data)).toBe(sample.data);
}

// Expected error codes for every invalid vector: not just "it throws".
const INVALID_EVENT_CODES: Record<string, ErrorCode> = {
  invalidNoSpecVersion: 'CW_MISSING_ATTRIBUTE',
  invalidNoId: 'CW_MISSING_ATTRIBUTE',
  invalidNoType: 'CW_MISSING_ATTRIBUTE',
  invalidNoSource: 'CW_MISSING_ATTRIBUTE',
  invalidTimeGarbage: 'CW_INVALID_ATTRIBUTE',
  invalidTimeToMinute: 'CW_INVALID_ATTRIBUTE',
  invalidTimeOffsetX: 'CW_INVALID_ATTRIBUTE',
  invalidTimeOffsetOutOfRange: 'CW_INVALID_ATTRIBUTE',
  invalidTimeOffsetNonInteger: 'CW_INVALID_ATTRIBUTE',
  invalidTimeOffsetHourOnly: 'CW_INVALID_ATTRIBUTE',
  invalidEmptyId: 'CW_INVALID_ATTRIBUTE',
  invalidEmptyType: 'CW_INVALID_ATTRIBUTE',
  invalidEmptySource: 'CW_INVALID_ATTRIBUTE',
  invalidEmptySpecVersion: 'CW_INVALID_ATTRIBUTE',
  invalidUnknownSpecVersion: 'CW_UNSUPPORTED_SPECVERSION',
  invalidNonRfc2046DataContentType: 'CW_INVALID_ATTRIBUTE',
  invalidEmptyDataContentType: 'CW_INVALID_ATTRIBUTE',
  invalidEmptyDataSchema: 'CW_INVALID_ATTRIBUTE',
  invalidEmptySubject: 'CW_INVALID_ATTRIBUTE',
  invalidNumericId: 'CW_INVALID_ATTRIBUTE',
  invalidObjectId: 'CW_INVALID_ATTRIBUTE',
  invalidCapitalizedExtension: 'CW_INVALID_ATTRIBUTE_NAME',
  invalidPunctuatedExtension: 'CW_INVALID_ATTRIBUTE_NAME',
  invalidNonIntegerExtensionValue: 'CW_INVALID_ATTRIBUTE_NAME',
  invalidBothDataAndDataBase64: 'CW_INVALID_DATA',
};
const INVALID_BATCH_CODES: Record<string, ErrorCode> = {
  invalidBatchMixedSpecVersions: 'CW_MIXED_SPECVERSION',
  invalidBatchContainingInvalidCloudEvent: 'CW_INVALID_BATCH',
  invalidBatchContainingNonObject: 'CW_INVALID_BATCH',
};

function thrown(f: () => unknown): CausewayError {
  try {
    f();
  } catch (e) {
    if (e instanceof CausewayError) return e;
    throw e;
  }
  throw new Error('expected a CausewayError');
}

const files = {
  validEvents: load('valid-events.json'),
  invalidEvents: load('invalid-events.json'),
  validBatches: load('valid-batches.json'),
  invalidBatches: load('invalid-batches.json'),
};

describe('JSON format conformance vectors (43 cases)', () => {
  it('has all 43 vectors, each with an expectation', () => {
    const counts = Object.values(files).map((f) => f.tests.length);
    expect(counts).toEqual([10, 25, 5, 3]);
    expect(Object.keys(INVALID_EVENT_CODES).sort()).toEqual(files.invalidEvents.tests.map((t) => t.id).sort());
    expect(Object.keys(INVALID_BATCH_CODES).sort()).toEqual(files.invalidBatches.tests.map((t) => t.id).sort());
  });

  describe('valid-events.json', () => {
    it.each(files.validEvents.tests.map((t) => [t.id, t] as const))('%s parses to its golden sample', (_id, t) => {
      expect(t.testType ?? files.validEvents.testType).toBe('ValidSingleEvent');
      const sample = SAMPLES[t.sampleId as string];
      expect(sample, `sample ${t.sampleId}`).toBeDefined();
      expectMatchesSample(parseStructuredEvent(utf8(JSON.stringify(t.event))), sample as Sample);
    });
  });

  describe('invalid-events.json', () => {
    it.each(files.invalidEvents.tests.map((t) => [t.id, t] as const))('%s is rejected', (id, t) => {
      const err = thrown(() => parseStructuredEvent(utf8(JSON.stringify(t.event))));
      expect(err.code).toBe(INVALID_EVENT_CODES[id]);
      expect(err.status).toBe(400);
      expect(err.errors.length).toBeGreaterThan(0);
    });
  });

  describe('valid-batches.json', () => {
    it.each(files.validBatches.tests.map((t) => [t.id, t] as const))('%s parses to its golden batch', (_id, t) => {
      const want = BATCH_SAMPLES[t.sampleId as string] as Sample[];
      const got = parseBatch(utf8(JSON.stringify(t.batch)));
      expect(got).toHaveLength(want.length);
      got.forEach((ev, i) => expectMatchesSample(ev, want[i] as Sample));
    });
  });

  describe('invalid-batches.json', () => {
    it.each(files.invalidBatches.tests.map((t) => [t.id, t] as const))('%s is rejected as a whole', (id, t) => {
      const err = thrown(() => parseBatch(utf8(JSON.stringify(t.batch))));
      expect(err.code).toBe(INVALID_BATCH_CODES[id]);
      expect(err.errors.every((e) => /^\[\d+\]/.test(e.path))).toBe(true);
    });
  });
});
