import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS build (type-graphql and Apollo get that one); Vite would
    // pick the `module` build for our sources. Two copies break `instanceof` and schema checks.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    setupFiles: ['tests/setup/reflect.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    projects: [
      // Unit tests need no database, so they start no PostgreSQL (`npm run test:unit`). They keep
      // no state between files, so the files of a worker share one module cache (isolate: false):
      // importing the app's modules once per worker rather than once per file is most of the time.
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/setup/global-setup.ts'],
          // Each integration file gets its own database, so files run in parallel safely.
          fileParallelism: true,
          // Importing the app's modules took most of a file's time (it was two thirds of the suite's
          // wall time on 2 cores): the files of a worker share one module cache, as unit files do,
          // and so one built GraphQL schema (tests/setup/test-app.ts). Each file still starts its own
          // app on its own database; what the app keeps lives on its instance, not in modules.
          isolate: false,
        },
      },
    ],
  },
});
