/** Helpers for the route tests: stand-in target schemas and throw-away routes directories. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { CausewayError } from '../../../src/core/index.js';
import type { RouteProblem } from '../../../src/route/index.js';

/** Small stand-ins for the http and kafka plug-ins' configSchema (the real ones live in src/targets/). */
export const TARGETS = [
  {
    kind: 'http',
    configSchema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['url'],
      additionalProperties: false,
      properties: { url: { type: 'string', pattern: '^https?://' }, mode: { enum: ['binary', 'structured', 'batch'] } },
    },
  },
  {
    kind: 'kafka',
    configSchema: {
      type: 'object',
      required: ['topic'],
      additionalProperties: false,
      properties: { topic: { type: 'string', minLength: 1 }, mode: { enum: ['binary', 'structured'] } },
    },
  },
] as const;

export const repoRoot = new URL('../../..', import.meta.url).pathname;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory holding `files` (name → text); removed after the test. */
export function routesDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-routes-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The problems a rejected promise carries (fails the test when it resolves or throws something else). */
export async function problemsOf(p: Promise<unknown>): Promise<RouteProblem[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CausewayError && e.code === 'CW_ROUTE_INVALID') return [...(e.errors as RouteProblem[])];
    throw e;
  }
  throw new Error('expected CW_ROUTE_INVALID, but the rules loaded');
}

/** A minimal valid route as YAML lines (indented for a `routes:` list). */
export const route = (id: string, extra = ''): string =>
  `  - id: ${id}\n    from: [auction.bids]\n    to:\n      http: { url: "http://127.0.0.1:9/x" }\n${extra}`;

export const bidEvent = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  specversion: '1.0',
  id: 'bid-1',
  source: '/auction/web',
  type: 'com.example.auction.bid.placed',
  datacontenttype: 'application/json',
  data: { itemId: 'item-42', amount: 150 },
  ...over,
});
