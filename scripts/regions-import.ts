/**
 * Imports administrative divisions from a CSV (`code,name,nameEn,parentCode`) into the hub's
 * database (DATABASE_URL, or the embedded PostgreSQL in DATA_DIR; stop the hub first in that case).
 * The same rules and transaction as the `importRegions` mutation: a bad row writes nothing.
 *
 *   npm run regions:import -- divisions.csv
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/core/config.js';
import { withHubDatabase } from './lib/hub-database.js';
import { DataDirectoryError } from '../src/core/db/embedded-postgres.js';
import { BadUserInputError, type FieldProblem } from '../src/core/errors.js';
import { createLogger } from '../src/core/logger.js';
import { RegionService } from '../src/modules/regions/region.service.js';

const USAGE = 'usage: npm run regions:import -- file.csv';

async function main(): Promise<number> {
  const files = process.argv.slice(2).filter((a) => a !== '--');
  if (files.length !== 1 || files[0] === '--help' || files[0] === '-h') {
    console.error(USAGE);
    return 2;
  }
  const file = path.resolve(files[0] ?? '');
  let csv: string;
  try {
    csv = readFileSync(file, 'utf8');
  } catch (error) {
    console.error(`Cannot read ${file}: ${(error as Error).message}`);
    return 1;
  }
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const log = createLogger(config.logLevel);
  try {
    const { created, updated } = await withHubDatabase(config, log, (orm) =>
      new RegionService().importCsv(orm.em.fork(), csv, path.basename(file)),
    );
    console.log(`Imported ${path.basename(file)}: ${created} created, ${updated} updated.`);
    return 0;
  } catch (error) {
    if (!(error instanceof BadUserInputError)) throw error;
    const fields = (error.extensions.fields ?? []) as FieldProblem[];
    console.error(
      `Nothing imported; fix these rows:\n${fields.map((f) => `  ${f.path}: ${f.message}`).join('\n')}`,
    );
    return 1;
  }
}

// Exit explicitly: embedded-postgres's exit hook would otherwise end the process with code 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError || error instanceof DataDirectoryError
        ? error.message
        : `regions:import failed: ${(error as Error).message}`,
    );
    process.exit(1);
  },
);
