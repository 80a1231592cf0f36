import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig } from '../../../src/config/index.js';
import { CausewayError } from '../../../src/core/index.js';

function configError(fn: () => unknown): CausewayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CausewayError) return e;
    throw e;
  }
  throw new Error('expected CW_CONFIG_INVALID');
}

describe('loadConfig', () => {
  it('defaults match DESIGN §8 (port 8080, ./data, ./schemas, ./routes, embedded, all, 1 MiB)', () => {
    const c = loadConfig({});
    expect(c).toEqual(DEFAULT_CONFIG);
    expect([c.port, c.host, c.dataDir, c.schemasDir, c.routesDir, c.eventlog, c.role, c.bodyLimit]).toEqual([
      8080, '0.0.0.0', './data', './schemas', './routes', 'embedded', 'all', 1048576,
    ]);
  });

  it('CAUSEWAY_* variables override the file, which overrides defaults', () => {
    const c = loadConfig({ CAUSEWAY_PORT: '9000', CAUSEWAY_EVENTLOG: 'kafka' }, 'port: 7000\ndataDir: /var/lib/cw\n');
    expect(c.port).toBe(9000);
    expect(c.dataDir).toBe('/var/lib/cw');
    expect(c.eventlog).toBe('kafka');
  });

  it('CAUSEWAY_KAFKA_BROKERS wins, KAFKA_BROKERS is the fallback', () => {
    expect(loadConfig({ KAFKA_BROKERS: 'a:1,b:2' }).kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(loadConfig({ KAFKA_BROKERS: 'a:1', CAUSEWAY_KAFKA_BROKERS: 'c:3' }).kafka.brokers).toEqual(['c:3']);
  });

  it('is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.kafka)).toBe(true);
  });

  it('reports every error with its path', () => {
    const e = configError(() =>
      loadConfig({ CAUSEWAY_PORT: 'eighty', CAUSEWAY_EVENTLOG: 'redis', CAUSEWAY_BODY_LIMIT: '100' }, 'kafka:\n  brokers: [nohostport]\nbogus: 1\n'),
    );
    expect(e.code).toBe('CW_CONFIG_INVALID');
    const paths = e.errors.map((x) => x.path);
    expect(paths).toEqual(expect.arrayContaining(['CAUSEWAY_PORT', 'eventlog', 'bodyLimit', 'kafka.brokers.0', '(root)']));
    expect(e.errors.find((x) => x.path === '(root)')?.message).toContain('bogus');
  });

  it('rejects a file that is not a mapping, naming the file', () => {
    const e = configError(() => loadConfig({}, '- a\n- b\n', 'my.yaml'));
    expect(e.errors[0]).toMatchObject({ path: 'my.yaml' });
  });
});

describe('loadConfig: ingress.kafka', () => {
  it('is off by default, with the documented group and dead-letter topic', () => {
    const k = loadConfig({}).ingress.kafka;
    expect(k).toMatchObject({ enabled: false, group: 'causeway.ingress', deadLetterTopic: 'causeway.ingress.dlq', topics: [] });
  });

  it('CAUSEWAY_KAFKA_INGRESS_TOPICS: topic, topic:json, topic:json:<type>; enabled follows topics', () => {
    const k = loadConfig({ CAUSEWAY_KAFKA_INGRESS_TOPICS: 'raw.a, raw.b:json ,raw.c:json:com.example.x:v1,raw.d:cloudevents' }).ingress.kafka;
    expect(k.enabled).toBe(true);
    expect(k.topics).toEqual([
      { topic: 'raw.a', mode: 'cloudevents' },
      { topic: 'raw.b', mode: 'json' },
      { topic: 'raw.c', mode: 'json', mapping: { type: { value: 'com.example.x:v1' } } },
      { topic: 'raw.d', mode: 'cloudevents' },
    ]);
    expect(Object.isFrozen(k.topics[0])).toBe(true);
    expect(loadConfig({ CAUSEWAY_KAFKA_INGRESS_TOPICS: 'raw.a', CAUSEWAY_KAFKA_INGRESS_ENABLED: 'false' }).ingress.kafka.enabled).toBe(false);
  });

  it('the file gives mappings; env overrides group and topics; mode defaults to cloudevents', () => {
    const file = [
      'ingress:',
      '  kafka:',
      '    group: my.group',
      '    topics:',
      '      - topic: orders',
      '        mode: json',
      '        mapping:',
      '          type: { value: com.example.order.created }',
      '          id: { field: /orderId }',
      '          source: { header: origin, default: /shop }',
      '          subject: { key: true }',
      '          time: { field: /at }',
      '      - topic: events',
    ].join('\n');
    const k = loadConfig({}, file).ingress.kafka;
    expect(k.group).toBe('my.group');
    expect(k.enabled).toBe(true);
    expect(k.topics[0]!.mapping?.source).toEqual({ header: 'origin', default: '/shop' });
    expect(k.topics[1]).toEqual({ topic: 'events', mode: 'cloudevents' });
    const env = loadConfig({ CAUSEWAY_KAFKA_INGRESS_GROUP: 'g2', CAUSEWAY_KAFKA_INGRESS_TOPICS: 'x:json' }, file).ingress.kafka;
    expect(env.group).toBe('g2');
    expect(env.topics).toEqual([{ topic: 'x', mode: 'json' }]);
  });

  it('every problem is reported with its path', () => {
    const file = [
      'ingress:',
      '  kafka:',
      '    deadLetterTopic: orders',
      '    topics:',
      '      - topic: orders',
      '        mode: json',
      '        mapping: { type: { field: "no-slash" }, id: { field: /id, default: x } }',
    ].join('\n');
    const e1 = configError(() => loadConfig({}, file));
    expect(e1.errors.map((x) => x.path)).toContain('ingress.kafka.topics.0.mapping.type.field');
    const file2 = [
      'ingress:',
      '  kafka:',
      '    deadLetterTopic: orders',
      '    topics:',
      '      - { topic: orders, mode: json, mapping: { id: { field: /id, default: x } } }',
      '      - { topic: t2, mapping: { type: { value: a } } }',
      '      - { topic: t2 }',
      '      - { topic: t3, mapping: { type: { field: /a, header: b } } }',
    ].join('\n');
    const e2 = configError(() => loadConfig({}, file2));
    expect(e2.errors).toEqual([{ path: 'ingress.kafka.topics.3.mapping.type', message: 'must name exactly one of field, header, value, key' }]);
    const file3 = file2.split('\n').slice(0, -1).join('\n');
    const e3 = configError(() => loadConfig({}, file3));
    expect(e3.errors.map((x) => x.path)).toEqual(
      expect.arrayContaining(['ingress.kafka.topics.0.topic', 'ingress.kafka.topics.0.mapping.id.default', 'ingress.kafka.topics.1.mapping', 'ingress.kafka.topics.2.topic']),
    );
    const e4 = configError(() => loadConfig({ CAUSEWAY_KAFKA_INGRESS_TOPICS: 'a:xml,b:cloudevents:t' }));
    expect(e4.errors.filter((x) => x.path === 'CAUSEWAY_KAFKA_INGRESS_TOPICS')).toHaveLength(2);
    const e5 = configError(() => loadConfig({ CAUSEWAY_KAFKA_INGRESS_ENABLED: 'true' }));
    expect(e5.errors.map((x) => x.path)).toEqual(['ingress.kafka.topics']);
  });
});
