/** explain(): which condition failed, as used by `causeway routes test`. */
import { describe, expect, it } from 'vitest';
import { compileFilter, compileFilters, type EventView } from '../../../src/route/filters/index.js';

const attributes = { specversion: '1.0', id: '1', source: '/auction/eu', type: 'com.example.auction.bid.placed', seq: 3 };
const view = (data: unknown = { amount: 50, bidder: { tier: 'gold' } }): EventView => ({ attributes, data: () => data });

const when = [
  { exact: { type: 'com.example.auction.bid.placed' } },
  { sql: "source LIKE '/auction/%'" },
  { pattern: { data: { amount: [{ numeric: ['>', 100] }] } } },
];

describe('explain', () => {
  it('agrees with matches() and gives no failure when the event passes', () => {
    const f = compileFilters(when, 'when');
    expect(f.explain(view({ amount: 150 }))).toEqual({ matched: true });
    expect(f.matches(view({ amount: 150 }))).toBe(true);
  });

  it('names the first failing filter of the DESIGN §5 route, down to the pattern field', () => {
    expect(compileFilters(when, 'when').explain(view())).toEqual({
      matched: false,
      failed: {
        path: 'when[2].pattern.data.amount',
        filter: '[{"numeric":[">",100]}]',
        reason: 'the event does not match this part of the pattern',
      },
    });
  });

  it('exact/prefix/suffix name the failing attribute and show its value or absence', () => {
    const f = compileFilter({ exact: { type: 'com.example.auction.bid.placed', source: '/auction/us' } }, 'when[0]');
    expect(f.explain(view()).failed).toEqual({
      path: 'when[0].exact.source',
      filter: '{"exact":{"source":"/auction/us"}}',
      reason: '"source" is "/auction/eu"',
    });
    expect(compileFilter({ suffix: { myext: 'x' } }).explain(view()).failed).toMatchObject({
      path: 'suffix.myext',
      reason: 'the event has no "myext" attribute',
    });
    expect(compileFilter({ prefix: { seq: '4' } }).explain(view()).failed?.reason).toBe('"seq" is "3"');
  });

  it('all descends into the failing child; any and not report themselves', () => {
    const all = compileFilter({ all: [{ exact: { seq: '3' } }, { any: [{ exact: { type: 'a' } }, { exact: { type: 'b' } }] }] }, 'w');
    expect(all.explain(view()).failed).toEqual({
      path: 'w.all[1].any',
      filter: '{"any":[{"exact":{"type":"a"}},{"exact":{"type":"b"}}]}',
      reason: 'none of the 2 filters matched',
    });
    const not = compileFilter({ not: { prefix: { source: '/auction/' } } }, 'w');
    expect(not.explain(view()).failed).toEqual({
      path: 'w.not',
      filter: '{"not":{"prefix":{"source":"/auction/"}}}',
      reason: 'the negated filter matched',
    });
  });

  it('sql says whether the result was FALSE, not Boolean, or an error', () => {
    expect(compileFilter({ sql: 'seq > 5' }).explain(view()).failed?.reason).toBe('the expression is FALSE for this event');
    expect(compileFilter({ sql: 'seq + 1' }).explain(view()).failed?.reason).toBe('the result 4 is not a Boolean');
    expect(compileFilter({ sql: "myext LIKE 'a%'" }).explain(view()).failed?.reason).toMatch(/^evaluation error \(missingAttribute\)/);
  });

  it('long filters are shortened in the message', () => {
    const long = 'x'.repeat(1000);
    const failed = compileFilter({ exact: { type: long } }).explain(view()).failed;
    expect(failed?.filter.length).toBe(300);
    expect(failed?.filter.endsWith('…')).toBe(true);
  });

  it('explain and matches agree on many filters', () => {
    const filters: unknown[] = [
      { exact: { seq: '3' } },
      { prefix: { type: 'com.example.' } },
      { suffix: { type: '.placed' } },
      { not: { exact: { id: '1' } } },
      { any: [{ exact: { id: '2' } }, { sql: 'seq = 3' }] },
      { pattern: { seq: [{ numeric: ['>=', 3] }], data: { bidder: { tier: ['gold', 'platinum'] } } } },
      { pattern: { data: { bidder: { tier: [{ 'anything-but': 'gold' }] } } } },
    ];
    for (const f of filters) {
      const c = compileFilter(f);
      for (const v of [view(), view({ amount: 1, bidder: { tier: 'silver' } }), view(undefined)])
        expect(c.explain(v).matched).toBe(c.matches(v));
    }
  });
});
