import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './tests/setup/sequencer.js';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS build (type-graphql and Apollo get that one); Vite would
    // pick the `module` build for our sources. Two copies break `instanceof` and schema checks.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    setupFiles: ['tests/setup/reflect.ts', 'tests/setup/pg-queued-statements.ts'],
    pool: 'forks',
    // Vitest's default is the cores less one: on 2 cores, one worker for everything. The integration
    // files mostly wait on PostgreSQL, sockets, child processes and the browser: two run side by side.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // The longest files first on a run that has no record of durations (tests/setup/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      // Unit tests need no database, so they start no PostgreSQL (`npm run test:unit`). They keep
      // no state between files, so the files of a worker share one module cache (isolate: false):
      // importing the app's modules once per worker rather than once per file is most of the time.
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          isolate: false,
          // A group of its own, run first: vitest reuses a worker only for the next file of the same
          // project, so unit and integration files interleaved in one queue would restart workers
          // (and import everything again) at every switch.
          sequence: { groupOrder: 0 },
          // One worker takes every unit file at once and imports the app's modules once: faster than
          // two that each import them (4.9 and 6.2 s against 5.9 and 7.1 s, alternated, at load 2.5).
          maxWorkers: 1,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/setup/global-setup.ts'],
          sequence: { groupOrder: 1 },
          // Each integration file gets its own database, so files run in parallel safely.
          fileParallelism: true,
          // The files of a worker share one module cache, as the unit tests do: importing the app
          // once per worker rather than once per file saves about 90 s of the run. Every file
          // starts its own app over its own database, so what a module keeps is per app.
          isolate: false,
        },
      },
    ],
  },
});
