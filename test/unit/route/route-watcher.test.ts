import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CausewayError } from '../../../src/core/index.js';
import { loadRoutes, watchRoutes, type RouteDiff, type RouteSet, type RouteWatcher } from '../../../src/route/index.js';
import { route, routesDir, TARGETS } from './route-fixtures.js';

const targets = TARGETS;
const watchers: RouteWatcher[] = [];
afterEach(async () => {
  for (const w of watchers.splice(0)) await w.close();
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(files: Record<string, string>, debounceMs = 40) {
  const dir = routesDir(files);
  const initial = await loadRoutes(dir, { targets });
  const changes: { diff: RouteDiff; set: RouteSet }[] = [];
  const invalid: CausewayError[] = [];
  const w = watchRoutes(dir, {
    targets,
    initial,
    debounceMs,
    rewatchMs: 50,
    onChange: (diff, set) => void changes.push({ diff, set }),
    onInvalid: (e) => void invalid.push(e),
  });
  watchers.push(w);
  return { dir, initial, w, changes, invalid };
}

const ids = (rs: readonly { id: string }[]) => rs.map((r) => r.id);

describe('watchRoutes', () => {
  it('swaps in a valid change and reports added, removed, changed and unchanged routes', async () => {
    const { dir, initial, w, changes } = await start({ 'r.yaml': `routes:\n${route('a')}${route('b')}${route('c')}` });
    writeFileSync(join(dir, 'r.yaml'), `routes:\n${route('a')}${route('b', '    delivery: { timeout: 3s }\n')}`);
    writeFileSync(join(dir, 'more.yaml'), `routes:\n${route('d')}`);
    await until(() => changes.length > 0 && changes.at(-1)?.set.byId.has('d') === true);
    const { diff, set } = changes.at(-1) as { diff: RouteDiff; set: RouteSet };
    expect(ids(diff.added)).toEqual(['d']);
    expect(ids(diff.removed)).toEqual(['c']);
    expect(diff.changed.map((c) => [c.before.delivery.timeoutMs, c.after.delivery.timeoutMs])).toEqual([[10_000, 3000]]);
    expect(ids(diff.unchanged)).toEqual(['a']);
    expect(diff.removed[0]).toBe(initial.byId.get('c'));
    expect(w.status().current).toBe(set);
    expect(w.status().reloads).toBe(changes.length);
    expect(w.status().rejectedReloads).toBe(0);
  });

  it('refuses an invalid change, keeps the last good set and shows the error until fixed', async () => {
    const { dir, initial, w, changes, invalid } = await start({ 'r.yaml': `routes:\n${route('a')}` });
    writeFileSync(join(dir, 'r.yaml'), `routes:\n${route('a', '    delivery: { timeout: soon }\n')}`);
    await until(() => invalid.length > 0);
    expect(changes).toEqual([]);
    const st = w.status();
    expect(st.current).toBe(initial);
    expect(st.rejectedReloads).toBeGreaterThanOrEqual(1);
    expect(st.reloads).toBe(0);
    expect(st.lastError?.errors.map((e) => e.path)).toEqual([`${join(dir, 'r.yaml')}:6 route a delivery.timeout`]);
    expect(st.lastError?.at).toBeInstanceOf(Date);
    expect(invalid[0]?.code).toBe('CW_ROUTE_INVALID');

    writeFileSync(join(dir, 'r.yaml'), `routes:\n${route('a', '    delivery: { timeout: 2s }\n')}`);
    await until(() => changes.length > 0);
    expect(w.status().lastError).toBeUndefined();
    expect(w.status().current.byId.get('a')?.delivery.timeoutMs).toBe(2000);
    expect(ids(changes[0]?.diff.changed.map((c) => c.after) ?? [])).toEqual(['a']);
  });

  it('debounces a burst of writes into one reload of the final content', async () => {
    // 20 ms apart, well inside the 300 ms quiet time: one reload, even on a loaded machine
    const { dir, w, changes } = await start({ 'r.yaml': `routes:\n${route('a')}` }, 300);
    for (let i = 1; i <= 5; i++) {
      writeFileSync(join(dir, 'r.yaml'), `routes:\n${route('a', `    delivery: { retry: ${i} }\n`)}`);
      await sleep(20);
    }
    await until(() => changes.length > 0);
    await sleep(700);
    expect(changes).toHaveLength(1);
    expect(w.status().current.byId.get('a')?.delivery.retry).toBe(5);
  });

  it('survives rename-on-save (the way vim and JetBrains write files), again and again', async () => {
    const { dir, w, changes } = await start({ 'r.yaml': `routes:\n${route('a')}` });
    for (const retry of [1, 2]) {
      const tmp = join(dir, 'r.yaml.tmp~');
      writeFileSync(tmp, `routes:\n${route('a', `    delivery: { retry: ${retry} }\n`)}`);
      renameSync(tmp, join(dir, 'r.yaml'));
      await until(() => w.status().current.byId.get('a')?.delivery.retry === retry);
    }
    expect(changes.length).toBeGreaterThanOrEqual(2);
  });

  it('an unchanged reload (comment edit) reports every route as unchanged', async () => {
    const { dir, changes } = await start({ 'r.yaml': `routes:\n${route('a')}` });
    writeFileSync(join(dir, 'r.yaml'), `# a comment\nroutes:\n${route('a')}`);
    await until(() => changes.length > 0);
    const d = changes[0]?.diff;
    expect([d?.added.length, d?.removed.length, d?.changed.length, ids(d?.unchanged ?? [])]).toEqual([0, 0, 0, ['a']]);
  });

  it('reload() reloads on demand and tells the result', async () => {
    const { dir, w } = await start({ 'r.yaml': `routes:\n${route('a')}` }, 60_000);
    writeFileSync(join(dir, 'r.yaml'), `routes:\n${route('b')}`);
    expect(await w.reload()).toBe('ok');
    expect(ids(w.status().current.routes)).toEqual(['b']);
    writeFileSync(join(dir, 'r.yaml'), 'routes: 5\n');
    expect(await w.reload()).toBe('rejected');
    expect(ids(w.status().current.routes)).toEqual(['b']);
  });

  it('keeps the last good set when the directory disappears, and resumes when it is back', async () => {
    const { dir, initial, w, invalid } = await start({ 'r.yaml': `routes:\n${route('a')}` });
    rmSync(dir, { recursive: true, force: true });
    await until(() => invalid.length > 0);
    expect(w.status().current).toBe(initial);
    mkdirSync(dir);
    writeFileSync(join(dir, 'r.yaml'), `routes:\n${route('z')}`);
    await until(() => w.status().current.byId.has('z'));
  });

  it('notices a directory replaced under the same name before the reload looks, and hears the new one', async () => {
    // rm -r and mkdir in one go (a deploy that swaps the folder): the reload finds a directory,
    // but the watch is still on the deleted one and would hear nothing more
    const { dir, w } = await start({ 'r.yaml': `routes:\n${route('a')}` });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, 'r.yaml'), `routes:\n${route('z')}`);
    await until(() => w.status().current.byId.has('z'));
    await sleep(300); // past the re-watch period (50 ms) and its reload
    writeFileSync(join(dir, 'r.yaml'), `routes:\n${route('y')}`);
    await until(() => w.status().current.byId.has('y'));
  });

  it('follows a symlinked routes directory pointed at another directory (no event reaches the old watch)', async () => {
    const base = routesDir({});
    mkdirSync(join(base, 'a'));
    writeFileSync(join(base, 'a', 'r.yaml'), `routes:\n${route('a')}`);
    mkdirSync(join(base, 'b'));
    writeFileSync(join(base, 'b', 'r.yaml'), `routes:\n${route('b')}`);
    const link = join(base, 'routes');
    symlinkSync('a', link);
    const w = watchRoutes(link, {
      targets,
      initial: await loadRoutes(link, { targets }),
      debounceMs: 40,
      rewatchMs: 50,
      onChange: () => {},
    });
    watchers.push(w);
    // swapped atomically, as deploy tools do: a new link renamed over the old one
    symlinkSync('b', join(base, 'routes.new'));
    renameSync(join(base, 'routes.new'), link);
    await until(() => w.status().current.byId.has('b'));
    writeFileSync(join(base, 'b', 'r.yaml'), `routes:\n${route('c')}`);
    await until(() => w.status().current.byId.has('c'));
  });

  it('close() stops watching: later changes are ignored', async () => {
    const { dir, w, changes } = await start({ 'r.yaml': `routes:\n${route('a')}` });
    await w.close();
    writeFileSync(join(dir, 'r.yaml'), `routes:\n${route('b')}`);
    await sleep(200);
    expect(changes).toEqual([]);
    expect(await w.reload()).toBe('closed');
  });
});
