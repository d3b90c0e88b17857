import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../migrations/index.js';

describe('generated artefacts', () => {
  it('migrations/index.ts lists every migration file, in order', () => {
    const dir = path.resolve(import.meta.dirname, '../../../migrations');
    const files = readdirSync(dir)
      .filter((f) => /^Migration\d+.*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files);
  });
});
