import { defineConfig } from 'vitest/config';

const conditions = ['@chuk/source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@chuk/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/store-plugin/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'examples/store-plugin/src/**/*.ts'],
      exclude: ['**/*.d.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { perFile: true, lines: 90 },
    },
  },
});
