/**
 * Package boundaries of ARCHITECTURE.md, checked in CI (`pnpm deps:check`):
 * no cycles, no import that goes up or sideways, no import into another package's src/,
 * no node:* in the runtime-free core except in clearly separated adapter folders.
 */
const layers = {
  models: [],
  vm: ['models'],
  tools: ['models'],
  conversation: ['models'],
  'store-redis': ['models'],
  'store-s3': ['models'],
  'session-manager': ['models', 'vm', 'tools', 'conversation', 'store-redis', 'store-s3'],
};
const all = Object.keys(layers);

const forbidden = [
  { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  {
    name: 'no-deep-import-into-other-package',
    comment: 'import another package by its name (@chuk/x), never its files',
    severity: 'error',
    from: { path: '^packages/([^/]+)/' },
    to: { dependencyTypes: ['local'], path: '^packages/([^/]+)/', pathNot: '^packages/$1/' },
  },
  { name: 'no-unresolvable', comment: 'every import resolves (also catches imports of files a package does not export)', severity: 'error', from: {}, to: { couldNotResolve: true } },
  {
    name: 'examples-use-public-entry-points',
    severity: 'error',
    from: { path: '^(examples|bench)/' },
    to: { dependencyTypes: ['local'], path: '^packages/' },
  },
  {
    name: 'core-has-no-node-builtins',
    comment: 'models, vm, tools and conversation run on any runtime; only @chuk/vm/fs may use node:*',
    severity: 'error',
    from: { path: '^packages/(models|vm|tools|conversation)/src/', pathNot: '^packages/vm/src/fs/' },
    to: { dependencyTypes: ['core'] },
  },
];
for (const pkg of all) {
  const allowed = new Set([pkg, ...layers[pkg]]);
  const notAllowed = all.filter((p) => !allowed.has(p));
  if (notAllowed.length === 0) continue;
  forbidden.push({
    name: `layering-${pkg}`,
    comment: `@chuk/${pkg} may only depend on: ${[...allowed].join(', ')}`,
    severity: 'error',
    from: { path: `^packages/${pkg}/src/` },
    to: { path: `^packages/(${notAllowed.join('|')})/` },
  });
}

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage|node_modules)/' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      conditionNames: ['@chuk/source', 'import', 'require', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
