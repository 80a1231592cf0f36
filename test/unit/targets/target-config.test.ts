import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idempotencyKeyOf } from '../../../src/core/index.js';
import { TARGET_PLUGINS, httpTarget, kafkaTarget } from '../../../src/targets/index.js';

const validator = (schema: object) => new Ajv2020({ strict: true, allErrors: true }).compile(schema);

describe('target plug-in registry and config schemas', () => {
  it('TARGET_PLUGINS holds every target under its kind', () => {
    expect([...TARGET_PLUGINS.keys()].sort()).toEqual(['eventbridge', 'http', 'kafka', 'lambda']);
    for (const [kind, p] of TARGET_PLUGINS) expect(p.kind).toBe(kind);
  });

  it('the http schema is valid JSON Schema 2020-12 (Ajv strict) and matches what create() accepts', () => {
    const v = validator(httpTarget.configSchema);
    const good = [
      { url: 'https://hooks.example.com/in' },
      { url: 'http://10.0.0.5:8080/x?y=1', mode: 'batch', maxBatchEvents: 50, connections: 4 },
      { url: 'https://h.example/x', headers: { Authorization: 'Bearer abc', 'X-Tenant': 'acme' }, signing: { secretEnv: 'HOOK_SECRET' } },
    ];
    for (const c of good) expect(v(c), JSON.stringify(v.errors)).toBe(true);
    const bad = [
      {},
      { url: 'ftp://x/y' },
      { url: 'https://x', mode: 'stream' },
      { url: 'https://x', headers: { 'Content-Type': 'text/plain' } },
      { url: 'https://x', headers: { 'CE-ID': 'x' } },
      { url: 'https://x', headers: { 'Webhook-Signature': 'x' } },
      { url: 'https://x', headers: { 'IDEMPOTENCY-KEY': 'x' } },
      { url: 'https://x', headers: { 'bad name': 'x' } },
      { url: 'https://x', headers: { ok: 'line\nbreak' } },
      { url: 'https://x', signing: {} },
      { url: 'https://x', connections: 0 },
      { url: 'https://x', extra: true },
    ];
    for (const c of bad) expect(v(c), JSON.stringify(c)).toBe(false);
  });

  it('the kafka schema is valid JSON Schema 2020-12 and rejects what cannot work', () => {
    const v = validator(kafkaTarget.configSchema);
    for (const c of [
      { topic: 'orders.v1' },
      { topic: 'a', mode: 'structured', key: 'partitionkey', brokers: ['k1:9092', '10.0.0.1:19092'] },
    ])
      expect(v(c), JSON.stringify(v.errors)).toBe(true);
    for (const c of [
      {},
      { topic: 'bad topic' },
      { topic: 'a', mode: 'batch' },
      { topic: 'a', key: 'random' },
      { topic: 'a', brokers: [] },
      { topic: 'a', brokers: ['nohost'] },
    ])
      expect(v(c), JSON.stringify(c)).toBe(false);
  });

  it('http create() refuses URLs with credentials or fragments, and unknown modes', () => {
    const deps = { env: {}, kafkaBrokers: [] };
    expect(() => httpTarget.create({ url: 'https://u:p@x.example/h' }, deps)).toThrow(/credentials/);
    expect(() => httpTarget.create({ url: 'https://x.example/h#f' }, deps)).toThrow(/fragment/);
    expect(() => httpTarget.create({ url: 'not a url' }, deps)).toThrow(/not a valid URL/);
    expect(() => httpTarget.create({ url: 'https://x', mode: 'x' as never }, deps)).toThrow(/mode/);
  });

  it('idempotencyKeyOf: deterministic, header- and webhook-id-safe, and tells source/id splits apart', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (source, id) => {
        const k = idempotencyKeyOf(source, id);
        expect(k).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(idempotencyKeyOf(source, id)).toBe(k);
      }),
    );
    expect(idempotencyKeyOf('a/b', 'c')).not.toBe(idempotencyKeyOf('a', 'b/c'));
    expect(idempotencyKeyOf('/auction/web', 'bid-1')).not.toBe(idempotencyKeyOf('/auction/web', 'bid-2'));
  });
});
