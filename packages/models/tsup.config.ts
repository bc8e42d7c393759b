import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {"index":"src/index.ts","testing/index":"src/testing/index.ts"},
  format: ['esm', 'cjs'],
  // one shared chunk for both entry points in CJS too, so `instanceof` works across them
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
});
