/** The token-aware JSON scanner against the platform's JSON.parse (RFC 8259). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, MAX_JSON_DEPTH, scanJson, type JsonNode } from '../../../src/codec/json-scanner.js';

/** Rebuilds a plain JS value from the scanned tree, last duplicate winning like JSON.parse. */
function toValue(n: JsonNode): unknown {
  switch (n.kind) {
    case 'object':
      return Object.fromEntries(n.members.map((m) => [m.key, toValue(m.value)]));
    case 'array':
      return n.items.map(toValue);
    case 'number':
      return Number(n.raw);
    case 'null':
      return null;
    default:
      return n.value;
  }
}

const parses = (s: string): boolean => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};
const scans = (s: string): boolean => {
  try {
    scanJson(s);
    return true;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return false;
    throw e;
  }
};

describe('scanJson', () => {
  it('property: agrees with JSON.parse on serialized JSON (values and spans)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (v, indent) => {
        const s = JSON.stringify(v, null, indent);
        const node = scanJson(` ${s}\n`);
        expect(toValue(node)).toEqual(JSON.parse(s));
        expect(` ${s}\n`.slice(node.start, node.end)).toBe(s);
      }),
    );
  });

  it('property: accepts exactly what JSON.parse accepts on mutated JSON', () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', '\\', ':', '0', '-', '.', 'e', ' ', '\t', '\u0001', 'tru', 'n'))
      .map(([s, i, ins]) => s.slice(0, i % (s.length + 1)) + ins + s.slice(i % (s.length + 1)));
    fc.assert(fc.property(fc.oneof(mutated, fc.string()), (s) => scans(s) === parses(s)));
  });

  it('keeps number tokens raw and every duplicate member', () => {
    const node = scanJson('{"a":5.0,"a":1e3,"b":-0}');
    expect(node.kind === 'object' && node.members.map((m) => [m.key, m.value.kind === 'number' && m.value.raw])).toEqual([
      ['a', '5.0'],
      ['a', '1e3'],
      ['b', '-0'],
    ]);
  });

  it('decodes escapes, leaving lone surrogates for the String type check', () => {
    const node = scanJson('"\\u00e9\\n\\/\\uDEAD"');
    expect(node.kind === 'string' && node.value).toBe('é\n/\uDEAD');
  });

  it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
    expect(() => scanJson('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => scanJson('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1))).toThrow(/nested deeper/);
    expect(() => scanJson('['.repeat(100_000))).toThrow(JsonSyntaxError);
  });

  it('reports the position of the error', () => {
    expect(() => scanJson('{"a": [1, 2,, 3]}')).toThrow(/position 12/);
  });
});
