import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {"index":"src/index.ts","fs/index":"src/fs/index.ts"},
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { customConditions: [] } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  removeNodeProtocol: false,
});
