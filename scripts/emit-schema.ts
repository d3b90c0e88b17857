/**
 * Writes the API's SDL, sorted, to schema/schema.graphql; with --check, fails if the committed file
 * differs (CI runs that, and a test does too).
 *
 *   npm run schema:emit        npm run schema:check
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { printedSchema, SCHEMA_FILE } from '../src/schema-file.js';

const sdl = await printedSchema();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(SCHEMA_FILE, 'utf8');
  } catch {
    /* missing counts as drift */
  }
  if (committed !== sdl) {
    console.error(`${SCHEMA_FILE} is out of date: run 'npm run schema:emit' and commit the result.`);
    process.exit(1);
  }
  console.log(`${SCHEMA_FILE} is up to date.`);
} else {
  writeFileSync(SCHEMA_FILE, sdl);
  console.log(`wrote ${SCHEMA_FILE}`);
}
