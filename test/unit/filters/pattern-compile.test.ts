/** Pattern validation (PatternError with a path), laziness of data, explain, and a few edges. */
import { describe, expect, it, vi } from 'vitest';
import { compilePattern, MAX_PATTERN_DEPTH, PatternError } from '../../../src/route/filters/index.js';

function errorOf(pattern: unknown, base?: string): PatternError {
  try {
    compilePattern(pattern, base);
  } catch (e) {
    if (e instanceof PatternError) return e;
    throw e;
  }
  throw new Error(`pattern compiled: ${JSON.stringify(pattern)}`);
}

describe('compilePattern rejects what EventBridge rejects, naming the path', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['not an object', ['x'], '', /JSON object/],
    ['empty object', {}, '', /empty objects/],
    ['bare value instead of array', { source: 'aws.ec2' }, 'source', /did you mean \["aws.ec2"\]/],
    ['empty array', { source: [] }, 'source', /empty arrays/],
    ['array inside the values', { source: [['a']] }, 'source[0]', /match value/],
    ['unknown operator', { source: [{ contains: 'x' }] }, 'source[0].contains', /unknown operator "contains"/],
    ['two keys in a match expression', { source: [{ prefix: 'a', suffix: 'b' }] }, 'source[0]', /exactly one key/],
    ['prefix not a string', { source: [{ prefix: 5 }] }, 'source[0].prefix', /must be a string/],
    [
      'prefix option other than equals-ignore-case',
      { source: [{ prefix: { wildcard: 'a*' } }] },
      'source[0].prefix.wildcard',
      /unsupported prefix option/,
    ],
    ['equals-ignore-case not a string', { n: [{ 'equals-ignore-case': ['a'] }] }, 'n[0].equals-ignore-case', /must be a string/],
    ['numeric not an array', { n: [{ numeric: '>5' }] }, 'n[0].numeric', /needs an array/],
    ['numeric bad operator', { n: [{ numeric: ['>>', 5] }] }, 'n[0].numeric[0]', /expected one of/],
    ['numeric string constant', { n: [{ numeric: ['>', '5'] }] }, 'n[0].numeric[1]', /JSON number/],
    ['numeric empty range', { n: [{ numeric: ['>', 5, '<', 5] }] }, 'n[0].numeric', /less than the upper bound/],
    ['numeric reversed range', { n: [{ numeric: ['>', 9, '<=', 1] }] }, 'n[0].numeric', /less than the upper bound/],
    ['numeric upper bound first', { n: [{ numeric: ['<', 9, '>', 1] }] }, 'n[0].numeric[0]', /expected one of ">", ">="/],
    ['numeric = in a range', { n: [{ numeric: ['=', 1, '<', 2] }] }, 'n[0].numeric[0]', /expected one of/],
    ['numeric three items', { n: [{ numeric: ['>', 1, '<'] }] }, 'n[0].numeric', /needs \[op, n\]/],
    ['numeric beyond 5e9', { n: [{ numeric: ['<', 6e9] }] }, 'n[0].numeric[1]', /-5e9 and 5e9/],
    ['numeric 7 decimals', { n: [{ numeric: ['=', 1.1234567] }] }, 'n[0].numeric[1]', /6 digits/],
    ['cidr mask too long', { ip: [{ cidr: '10.0.0.0/33' }] }, 'ip[0].cidr', /at most 32/],
    ['cidr host bits set', { ip: [{ cidr: '10.0.0.1/24' }] }, 'ip[0].cidr', /did you mean 10.0.0.0\/24/],
    ['cidr without a slash', { ip: [{ cidr: '10.0.0.0' }] }, 'ip[0].cidr', /one "\/"/],
    ['cidr not an address', { ip: [{ cidr: '10.0.0/8' }] }, 'ip[0].cidr', /not an IP address/],
    ['cidr bad IPv6', { ip: [{ cidr: '2001:db8:::/32' }] }, 'ip[0].cidr', /not an IP address/],
    ['exists not boolean', { a: [{ exists: 'yes' }] }, 'a[0].exists', /true or false/],
    ['wildcard **', { a: [{ wildcard: 'a**b' }] }, 'a[0].wildcard', /consecutive wildcard/],
    ['wildcard bad escape', { a: [{ wildcard: 'a\\b' }] }, 'a[0].wildcard', /invalid escape/],
    ['anything-but empty list', { a: [{ 'anything-but': [] }] }, 'a[0].anything-but', /must not be empty/],
    ['anything-but mixed list', { a: [{ 'anything-but': ['a', 1] }] }, 'a[0].anything-but', /only strings or only numbers/],
    ['anything-but null', { a: [{ 'anything-but': null }] }, 'a[0].anything-but', /string, a number/],
    ['anything-but booleans', { a: [{ 'anything-but': [true] }] }, 'a[0].anything-but', /only strings or only numbers/],
    ['anything-but empty prefix', { a: [{ 'anything-but': { prefix: '' } }] }, 'a[0].anything-but.prefix', /must not be empty/],
    [
      'anything-but unknown option',
      { a: [{ 'anything-but': { numeric: ['>', 1] } }] },
      'a[0].anything-but.numeric',
      /unsupported anything-but option/,
    ],
    [
      'anything-but bad wildcard in a list',
      { a: [{ 'anything-but': { wildcard: ['ok*', 'x**'] } }] },
      'a[0].anything-but.wildcard[1]',
      /consecutive/,
    ],
    ['$or with one branch', { $or: [{ a: ['x'] }] }, '$or', /at least two/],
    ['$or not an array', { $or: { a: ['x'] } }, '$or', /at least two/],
    ['$or branch empty', { $or: [{ a: ['x'] }, {}] }, '$or[1]', /empty objects/],
    ['operator name as a field inside $or', { $or: [{ numeric: [123] }, { prefix: ['abc'] }] }, '$or[0].numeric', /operator/],
    ['odd keys are quoted in paths', { 'a b': [] }, '["a b"]', /empty arrays/],
    ['nested path', { detail: { state: [{ 'anything-but': {} }] } }, 'detail.state[0].anything-but', /exactly one key/],
  ])('%s', (_name, pattern, path, message) => {
    const e = errorOf(pattern);
    expect(e.path).toBe(path);
    expect(e.reason).toMatch(message);
    expect(e.message).toContain(e.reason);
  });

  it('prefixes the base path given by the caller', () => {
    expect(errorOf({ data: { amount: [{ numeric: ['>', 'x'] }] } }, 'when[2].pattern').path).toBe(
      'when[2].pattern.data.amount[0].numeric[1]',
    );
  });

  it(`limits nesting to ${MAX_PATTERN_DEPTH} objects`, () => {
    const deep = (n: number): unknown => (n === 1 ? { leaf: ['x'] } : { a: deep(n - 1) });
    expect(() => compilePattern(deep(MAX_PATTERN_DEPTH))).not.toThrow();
    expect(errorOf(deep(MAX_PATTERN_DEPTH + 1)).reason).toMatch(/at most 32/);
  });

  it('accepts /32, /128 and /0 blocks and the list forms of anything-but sub-operators', () => {
    expect(compilePattern({ ip: [{ cidr: '10.1.2.3/32' }] }).matchesJson({ ip: '10.1.2.3' })).toBe(true);
    expect(compilePattern({ ip: [{ cidr: '::1/128' }] }).matchesJson({ ip: '0:0:0:0:0:0:0:1' })).toBe(true);
    expect(compilePattern({ ip: [{ cidr: '0.0.0.0/0' }] }).matchesJson({ ip: '255.255.255.255' })).toBe(true);
    expect(compilePattern({ a: [{ 'anything-but': { prefix: ['x', 'y'] } }] }).matchesJson({ a: 'yes' })).toBe(false);
  });
});

describe('CloudEvent view: attributes at the top, data decoded lazily', () => {
  const attributes = { id: '1', source: '/auction', type: 'com.example.bid', specversion: '1.0', seq: 42, flag: true };

  it('never calls data() when no top-level field is data', () => {
    const data = vi.fn(() => ({ amount: 5 }));
    const p = compilePattern({ type: [{ prefix: 'com.example.' }], seq: [{ numeric: ['>', 40] }], flag: [true] });
    expect(p.needsData).toBe(false);
    expect(p.matches({ attributes, data })).toBe(true);
    expect(p.explain({ attributes, data }).matched).toBe(true);
    expect(data).not.toHaveBeenCalled();
  });

  it('calls data() once per match even when several branches read it', () => {
    const data = vi.fn(() => ({ amount: 150, tags: ['vip'] }));
    const p = compilePattern({
      $or: [{ data: { amount: [{ numeric: ['<', 100] }] } }, { data: { tags: ['vip'] } }],
      data: { amount: [{ exists: true }] },
    });
    expect(p.needsData).toBe(true);
    expect(p.matches({ attributes, data })).toBe(true);
    expect(data).toHaveBeenCalledTimes(1);
  });

  it('does not call data() when an attribute field already failed', () => {
    const data = vi.fn(() => ({ amount: 150 }));
    const p = compilePattern({ type: ['other'], data: { amount: [150] } });
    expect(p.matches({ attributes, data })).toBe(false);
    expect(data).not.toHaveBeenCalled();
  });

  it('treats undefined data as an absent field and text data as a string leaf', () => {
    expect(compilePattern({ data: [{ exists: false }] }).matches({ attributes, data: () => undefined })).toBe(true);
    expect(compilePattern({ data: [{ prefix: 'Hello' }] }).matches({ attributes, data: () => 'Hello, World!' })).toBe(true);
    expect(compilePattern({ data: [null] }).matches({ attributes, data: () => null })).toBe(true);
  });

  it('compares attribute types as JSON: Integer and Boolean extensions are not strings', () => {
    expect(compilePattern({ seq: ['42'] }).matches({ attributes, data: () => undefined })).toBe(false);
    expect(compilePattern({ seq: [42] }).matches({ attributes, data: () => undefined })).toBe(true);
    expect(compilePattern({ flag: ['true'] }).matches({ attributes, data: () => undefined })).toBe(false);
  });

  it('explain names the innermost failing field', () => {
    const p = compilePattern({ type: ['com.example.bid'], data: { bid: { amount: [{ numeric: ['>', 100] }] } } }, 'when[0].pattern');
    const ex = p.explain({ attributes, data: () => ({ bid: { amount: 50 } }) });
    expect(ex).toEqual({ matched: false, path: 'when[0].pattern.data.bid.amount', pattern: [{ numeric: ['>', 100] }] });
    const orEx = compilePattern({ $or: [{ type: ['a'] }, { type: ['b'] }] }).explain({ attributes, data: () => undefined });
    expect(orEx.path).toBe('$or');
  });
});

describe('edges of the matching rules', () => {
  it('exact numbers compare by value once parsed (300 = 3.0e2)', () => {
    expect(compilePattern(JSON.parse('{"n":[3.0e2]}')).matchesJson(JSON.parse('{"n":300.0}'))).toBe(true);
  });

  it('numeric ignores event numbers beyond the EventBridge limit', () => {
    expect(compilePattern({ n: [{ numeric: ['>', 0] }] }).matchesJson({ n: 6e9 })).toBe(false);
    expect(compilePattern({ n: [6e9] }).matchesJson({ n: 6e9 })).toBe(true);
  });

  it('anything-but excludes by type and matches other leaf types', () => {
    const p = compilePattern({ a: [{ 'anything-but': '5' }] });
    expect(p.matchesJson({ a: 5 })).toBe(true);
    expect(p.matchesJson({ a: '5' })).toBe(false);
    expect(compilePattern({ a: [{ 'anything-but': { prefix: 'x' } }] }).matchesJson({ a: 12 })).toBe(true);
  });

  it('an event array matches anything-but if any element is not excluded', () => {
    expect(compilePattern({ a: [{ 'anything-but': 'x' }] }).matchesJson({ a: ['x', 'y'] })).toBe(true);
    expect(compilePattern({ a: [{ 'anything-but': 'x' }] }).matchesJson({ a: ['x'] })).toBe(false);
  });

  it('exists:false also holds when a parent object is missing or is a scalar', () => {
    const p = compilePattern({ detail: { c: [{ exists: false }] } });
    expect(p.matchesJson({})).toBe(true);
    expect(p.matchesJson({ detail: 5 })).toBe(true);
    expect(p.matchesJson({ detail: [] })).toBe(true);
    expect(p.matchesJson({ detail: { c: [1] } })).toBe(false);
  });

  it('an IPv4-mapped IPv6 address is matched by an IPv4 block; families never mix otherwise', () => {
    expect(compilePattern({ ip: [{ cidr: '10.0.0.0/8' }] }).matchesJson({ ip: '::ffff:10.1.2.3' })).toBe(true);
    expect(compilePattern({ ip: [{ cidr: '::/0' }] }).matchesJson({ ip: '10.1.2.3' })).toBe(false);
    expect(compilePattern({ ip: [{ cidr: '10.0.0.0/8' }] }).matchesJson({ ip: 10 })).toBe(false);
  });

  it('a data-free pattern never reads the prototype chain', () => {
    expect(compilePattern({ toString: [{ exists: true }] }).matchesJson({})).toBe(false);
    expect(compilePattern({ constructor: [{ exists: false }] }).matches({ attributes: {}, data: () => undefined })).toBe(true);
  });
});
