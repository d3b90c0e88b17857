import { afterAll, expect } from 'vitest';

/**
 * Fails a test file in which node-postgres warned that a statement was sent on a connection while
 * another waited there (its next major version refuses it). Inside a transaction there is one
 * connection: statements sent together through `Promise.all` only queue on it, so the code must
 * send them one after another. node-postgres warns once per process, so the first file to do it in
 * a worker fails. One listener per process (workers run many files), set up by the first file.
 */
const SEEN = Symbol.for('niudai.tests.pgQueuedStatements');
const registry = globalThis as { [SEEN]?: string[] };
if (!registry[SEEN]) {
  const seen: string[] = [];
  registry[SEEN] = seen;
  process.on('warning', (warning) => {
    if (warning.name === 'DeprecationWarning' && warning.message.includes('already executing a query'))
      seen.push(warning.message);
  });
}

afterAll(() => {
  const seen = registry[SEEN]!.splice(0);
  expect(seen, 'statements sent together on one pg connection (run them one after another)').toEqual([]);
});
