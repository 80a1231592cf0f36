import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const repo = new URL('../../', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, repo), 'utf8');

describe('how Causeway is run', () => {
  it('the Docker image runs node with the same flags as `npm start`', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    const flags = /\bnode((?:\s+--\S+)*)\s+dist\/main\.js\b/.exec(start)?.[1]?.trim().split(/\s+/) ?? [];
    expect(flags).toContain('--max-semi-space-size=64');
    const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(read('Dockerfile'))?.[1];
    expect(entry).toBeDefined();
    expect(JSON.parse(entry!)).toEqual(['node', ...flags, 'dist/main.js']);
  });
});
