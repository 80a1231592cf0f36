import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapePointerToken, getByPointer, isJsonPointer, joinPointer, parseJsonPointer } from '../../../src/codec/index.js';
import { isJsonContentType, mediaTypeEssence } from '../../../src/registry/media-type.js';
import { resolvePartitionKey, type TypeInfo } from '../../../src/registry/index.js';
import { event } from './helpers.js';

describe('JSON pointers (RFC 6901)', () => {
  const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'm~n': 8, ' ': 7 };

  it('resolves the RFC 6901 §5 examples', () => {
    expect(getByPointer(doc, '/foo')).toEqual(['bar', 'baz']);
    expect(getByPointer(doc, '/foo/0')).toBe('bar');
    expect(getByPointer(doc, '/')).toBe(0);
    expect(getByPointer(doc, '/a~1b')).toBe(1);
    expect(getByPointer(doc, '/m~0n')).toBe(8);
    expect(getByPointer(doc, '/ ')).toBe(7);
  });

  it('gives undefined for missing members, non-canonical indexes and inherited properties', () => {
    expect(getByPointer(doc, '/nope')).toBeUndefined();
    expect(getByPointer(doc, '/foo/01')).toBeUndefined();
    expect(getByPointer(doc, '/foo/-')).toBeUndefined();
    expect(getByPointer(doc, '/foo/0/x')).toBeUndefined();
    expect(getByPointer({}, '/constructor')).toBeUndefined();
    expect(getByPointer(new Uint8Array([1]), '/0')).toBeUndefined();
  });

  it('round-trips any tokens through join and parse, and finds what it joined', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), fc.jsonValue(), (tokens, leaf) => {
        const pointer = joinPointer('', ...tokens);
        expect(isJsonPointer(pointer)).toBe(true);
        expect(parseJsonPointer(pointer)).toEqual(tokens);
        const nested = tokens.reduceRight<unknown>((acc, t) => ({ [t]: acc }), leaf);
        expect(getByPointer(nested, pointer)).toEqual(leaf);
      }),
    );
  });

  it('escapes ~ before /', () => {
    expect(escapePointerToken('~/')).toBe('~0~1');
    expect(parseJsonPointer('/~01')).toEqual(['~1']);
  });
});

describe('media types', () => {
  it('recognises JSON like sdk-java: application/ and text/ trees only (JSON-M5, one rule shared with the codec)', () => {
    const yes = [
      undefined,
      'application/json',
      'application/json;charset=utf-8',
      'application/json;\tcharset = "utf-8"',
      'application/cloudevents+json;charset=UTF-8',
      'text/json',
      'text/json;',
      'text/json; \t',
      'TEXT/CLOUDEVENTS+JSON',
    ];
    const no = [
      'applications/json',
      'application/jsom',
      'application/jsonwrong',
      'text/json ',
      'text/json ;',
      'json',
      'application/xml',
      '',
      'application/json+xml',
    ];
    for (const ct of yes) expect(isJsonContentType(ct), String(ct)).toBe(true);
    for (const ct of no) expect(isJsonContentType(ct), ct).toBe(false);
  });

  it('reduces a media type to its lower-case essence', () => {
    expect(mediaTypeEssence('Application/XML; charset=utf-8')).toBe('application/xml');
    expect(mediaTypeEssence('xml')).toBeUndefined();
  });
});

describe('resolvePartitionKey', () => {
  const type = (partitionKey?: TypeInfo['partitionKey']): TypeInfo => ({
    type: 'x',
    topic: 't',
    compatibility: 'none',
    versions: [],
    latest: 0,
    ...(partitionKey && { partitionKey }),
  });

  it('reads a JSON pointer into the data, stringifying scalars', () => {
    const ev = event({ type: 'x' });
    const t = type({ pointer: '/item/id' });
    expect(resolvePartitionKey(t, ev, { item: { id: 'i-1' } })).toBe('i-1');
    expect(resolvePartitionKey(t, ev, { item: { id: 42 } })).toBe('42');
    expect(resolvePartitionKey(t, ev, { item: { id: false } })).toBe('false');
    expect(resolvePartitionKey(type({ pointer: '/a~1b' }), ev, { 'a/b': 'slash' })).toBe('slash');
  });

  it('gives undefined for missing, null or structured values and non-JSON data', () => {
    const ev = event({ type: 'x' });
    const t = type({ pointer: '/id' });
    for (const data of [{}, { id: null }, { id: { a: 1 } }, { id: [1] }, undefined, new Uint8Array([1])]) {
      expect(resolvePartitionKey(t, ev, data)).toBeUndefined();
    }
    expect(resolvePartitionKey(type(), ev, { id: 'x' })).toBeUndefined();
  });

  it('reads an attribute', () => {
    const t = type({ attribute: 'subject' });
    expect(resolvePartitionKey(t, event({ type: 'x', subject: 'item-9' }), undefined)).toBe('item-9');
    expect(resolvePartitionKey(type({ attribute: 'seq' }), event({ type: 'x', seq: 7 }), undefined)).toBe('7');
    expect(resolvePartitionKey(t, event({ type: 'x' }), { subject: 'not data' })).toBeUndefined();
  });
});
