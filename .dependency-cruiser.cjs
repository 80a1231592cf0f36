/** Layout rules of DESIGN §9, enforced by test/unit/architecture.test.ts. */
const STAGES = '(ingress|normalize|registry|eventlog|route|deliver|targets)';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-is-the-leaf',
      comment: 'core/ imports nothing from src/ outside itself',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'pure-libraries-import-only-core',
      comment: 'codec/ and lineage/ are pure: they may use core/ and npm packages only',
      severity: 'error',
      from: { path: '^src/(codec|lineage)/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/$1/'] },
    },
    {
      name: 'stages-never-import-each-other',
      comment: 'only app/ wires stages together',
      severity: 'error',
      from: { path: `^src/${STAGES}/` },
      to: { path: `^src/${STAGES}/`, pathNot: '^src/$1/' },
    },
    {
      name: 'targets-never-import-each-other',
      severity: 'error',
      from: { path: '^src/targets/([^/]+)/' },
      to: { path: '^src/targets/[^/]+/', pathNot: '^src/targets/$1/' },
    },
    {
      name: 'across-folders-only-index',
      comment: "across top-level folders, import a folder's index.ts only",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '/index\\.ts$'] },
    },
    {
      name: 'main-imports-only-index',
      severity: 'error',
      from: { path: '^src/main\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: '/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
