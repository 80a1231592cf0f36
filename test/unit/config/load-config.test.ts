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
