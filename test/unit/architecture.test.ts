import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('layout rules (DESIGN §9)', () => {
  it('dependency-cruiser finds no violation of .dependency-cruiser.cjs', () => {
    let out = '';
    try {
      out = execFileSync(join(root, 'node_modules/.bin/depcruise'), ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
        cwd: root,
        encoding: 'utf8',
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`dependency-cruiser reported violations:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
    expect(out).toMatch(/no dependency violations/);
  });

  it('only src/main.ts reads process.env', () => {
    const readers = sources(join(root, 'src'))
      .filter((f) => /process\.env/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(readers).toEqual(['src/main.ts']);
  });

  it('every source file stays within the 400-line house limit', () => {
    const big = sources(join(root, 'src'))
      .map((f) => ({ f: relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.lines > 400);
    expect(big).toEqual([]);
  });
});
