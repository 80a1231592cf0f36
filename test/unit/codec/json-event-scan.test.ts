/**
 * The lean event-document scanner against scanJson (the reference, itself fuzzed against
 * JSON.parse): same acceptance, same members, leaves and spans, same nesting limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJsonValue, scanBatchJson, scanEventJson, type JsonValueRef } from '../../../src/codec/json-event-scan.js';
import { JsonSyntaxError, MAX_JSON_DEPTH, scanJson, type JsonNode } from '../../../src/codec/json-scanner.js';

/** What the lean scanner must give for a value: leaves in full, containers by kind and span. */
function shallow(n: JsonNode): unknown {
  if (n.kind === 'object' || n.kind === 'array') return { kind: n.kind, start: n.start, end: n.end };
  return n;
}
const objectView = (n: JsonNode): unknown =>
  n.kind === 'object'
    ? { kind: 'object', start: n.start, end: n.end, members: n.members.map((m) => ({ key: m.key, value: shallow(m.value) })) }
    : shallow(n);
const batchView = (n: JsonNode): unknown =>
  n.kind === 'array' ? { kind: 'array', start: n.start, end: n.end, items: n.items.map(objectView) } : shallow(n);

const accepts = (f: (s: string) => unknown, s: string): boolean => {
  try {
    f(s);
    return true;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return false;
    throw e;
  }
};

/** Texts near valid JSON: serialized values with one character inserted somewhere. */
const mutated = fc
  .tuple(
    fc.json(),
    fc.nat(),
    fc.constantFrom('', ',', '}', ']', '{', '[', '"', '\\', '\\u12', ':', '0', '-', '.', 'e', ' ', '\t', '\u0001', 'tru', 'n', '\u2028'),
  )
  .map(([s, i, ins]) => s.slice(0, i % (s.length + 1)) + ins + s.slice(i % (s.length + 1)));
/** Event-shaped objects: attribute-like members, duplicates allowed, any JSON as data. */
const eventText = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom('id', 'type', 'a\\u0062', 'data', 'x', '\\"q'), fc.jsonValue()), { maxLength: 6 }),
    fc.constantFrom('', ' ', '\n\t '),
  )
  .map(
    ([members, ws]) =>
      `${ws}{${members.map(([k, v]) => `${ws}"${k}"${ws}:${ws}${JSON.stringify(v, null, ws === '' ? undefined : 1)}`).join(',')}${ws}}${ws}`,
  );

describe('scanEventJson / scanBatchJson', () => {
  it('property: the event object as scanJson sees it (members in order, duplicates, raw numbers, spans)', () => {
    fc.assert(
      fc.property(eventText, (s) => {
        expect(scanEventJson(s)).toEqual(objectView(scanJson(s)));
      }),
    );
  });

  it('property: batches of events and other values as scanJson sees them', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(eventText, fc.json()), { maxLength: 5 }), fc.constantFrom('', ' '), (items, ws) => {
        const s = `${ws}[${items.join(`,${ws}`)}]${ws}`;
        expect(scanBatchJson(s)).toEqual(batchView(scanJson(s)));
      }),
    );
  });

  it('property: any JSON value as root is given as scanJson gives it', () => {
    fc.assert(
      fc.property(fc.json(), (s) => {
        expect(scanEventJson(s)).toEqual(objectView(scanJson(s)));
        expect(scanBatchJson(s)).toEqual(batchView(scanJson(s)));
      }),
    );
  });

  it('property: accepts exactly what scanJson (and JSON.parse) accepts', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          mutated,
          eventText.chain((s) => fc.nat().map((i) => s.slice(0, i % (s.length + 1)))),
          fc.string(),
        ),
        (s) => {
          for (const text of [s, `[${s}]`, `[${s},{"id":${s}}]`, `{"data":${s}}`, `{"data":[{"a":${s}}]}`]) {
            const ok = accepts(scanJson, text);
            expect(accepts(scanEventJson, text), text).toBe(ok);
            expect(accepts(scanBatchJson, text), text).toBe(ok);
            expect(isJsonValue(text), text).toBe(ok);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['{"a":1,}', 'trailing comma in an object'],
    ['{"data":[1,]}', 'trailing comma in nested data'],
    ['{"data":{"a" 1}}', 'missing colon in nested data'],
    ['{"data":{"a":01}}', 'leading zero'],
    ['{"data":"a\u0001b"}', 'raw control character'],
    ['{"data":"\\x"}', 'invalid escape'],
    ['{"data":"\\u12g4"}', 'invalid \\u escape'],
    ['{"data":[1}', 'mismatched closer'],
    ['{"data":{]}', 'mismatched empty closer'],
    ['{"data":tru}', 'truncated literal'],
    ['{"data":"abc', 'unterminated string'],
    ['{"id":"x"} {}', 'trailing value'],
    ['[{"id":"x"},]', 'trailing comma in a batch'],
    ['\u00a0{}', 'non-JSON whitespace'],
  ])('rejects %j (%s)', (s) => {
    expect(accepts(scanEventJson, s)).toBe(false);
    expect(accepts(scanBatchJson, `[${s}]`)).toBe(false);
  });

  it('agrees with scanJson on every character after a backslash, in keys, values and data', () => {
    for (let c = 0; c < 0x100; c++) {
      const ch = String.fromCharCode(c);
      for (const text of [`{"\\${ch}":1}`, `{"id":"\\${ch}"}`, `{"data":{"\\${ch}00a0":["\\${ch}"]}}`]) {
        const ok = accepts(scanJson, text);
        expect(accepts(scanEventJson, text), text).toBe(ok);
        expect(accepts(scanBatchJson, `[${text}]`), text).toBe(ok);
      }
    }
  });

  it('decodes escaped keys and strings of the event object, lone surrogates included', () => {
    const leaf = (v: JsonValueRef): unknown =>
      v.kind === 'number' ? v.raw : v.kind === 'string' || v.kind === 'boolean' ? v.value : v.kind;
    const node = scanEventJson('{"t\\u0079pe":"a\\nb\\uD800","n":-0,"b":false,"d":{"x":[1]}}');
    expect(node.kind === 'object' && node.members.map((m) => [m.key, leaf(m.value)])).toEqual([
      ['type', 'a\nb\uD800'],
      ['n', '-0'],
      ['b', false],
      ['d', 'object'],
    ]);
  });

  it('enforces the same nesting limit as scanJson, counting from the root', () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    // Root object is level 1, so data may hold MAX - 1 levels; a batch member's data MAX - 2.
    expect(accepts(scanEventJson, `{"data":${nest(MAX_JSON_DEPTH - 1)}}`)).toBe(true);
    expect(accepts(scanEventJson, `{"data":${nest(MAX_JSON_DEPTH)}}`)).toBe(false);
    expect(accepts(scanBatchJson, `[{"data":${nest(MAX_JSON_DEPTH - 2)}}]`)).toBe(true);
    expect(accepts(scanBatchJson, `[{"data":${nest(MAX_JSON_DEPTH - 1)}}]`)).toBe(false);
    for (const s of [nest(MAX_JSON_DEPTH), nest(MAX_JSON_DEPTH + 1), `{"data":${nest(MAX_JSON_DEPTH - 1)}}`, '['.repeat(100_000)]) {
      expect(accepts(scanEventJson, s)).toBe(accepts(scanJson, s));
      expect(accepts(scanBatchJson, s)).toBe(accepts(scanJson, s));
      expect(isJsonValue(s)).toBe(accepts(scanJson, s));
    }
  });
});
