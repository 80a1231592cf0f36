import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// scripts/kafka.sh formats a fresh broker's storage with this id. An id that began with '-' (1 draw
// in 64) made the storage tool fail with "argument --cluster-id/-t: expected one argument".
const lib = fileURLToPath(new URL('../../../scripts/lib/kafka-cluster-id.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cw-cluster-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function draw(script: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('bash', ['-c', `source "$0"; ${script}`, lib], { encoding: 'utf8' });
}

function sourceOf(name: string, ...draws: Buffer[]): string {
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat(draws));
  return file;
}

const ID = /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/;

describe('new_cluster_id (scripts/lib/kafka-cluster-id.sh)', () => {
  it('draws again when the id would start with "-", and prints the next draw in URL-safe base64', () => {
    const dash = Buffer.alloc(16, 0xf8); // 111110.. → '-' first in URL-safe base64
    const next = Buffer.from(Array.from({ length: 16 }, (_, i) => 0x3f + i * 11));
    expect(dash.toString('base64url').startsWith('-')).toBe(true);
    const out = draw(`new_cluster_id "${sourceOf('dash-then-good', dash, dash, next)}"`);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(`${next.toString('base64url')}\n`);
  });

  it('fails with a message, instead of printing a bad id or looping, when the source runs out', () => {
    const out = draw(`new_cluster_id "${sourceOf('only-dash', Buffer.alloc(16, 0xf8))}"`);
    expect(out.status).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/gave no 16-byte draw that does not start with "-"/);
  });

  it('gives 22-character ids of 16 random bytes from /dev/urandom, none starting with "-"', () => {
    const ids = execFileSync('bash', ['-c', 'source "$0"; for i in $(seq 300); do new_cluster_id || exit 1; done', lib], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    expect(ids).toHaveLength(300);
    for (const id of ids) {
      expect(id).toMatch(ID);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
    expect(new Set(ids).size).toBe(300);
  });
});
