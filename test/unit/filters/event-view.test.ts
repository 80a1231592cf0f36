/** EventView: lazy, memoized, never-throwing data decoding; and filters call data() only when needed. */
import { describe, expect, it, vi } from 'vitest';
import { compileFilter, compileFilters, eventView, isJsonContentType, type EventView } from '../../../src/route/filters/index.js';
import type { CloudEvent } from '../../../src/core/index.js';

const enc = new TextEncoder();
const event = (data: string | Uint8Array | undefined, datacontenttype?: string): CloudEvent => ({
  attributes: { specversion: '1.0', id: '1', source: '/s', type: 't', ...(datacontenttype === undefined ? {} : { datacontenttype }) },
  data: typeof data === 'string' ? enc.encode(data) : data,
});

describe('eventView', () => {
  it('parses JSON data once, on first call, and returns the same value after', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const v = eventView(event('{"amount":5}', 'application/json'));
      expect(parse).not.toHaveBeenCalled();
      const first = v.data();
      expect(first).toEqual({ amount: 5 });
      expect(v.data()).toBe(first);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it.each<[string, string | Uint8Array | undefined, string | undefined, unknown]>([
    ['JSON content type', '{"a":[1,2]}', 'application/json; charset=utf-8', { a: [1, 2] }],
    ['+json content type', '{"a":1}', 'application/cloudevents+json', { a: 1 }],
    ['no content type: JSON (JSON-S1)', '"I\'m just a string"', undefined, "I'm just a string"],
    ['JSON null is a value', 'null', 'application/json', null],
    ['no data', undefined, 'application/json', undefined],
    ['unparseable JSON', '{Something[Not:valid}JSON', undefined, undefined],
    ['empty JSON body', '', 'application/json', undefined],
    ['text content type: the string', '<much wow="xml"/>', 'application/xml', '<much wow="xml"/>'],
    ['text that looks like JSON stays text', '{"a":1}', 'text/plain', '{"a":1}'],
    ['bytes that are not UTF-8', new Uint8Array([0xff, 0xfe, 0x00]), 'application/octet-stream', undefined],
  ])('%s', (_n, data, ct, expected) => {
    const v = eventView(event(data, ct));
    expect(() => v.data()).not.toThrow();
    expect(v.data()).toEqual(expected);
  });

  it('exposes the attributes unchanged', () => {
    const ev = event(undefined);
    expect(eventView(ev).attributes).toBe(ev.attributes);
  });
});

describe('isJsonContentType (JSON-M5; sdk-java dataIsJsonContentType cases)', () => {
  it.each([
    'application/json',
    'application/json;charset=utf-8',
    'application/json;\tcharset = "utf-8"',
    'application/cloudevents+json;charset=UTF-8',
    'application/ld+json',
    'text/json',
    'text/json;',
    'text/json; \t',
    'text/cloudevents+json;charset=UTF-8',
    "text/json; char-set = $!#$%&'*+.^_`|",
    'Application/JSON',
  ])('yes: %j', (ct) => expect(isJsonContentType(ct)).toBe(true));
  it.each(['applications/json', 'application/jsom', 'application/jsonwrong', 'text/json ', 'text/json ;', 'test/json', 'text/plain', ''])(
    'no: %j',
    (ct) => expect(isJsonContentType(ct)).toBe(false),
  );
});

describe('filters decode data lazily', () => {
  const attributes = { specversion: '1.0', id: '1', source: '/auction', type: 'bid', seq: 1 };
  const spyView = (data: unknown) => {
    const fn = vi.fn(() => data);
    return { view: { attributes, data: fn } satisfies EventView, fn };
  };

  it('data() is never called when no filter needs it, on match, miss or explain', () => {
    const f = compileFilters([
      { exact: { type: 'bid' } },
      { sql: 'seq = 1' },
      { pattern: { source: [{ prefix: '/auc' }] } },
      { not: { prefix: { id: '9' } } },
    ]);
    expect(f.needsData).toBe(false);
    const { view, fn } = spyView({ amount: 1 });
    expect(f.matches(view)).toBe(true);
    expect(f.explain(view).matched).toBe(true);
    expect(compileFilter({ exact: { type: 'other' } }).matches(view)).toBe(false);
    expect(fn).not.toHaveBeenCalled();
  });

  it('data() is called once per evaluation when several filters need it', () => {
    const f = compileFilters([
      { pattern: { data: { amount: [{ numeric: ['>', 100] }] } } },
      { any: [{ exact: { type: 'nope' } }, { pattern: { data: { currency: ['EUR'] } } }] },
      { not: { pattern: { data: { flagged: [true] } } } },
    ]);
    expect(f.needsData).toBe(true);
    const { view, fn } = spyView({ amount: 150, currency: 'EUR', flagged: false });
    expect(f.matches(view)).toBe(true);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(f.explain(view).matched).toBe(true);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('data() is not called when an earlier attribute filter already failed', () => {
    const f = compileFilters([{ exact: { type: 'other' } }, { pattern: { data: { amount: [1] } } }]);
    const { view, fn } = spyView({ amount: 1 });
    expect(f.matches(view)).toBe(false);
    expect(fn).not.toHaveBeenCalled();
  });

  it('with eventView, the bytes are parsed once across all filters and evaluations', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const f = compileFilters([{ pattern: { data: { a: [1] } } }, { pattern: { data: { b: [2] } } }]);
      const v = eventView(event('{"a":1,"b":2}', 'application/json'));
      expect(f.matches(v)).toBe(true);
      expect(f.matches(v)).toBe(true);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });
});
