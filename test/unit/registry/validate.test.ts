import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CausewayError } from '../../../src/core/index.js';
import { loadRegistry, type Registry } from '../../../src/registry/index.js';
import { BASE, cleanupSchemasDirs, EXAMPLE_SCHEMAS, event, makeSchemasDir, schema } from './helpers.js';

const BID = 'com.example.auction.bid.placed';
const bid = { itemId: 'item-7', bidId: 'b-1', bidder: 'alice', amount: 120.5, currency: 'EUR' };

function thrown(fn: () => unknown): CausewayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CausewayError) return e;
    throw e;
  }
  throw new Error('expected a CausewayError');
}

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry(EXAMPLE_SCHEMAS);
});
afterAll(cleanupSchemasDirs);

describe('registry.validate with the example schemas', () => {
  it('accepts a valid bid and returns the parsed data and the type', () => {
    const { type, data } = registry.validate(event({ type: BID }, bid));
    expect(type?.type).toBe(BID);
    expect(type?.topic).toBe('auction.bids');
    expect(data).toEqual(bid);
  });

  it('validates against the latest version when there is no dataschema', () => {
    // maxAutoBid exists only in v2 (v1 is closed), so this passes only against the latest.
    const withProxy = { ...bid, maxAutoBid: 200 };
    expect(registry.validate(event({ type: BID }, withProxy)).data).toEqual(withProxy);
    const e = thrown(() => registry.validate(event({ type: BID, dataschema: `${BASE}/${BID}/1.json` }, withProxy)));
    expect(e.code).toBe('CW_SCHEMA_VIOLATION');
    expect(e.errors).toEqual([{ path: '/data/maxAutoBid', message: 'must NOT have additional properties' }]);
  });

  it('validates against exactly the version named by dataschema', () => {
    const r = registry.validate(event({ type: BID, dataschema: `${BASE}/${BID}/1.json` }, bid));
    expect(r.data).toEqual(bid);
  });

  it('reports schema violations with /data paths, including missing required properties', () => {
    const bad = { itemId: 'item-7', bidId: 'b-1', bidder: 'alice', amount: -3, currency: 'euro' };
    const e = thrown(() => registry.validate(event({ type: BID }, bad)));
    expect(e.code).toBe('CW_SCHEMA_VIOLATION');
    expect(e.status).toBe(422);
    expect(e.errors).toEqual(
      expect.arrayContaining([
        { path: '/data/amount', message: 'must be > 0' },
        { path: '/data/currency', message: 'must match pattern "^[A-Z]{3}$"' },
      ]),
    );
    const missing = thrown(() => registry.validate(event({ type: BID }, { itemId: 'i', bidId: 'b', bidder: 'a', amount: 1 })));
    expect(missing.errors).toEqual([{ path: '/data/currency', message: "must have required property 'currency'" }]);
  });

  it('applies conditional requirements (closed: sold needs a winner)', () => {
    const closed = 'com.example.auction.closed';
    const base = { itemId: 'item-7', outcome: 'unsold', closedAt: '2026-03-01T12:00:00Z' };
    expect(registry.validate(event({ type: closed }, base)).data).toEqual(base);
    const e = thrown(() => registry.validate(event({ type: closed }, { ...base, outcome: 'sold', currency: 'EUR' })));
    expect(e.errors.map((x) => x.path)).toEqual(expect.arrayContaining(['/data/winner', '/data/finalAmount']));
  });

  it('checks formats (ajv-formats)', () => {
    const e = thrown(() =>
      registry.validate(event({ type: 'com.example.auction.closed' }, { itemId: 'i', outcome: 'unsold', closedAt: 'yesterday' })),
    );
    expect(e.errors).toEqual([{ path: '/data/closedAt', message: 'must match format "date-time"' }]);
  });

  it('rejects an unknown type with CW_UNKNOWN_TYPE', () => {
    const e = thrown(() => registry.validate(event({ type: 'com.example.nope' }, {})));
    expect(e.code).toBe('CW_UNKNOWN_TYPE');
    expect(e.status).toBe(422);
    expect(e.errors[0]?.path).toBe('type');
  });

  it('rejects an unknown dataschema with CW_UNKNOWN_DATASCHEMA', () => {
    const e = thrown(() => registry.validate(event({ type: BID, dataschema: `${BASE}/${BID}/9.json` }, bid)));
    expect(e.code).toBe('CW_UNKNOWN_DATASCHEMA');
    expect(e.status).toBe(422);
    expect(e.errors[0]?.path).toBe('dataschema');
    expect(e.errors[0]?.message).toContain(`${BASE}/${BID}/2.json`);
  });

  it('rejects a dataschema that belongs to another type', () => {
    const e = thrown(() => registry.validate(event({ type: BID, dataschema: `${BASE}/com.example.auction.closed/1.json` }, bid)));
    expect(e.code).toBe('CW_UNKNOWN_DATASCHEMA');
    expect(e.message).toContain('belongs to type com.example.auction.closed');
  });

  it('treats datacontenttype case-insensitively and accepts */*+json', () => {
    for (const ct of ['APPLICATION/JSON; charset=utf-8', 'application/vnd.auction+json', 'text/json']) {
      expect(registry.validate(event({ type: BID, datacontenttype: ct }, bid)).data).toEqual(bid);
    }
  });

  it('rejects JSON-typed data that does not parse with CW_INVALID_DATA (absent datacontenttype means JSON)', () => {
    for (const attrs of [{ type: BID }, { type: BID, datacontenttype: 'application/json' }] as Array<Record<string, string>>) {
      const e = thrown(() => registry.validate(event(attrs, '{"itemId": ')));
      expect(e.code).toBe('CW_INVALID_DATA');
      expect(e.status).toBe(400);
      expect(e.errors[0]?.path).toBe('/data');
    }
    const notUtf8 = thrown(() => registry.validate(event({ type: BID }, new Uint8Array([0x7b, 0xff, 0x7d]))));
    expect(notUtf8.code).toBe('CW_INVALID_DATA');
  });

  it('rejects non-JSON data for a type that declares no contentType', () => {
    const e = thrown(() => registry.validate(event({ type: BID, datacontenttype: 'application/xml' }, '<bid/>')));
    expect(e.code).toBe('CW_SCHEMA_VIOLATION');
    expect(e.errors[0]?.path).toBe('datacontenttype');
  });

  it('rejects an event without data when the schema requires an object', () => {
    for (const ev of [event({ type: BID }), event({ type: BID }, new Uint8Array())]) {
      const e = thrown(() => registry.validate(ev));
      expect(e.code).toBe('CW_SCHEMA_VIOLATION');
      expect(e.errors).toEqual([{ path: '/data', message: expect.stringContaining('requires an object') }]);
    }
  });

  it('caps the number of reported violations', async () => {
    const dir = await makeSchemasDir({
      'x.list/event.yaml': 'topic: t',
      'x.list/1.json': schema('x.list', 1, { type: 'array', items: { type: 'string' } }),
    });
    const r = await loadRegistry(dir);
    const e = thrown(() =>
      r.validate(
        event(
          { type: 'x.list' },
          Array.from({ length: 80 }, (_, i) => i),
        ),
      ),
    );
    expect(e.errors).toHaveLength(51);
    expect(e.errors[0]).toEqual({ path: '/data/0', message: 'must be string' });
    expect(e.errors[50]?.message).toBe('and 30 more violations');
  });
});

describe('types with a declared contentType', () => {
  let r: Registry;
  beforeAll(async () => {
    const dir = await makeSchemasDir({
      'x.report/event.yaml': 'topic: reports\ncontentType: application/xml',
      'x.mixed/event.yaml': 'topic: reports\ncontentType: text/csv',
      'x.mixed/1.json': schema('x.mixed', 1, { type: 'object', properties: { n: { type: 'integer' } } }),
      'x.optional/event.yaml': 'topic: t',
      'x.optional/1.json': schema('x.optional', 1, { type: ['object', 'null'] }),
    });
    r = await loadRegistry(dir);
  });

  it('accepts data of the declared media type, unvalidated, as raw bytes', () => {
    const ev = event({ type: 'x.report', datacontenttype: 'Application/XML; charset=utf-8' }, '<report/>');
    const { data } = r.validate(ev);
    expect(data).toBe(ev.data);
  });

  it('rejects other media types and JSON for a type with no JSON schema', () => {
    expect(thrown(() => r.validate(event({ type: 'x.report', datacontenttype: 'text/plain' }, 'x'))).errors[0]?.path).toBe(
      'datacontenttype',
    );
    const json = thrown(() => r.validate(event({ type: 'x.report' }, { a: 1 })));
    expect(json.code).toBe('CW_SCHEMA_VIOLATION');
    expect(json.errors[0]?.message).toContain('application/xml');
  });

  it('validates JSON and accepts the declared media type for a type that has both', () => {
    expect(r.validate(event({ type: 'x.mixed' }, { n: 1 })).data).toEqual({ n: 1 });
    expect(thrown(() => r.validate(event({ type: 'x.mixed' }, { n: 1.5 }))).errors).toEqual([
      { path: '/data/n', message: 'must be integer' },
    ]);
    expect(r.validate(event({ type: 'x.mixed', datacontenttype: 'text/csv' }, 'n\n1\n')).data).toBeInstanceOf(Uint8Array);
  });

  it('accepts an event without data when the schema allows null or the type has no schema', () => {
    expect(r.validate(event({ type: 'x.optional' })).data).toBeUndefined();
    expect(r.validate(event({ type: 'x.report', datacontenttype: 'application/xml' })).data).toBeUndefined();
  });
});

describe('allowUnknownTypes', () => {
  let r: Registry;
  beforeAll(async () => {
    r = await loadRegistry(EXAMPLE_SCHEMAS, { allowUnknownTypes: true });
  });

  it('accepts unknown types without validating, parsing JSON data', () => {
    expect(r.validate(event({ type: 'x.unknown' }, { anything: [1] }))).toEqual({ type: undefined, data: { anything: [1] } });
    expect(r.validate(event({ type: 'x.unknown', dataschema: 'https://elsewhere.example/s.json' }, 1)).data).toBe(1);
  });

  it('keeps non-JSON bytes as they are when datacontenttype is absent or not JSON', () => {
    const raw = event({ type: 'x.unknown' }, '{Something[Not:valid}JSON');
    expect(r.validate(raw).data).toBe(raw.data);
    const xml = event({ type: 'x.unknown', datacontenttype: 'application/xml' }, '<a/>');
    expect(r.validate(xml).data).toBe(xml.data);
  });

  it('still rejects malformed data under an explicit JSON content type', () => {
    expect(thrown(() => r.validate(event({ type: 'x.unknown', datacontenttype: 'application/json' }, '{'))).code).toBe('CW_INVALID_DATA');
  });

  it('still rejects a registered dataschema used with another type', () => {
    const e = thrown(() => r.validate(event({ type: 'x.unknown', dataschema: `${BASE}/${BID}/1.json` }, bid)));
    expect(e.code).toBe('CW_UNKNOWN_DATASCHEMA');
  });

  it('still validates known types', () => {
    expect(thrown(() => r.validate(event({ type: BID }, { ...bid, amount: 0 }))).code).toBe('CW_SCHEMA_VIOLATION');
  });
});
