import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { routeFileSchema } from '../../../src/route/index.js';
import { repoRoot, TARGETS } from './route-fixtures.js';

describe('the rule file JSON Schema', () => {
  it('docs/routes.schema.json is routeFileSchema() (regenerate: npx tsx scripts/gen-routes-schema.ts)', () => {
    const published = readFileSync(`${repoRoot}docs/routes.schema.json`, 'utf8');
    expect(published).toBe(`${JSON.stringify(routeFileSchema(), null, 2)}\n`);
  });

  it('is a valid 2020-12 schema that accepts the example and refuses a typo (as an editor would use it)', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(`${repoRoot}docs/routes.schema.json`, 'utf8')) as object);
    const example = parse(readFileSync(`${repoRoot}routes/auction.yaml`, 'utf8')) as { routes: Record<string, unknown>[] };
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ routes: [{ ...example.routes[0], form: ['x'] }] })).toBe(false);
  });

  it('with targets, `to` takes exactly the plug-ins kinds and embeds their schemas without $schema', () => {
    const schema = routeFileSchema(TARGETS) as { $defs: { target: Record<string, unknown> } };
    const target = schema.$defs.target as { properties: Record<string, Record<string, unknown>>; additionalProperties: unknown };
    expect(Object.keys(target.properties)).toEqual(['http', 'kafka']);
    expect(target.additionalProperties).toBe(false);
    expect(target.properties['http']?.['$schema']).toBeUndefined();
    expect(target.properties['http']?.['required']).toEqual(['url']);
  });
});
