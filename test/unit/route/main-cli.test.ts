import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bidEvent, repoRoot, routesDir } from './route-fixtures.js';

const run = promisify(execFile);

/** Runs `causeway <args>` from the sources; resolves with the exit code and both streams. */
async function causeway(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'src/main.ts'), ...args], {
      cwd: repoRoot,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('main.ts wires the route commands', () => {
  it('routes check, routes test --event --route, filter eval --sql', async () => {
    const file = join(routesDir(), 'e.json');
    writeFileSync(file, JSON.stringify(bidEvent()));
    const [check, test, evalSql] = await Promise.all([
      causeway(['routes', 'check']),
      causeway(['routes', 'test', '--event', file, '--route', 'large-bids-to-analytics', '--topic', 'auction.bids']),
      causeway(['filter', 'eval', '--sql', 'EXISTS subject', '--event', file]),
    ]);
    expect(check).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^routes ok: 2 routes in 1 file \(\.\/routes\)\ncases: 5 passed/),
    });
    expect(test).toMatchObject({ code: 0, stdout: '✓ large-bids-to-analytics\n' });
    expect(evalSql).toMatchObject({ code: 1, stdout: 'false\nvalue: FALSE\n' });
  });
});
