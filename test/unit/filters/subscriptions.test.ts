/** Subscriptions API dialects, one block per rule of spec digest §8 (SUB-M1..M11, SUB-N1). */
import { describe, expect, it, vi } from 'vitest';
import {
  compileFilter,
  compileFilters,
  FilterError,
  MAX_FILTER_DEPTH,
  type EventView,
  type FilterEvaluationError,
} from '../../../src/route/filters/index.js';
import type { AttributeValue } from '../../../src/core/index.js';

const push: Record<string, AttributeValue> = {
  specversion: '1.0',
  id: 'A234-1234-1234',
  source: 'https://github.com/cloudevents/spec/pull',
  type: 'com.github.push',
  subject: 'https://github.com/cloudevents/spec',
  time: '2024-04-05T17:31:00Z',
  flag: true,
  seq: 42,
  neg: -7,
};

const view = (attributes: Record<string, AttributeValue> = push, data: () => unknown = () => undefined): EventView => ({
  attributes,
  data,
});
const matches = (f: unknown, attrs: Record<string, AttributeValue> = push) => compileFilter(f).matches(view(attrs));

function rejection(compile: () => unknown): FilterError {
  try {
    compile();
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error('compiled without error');
}

describe('SUB-M1 filters list: AND of all, empty = true', () => {
  it('an empty list matches every event', () => {
    expect(compileFilters([]).matches(view({ id: 'x' }))).toBe(true);
  });
  it('every filter must be true', () => {
    const ok = { exact: { type: 'com.github.push' } };
    const no = { exact: { type: 'com.github.pull' } };
    expect(compileFilters([ok, { prefix: { source: 'https://github.com/' } }]).matches(view())).toBe(true);
    expect(compileFilters([ok, no]).matches(view())).toBe(false);
    expect(compileFilters([no, ok]).matches(view())).toBe(false);
  });
  it('the list itself must be an array, and element paths are indexed', () => {
    expect(rejection(() => compileFilters({ exact: {} }, 'when')).path).toBe('when');
    expect(rejection(() => compileFilters([{ exact: { type: 'x' } }, { exact: { type: '' } }], 'when')).path).toBe('when[1].exact.type');
  });
});

describe('SUB-M2 a filter object has exactly one dialect key', () => {
  it.each<[string, unknown, string]>([
    [
      'two dialects',
      { exact: { type: 'a' }, prefix: { type: 'b' } },
      'a filter has exactly one dialect key, found exact, prefix; combine several with {"all": [...]}',
    ],
    ['no key', {}, 'a filter has exactly one dialect key, found none; combine several with {"all": [...]}'],
  ])('%s is rejected', (_n, f, reason) => {
    const e = rejection(() => compileFilter(f, 'when[0]'));
    expect(e.path).toBe('when[0]');
    expect(e.reason).toBe(reason);
  });
  it.each([
    ['a string', 'exact'],
    ['an array', [{ exact: { type: 'a' } }]],
    ['null', null],
  ])('%s is not a filter', (_n, f) => {
    expect(rejection(() => compileFilter(f)).reason).toMatch(/object with one dialect key/);
  });
});

describe('SUB-M3 unsupported dialects reject the filter (never ignored)', () => {
  it('{"jsonpath": "$.x"} is rejected and names the dialect', () => {
    const e = rejection(() => compileFilter({ jsonpath: '$.x' }, 'when[3]'));
    expect(e.path).toBe('when[3].jsonpath');
    expect(e.reason).toMatch(/unsupported filter dialect "jsonpath"/);
  });
  it('dialect names are case-sensitive', () => {
    expect(rejection(() => compileFilter({ EXACT: { type: 'a' } })).reason).toMatch(/unsupported/);
  });
});

describe('SUB-M5 exact', () => {
  it('the spec example matches only when every attribute is equal', () => {
    expect(matches({ exact: { type: 'com.github.push', subject: 'https://github.com/cloudevents/spec' } })).toBe(true);
    expect(matches({ exact: { type: 'com.github.push', subject: 'https://github.com/cloudevents/sdk-go' } })).toBe(false);
  });
  it('is case-sensitive and whole-value', () => {
    expect(matches({ exact: { type: 'COM.GITHUB.PUSH' } })).toBe(false);
    expect(matches({ exact: { type: 'com.github' } })).toBe(false);
  });
  it.each<[string, unknown, string, RegExp]>([
    ['empty attribute name', { exact: { '': 'x' } }, 'exact[""]', /names must not be empty/],
    ['empty value', { exact: { type: '' } }, 'exact.type', /must not be empty/],
    ['non-string value', { exact: { seq: 42 } }, 'exact.seq', /must be a string/],
    ['invalid attribute name', { exact: { Type: 'x' } }, 'exact.Type', /not a CloudEvents attribute name/],
    ['empty object', { exact: {} }, 'exact', /at least one attribute/],
    ['not an object', { exact: ['type'] }, 'exact', /needs an object/],
  ])('rejects %s', (_n, f, path, reason) => {
    const e = rejection(() => compileFilter(f));
    expect(e.path).toBe(path);
    expect(e.reason).toMatch(reason);
  });
});

describe('SUB-M6 prefix and SUB-M7 suffix', () => {
  it('spec examples', () => {
    expect(matches({ prefix: { type: 'com.github.', subject: 'https://github.com/cloudevents' } })).toBe(true);
    expect(matches({ suffix: { type: '.push', subject: '/cloudevents/spec' } })).toBe(true);
    expect(matches({ suffix: { type: '.created', subject: '/cloudevents/spec' } })).toBe(false);
  });
  it('are case-sensitive', () => {
    expect(matches({ prefix: { type: 'COM.' } })).toBe(false);
    expect(matches({ suffix: { type: '.PUSH' } })).toBe(false);
  });
  it('reject empty values (SUB-M5 applies to the same shape)', () => {
    expect(rejection(() => compileFilter({ prefix: { type: '' } })).path).toBe('prefix.type');
    expect(rejection(() => compileFilter({ suffix: { '': 'a' } })).reason).toMatch(/names must not be empty/);
  });
});

describe('SUB-M8 all and SUB-M9 any', () => {
  it('all: every nested filter; any: at least one', () => {
    expect(matches({ all: [{ exact: { type: 'com.github.push' } }, { prefix: { source: 'https://' } }] })).toBe(true);
    expect(matches({ all: [{ exact: { type: 'com.github.push' } }, { prefix: { source: 'http://' } }] })).toBe(false);
    expect(matches({ any: [{ exact: { type: 'nope' } }, { prefix: { source: 'https://' } }] })).toBe(true);
    expect(matches({ any: [{ exact: { type: 'nope' } }, { prefix: { source: 'http://' } }] })).toBe(false);
  });
  it.each(['all', 'any'])('{"%s": []} and non-arrays are rejected', (d) => {
    expect(rejection(() => compileFilter({ [d]: [] })).reason).toMatch(/at least one filter/);
    expect(rejection(() => compileFilter({ [d]: { exact: { type: 'a' } } })).reason).toMatch(/array of filters/);
  });
  it('nested errors carry the full path', () => {
    const e = rejection(() => compileFilter({ any: [{ exact: { type: 'a' } }, { all: [{ not: { exact: { type: '' } } }] }] }, 'when[0]'));
    expect(e.path).toBe('when[0].any[1].all[0].not.exact.type');
  });
});

describe('SUB-M10 not', () => {
  it('inverts exactly one filter', () => {
    expect(matches({ not: { exact: { type: 'com.github.push' } } })).toBe(false);
    expect(matches({ not: { exact: { type: 'com.github.pull' } } })).toBe(true);
  });
  it('rejects an array or a non-object', () => {
    expect(rejection(() => compileFilter({ not: [{ exact: { type: 'a' } }] })).reason).toMatch(/exactly one filter object/);
    expect(rejection(() => compileFilter({ not: 'x' })).path).toBe('not');
  });
  it('SUB-N1.1: not(exact(missing attribute)) is true', () => {
    expect(matches({ not: { exact: { myext: 'x' } } })).toBe(true);
  });
});

describe('SUB-M11 sql (CESQL)', () => {
  it('the spec example', () => {
    expect(matches({ sql: "source LIKE '%cloudevents%'" })).toBe(true);
    expect(matches({ sql: "source LIKE '%kubernetes%'" })).toBe(false);
  });
  it('rejects an expression that does not parse, a non-string and an empty string', () => {
    const e = rejection(() => compileFilter({ sql: 'ABC(' }, 'when[1]'));
    expect(e.path).toBe('when[1].sql');
    expect(e.reason).toMatch(/CESQL parse error/);
    expect(rejection(() => compileFilter({ sql: 42 })).reason).toMatch(/expression string/);
    expect(rejection(() => compileFilter({ sql: '  ' })).reason).toMatch(/must not be empty/);
  });
  it('SQL-M29: errors and non-Boolean results are false, and errors are reported', () => {
    const onError = vi.fn<(e: FilterEvaluationError) => void>();
    const missing = compileFilter({ sql: "myext LIKE 'custom%'" }, 'when[0]', { onError });
    expect(missing.matches(view())).toBe(false);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ path: 'when[0].sql', dialect: 'sql' });
    expect(compileFilter({ sql: 'seq + 1' }, '', { onError }).matches(view())).toBe(false);
    expect(compileFilter({ sql: "LEFT('abc', -2) = 'abc'" }, '', { onError }).matches(view())).toBe(false);
    expect(onError).toHaveBeenCalledTimes(2); // `seq + 1` is not an error, just not Boolean
  });
  it('sees Integer and Boolean extensions with their types', () => {
    expect(matches({ sql: 'seq = 42 AND flag' })).toBe(true);
  });
});

describe('SUB-N1 our choices', () => {
  it('1. an attribute missing from the event makes exact/prefix/suffix false', () => {
    for (const d of ['exact', 'prefix', 'suffix']) expect(matches({ [d]: { myext: 'x' } })).toBe(false);
  });
  it('2. non-string attributes compare by canonical string', () => {
    expect(matches({ exact: { flag: 'true' } })).toBe(true);
    expect(matches({ exact: { flag: 'TRUE' } })).toBe(false);
    expect(matches({ exact: { seq: '42' } })).toBe(true);
    expect(matches({ exact: { neg: '-7' } })).toBe(true);
    expect(matches({ prefix: { seq: '4' } })).toBe(true);
    expect(matches({ prefix: { time: '2024-' } })).toBe(true);
    expect(matches({ exact: { flag: 'false' } }, { ...push, flag: false })).toBe(true);
  });
  it(`3. nesting is limited to ${MAX_FILTER_DEPTH} levels`, () => {
    const nest = (n: number): unknown => (n === 1 ? { exact: { type: 'com.github.push' } } : { not: nest(n - 1) });
    expect(compileFilter(nest(MAX_FILTER_DEPTH)).matches(view())).toBe(MAX_FILTER_DEPTH % 2 === 1);
    expect(rejection(() => compileFilter(nest(MAX_FILTER_DEPTH + 1))).reason).toMatch(/at most 32 levels/);
  });
});

describe('pattern (our extension)', () => {
  it('matches attributes and data, and reports the pattern path on bad input', () => {
    const f = compileFilter({ pattern: { type: [{ prefix: 'com.github.' }], data: { ref: [{ suffix: '/main' }] } } });
    expect(f.needsData).toBe(true);
    expect(f.matches(view(push, () => ({ ref: 'refs/heads/main' })))).toBe(true);
    expect(f.matches(view(push, () => ({ ref: 'refs/heads/dev' })))).toBe(false);
    const e = rejection(() => compileFilter({ pattern: { data: { amount: [{ numeric: ['>', 'x'] }] } } }, 'when[2]'));
    expect(e.path).toBe('when[2].pattern.data.amount[0].numeric[1]');
    expect(e.cause).toBeDefined();
  });
  it('a view whose data() throws makes the filter false and is reported', () => {
    const onError = vi.fn<(e: FilterEvaluationError) => void>();
    const f = compileFilter({ pattern: { data: { a: [1] } } }, 'p', { onError });
    const bad = view(push, () => {
      throw new Error('boom');
    });
    expect(f.matches(bad)).toBe(false);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ path: 'p.pattern', dialect: 'pattern' }));
  });
  it('a throwing onError hook does not change the answer', () => {
    const f = compileFilter({ sql: 'missing = 1' }, '', {
      onError: () => {
        throw new Error('metrics down');
      },
    });
    expect(f.matches(view())).toBe(false);
  });
});
