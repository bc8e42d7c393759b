import { defineConfig, type Options } from 'tsup';

/**
 * The build every package shares: ESM + CJS + .d.ts from the entry points given.
 * `splitting` keeps one shared chunk per format, so classes (errors!) are the same object in
 * every entry point of a package and `instanceof` works across them, in CJS too.
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    splitting: true,
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    tsconfig: 'tsconfig.build.json',
    removeNodeProtocol: false,
    ...overrides,
  });
}
