/**
 * Writes docs/routes.schema.json, the rule file schema for editors, from src/route/route-schema.ts.
 * Run after changing the schema: `npx tsx scripts/gen-routes-schema.ts` (test/unit/route/route-schema.test.ts
 * fails while the two differ). It is the form without target plug-ins: `to` accepts any kind
 * whose config is an object; the server checks each kind against its plug-in's schema.
 */
import { writeFileSync } from 'node:fs';
import { routeFileSchema } from '../src/route/index.js';

export const routesSchemaJson = (): string => `${JSON.stringify(routeFileSchema(), null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = new URL('../docs/routes.schema.json', import.meta.url);
  writeFileSync(out, routesSchemaJson());
  console.log(`wrote ${out.pathname}`);
}
