import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/index.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('docs/errors.md', () => {
  const documented = [...doc.matchAll(/^### (CW_[A-Z_]+)\s*$/gm)].map((m) => m[1]);

  it('documents every CW_* code exactly once, and no code that does not exist', () => {
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it.each(Object.entries(ERROR_CODES))('%s: documented status and retriable match the code table', (code, info) => {
    const section = doc.split(/^### /m).find((s) => s.startsWith(`${code}\n`)) ?? '';
    expect(section).toContain(`Status: ${info.status}`);
    expect(section).toContain(`Retriable: ${info.retriable ? 'yes' : 'no'}`);
  });
});
