import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, parseDuration, parseSize, SIZE_PATTERN } from '../../../src/route/index.js';

describe('parseDuration', () => {
  it('reads the units and bare milliseconds', () => {
    expect(parseDuration('200ms')).toBe(200);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('0ms')).toBe(0);
    expect(parseDuration(250)).toBe(250);
  });

  it('refuses everything else', () => {
    for (const bad of ['200', '20 ms', '1d', '-1s', 's', '1.s', '.5s', 'ms', '1S', ' 1s']) expect(parseDuration(bad), bad).toBeUndefined();
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(parseDuration(bad), String(bad)).toBeUndefined();
  });

  it('unit arithmetic holds for any amount (property)', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), (n) => {
        expect(parseDuration(`${n}ms`)).toBe(n);
        expect(parseDuration(`${n}s`)).toBe(n * 1000);
        expect(parseDuration(`${n}m`)).toBe(n * 60_000);
        expect(parseDuration(`${n}h`)).toBe(n * 3_600_000);
      }),
    );
  });
});

describe('parseSize', () => {
  it('uses binary multiples', () => {
    expect(parseSize('1KB')).toBe(1024);
    expect(parseSize('512KB')).toBe(524_288);
    expect(parseSize('5MB')).toBe(5 * 1024 * 1024);
    expect(parseSize('1MiB')).toBe(1024 * 1024);
    expect(parseSize('1GB')).toBe(1024 ** 3);
    expect(parseSize('100B')).toBe(100);
    expect(parseSize('1.5KB')).toBe(1536);
    expect(parseSize(4096)).toBe(4096);
    for (const bad of ['5 MB', '5mb', '5XB', 'MB', '5', '-1KB']) expect(parseSize(bad), bad).toBeUndefined();
  });

  it('agrees with the schema pattern: the pattern accepts exactly what parses (property)', () => {
    const ajv = new Ajv2020();
    const dur = ajv.compile({ type: 'string', pattern: DURATION_PATTERN });
    const size = ajv.compile({ type: 'string', pattern: SIZE_PATTERN });
    const text = fc.stringMatching(/^[0-9. a-zA-Z-]{0,8}$/);
    fc.assert(
      fc.property(text, (s) => {
        expect(dur(s)).toBe(parseDuration(s) !== undefined);
        expect(size(s)).toBe(parseSize(s) !== undefined);
      }),
    );
  });

  it('docs/routes.md states the same units', () => {
    const doc = readFileSync(new URL('../../../docs/routes.md', import.meta.url), 'utf8');
    expect(doc).toMatch(/`1KB` = 1024 bytes/);
    expect(doc).toMatch(/`ms`, `s`, `m` or `h`/);
  });
});
