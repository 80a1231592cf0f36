import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childOf, formatTraceparent, newTrace, parseTraceparent, stampIngress, uuidv7 } from '../../../src/lineage/index.js';

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));

describe('traceparent (EXT-TRACE-M1)', () => {
  it('parse(format(t)) is the identity for valid contexts', () => {
    fc.assert(
      fc.property(hex(32), hex(16), hex(2), (traceId, spanId, flags) => {
        fc.pre(!/^0+$/.test(traceId) && !/^0+$/.test(spanId));
        expect(parseTraceparent(formatTraceparent({ traceId, spanId, flags }))).toEqual({ traceId, spanId, flags });
      }),
    );
  });

  it.each([
    ['00-00000000000000000000000000000000-b9c7c989f97918e1-01', 'all-zero trace id'],
    ['00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', 'all-zero span id'],
    ['ff-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01', 'version ff'],
    ['00-0AF7651916CD43DD8448EB211C80319C-b9c7c989f97918e1-01', 'upper-case hex'],
    ['00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1', 'missing flags'],
    ['', 'empty'],
  ])('rejects %s (%s)', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('a child keeps the trace id and gets a new span id', () => {
    const root = newTrace();
    const child = childOf(root);
    expect(child.traceId).toBe(root.traceId);
    expect(child.spanId).not.toBe(root.spanId);
  });
});

describe('stampIngress (DESIGN §7)', () => {
  const base = { specversion: '1.0', id: '1', source: '/s', type: 't' };

  it('adds traceparent continuing the inbound header trace (EXT-TRACE-N2)', () => {
    const inbound = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { event, hop } = stampIngress({ attributes: base, data: undefined }, inbound, { authtype: 'unauthenticated' });
    expect(hop.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(event.attributes.traceparent).toBe(formatTraceparent(hop));
  });

  it('never rewrites an existing traceparent attribute (EXT-TRACE-M3), but the hop continues the header trace', () => {
    const start = '00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01';
    const inbound = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { event, hop } = stampIngress({ attributes: { ...base, traceparent: start }, data: undefined }, inbound, { authtype: 'unauthenticated' });
    expect(event.attributes.traceparent).toBe(start);
    expect(hop.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('never trusts authtype/authid from the client (EXT-AUTH-M1)', () => {
    const { event } = stampIngress({ attributes: { ...base, authtype: 'system', authid: 'root' }, data: undefined }, undefined, {
      authtype: 'unauthenticated',
    });
    expect(event.attributes.authtype).toBe('unauthenticated');
    expect(event.attributes.authid).toBeUndefined();
  });

  it('does not mutate the input event', () => {
    const attributes = { ...base };
    stampIngress({ attributes, data: undefined }, undefined, { authtype: 'unauthenticated' });
    expect(attributes).toEqual(base);
  });
});

describe('uuidv7 (CORE-M7)', () => {
  it('10^5 ids minted back to back are distinct, version 7, variant 10, and sort by creation', () => {
    const ids = Array.from({ length: 100_000 }, () => uuidv7());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });
});
