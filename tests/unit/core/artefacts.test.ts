import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from '../../../src/schema-file.js';
import { MIGRATIONS } from '../../../migrations/index.js';

describe('generated artefacts', () => {
  it('schema/schema.graphql matches the schema the code builds (run npm run schema:emit)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await printedSchema());
  });

  it('migrations/index.ts lists every migration file, in order', () => {
    const dir = path.resolve(import.meta.dirname, '../../../migrations');
    const files = readdirSync(dir)
      .filter((f) => /^Migration\d+.*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files);
  });
});
