import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// GRIOT_TEST_RESULTS=<file>: also write vitest's JSON report there (.ci/run prints its totals from it).
const results = process.env.GRIOT_TEST_RESULTS;

export default defineConfig({
  resolve: {
    // One copy of graphql for every importer (Pothos, yoga, tests): two copies fail with
    // "Cannot use GraphQLSchema from another module or realm".
    alias: { graphql: require.resolve('graphql/index.js') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: test files share one MongoDB-wire server, each in its own database.
    fileParallelism: true,
    maxWorkers: 2,
    ...(results ? { reporters: ['default', 'json'], outputFile: { json: results } } : {}),
  },
});
