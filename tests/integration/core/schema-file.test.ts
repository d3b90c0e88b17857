import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from '../../../src/schema-file.js';

// With the integration tests: building the schema imports every module of the app, which was most
// of the unit tests' time. The unit tests read schema/schema.graphql and rely on this check.
describe('the published GraphQL schema', () => {
  it('schema/schema.graphql matches the schema the code builds (run npm run schema:emit)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await printedSchema());
  });
});
