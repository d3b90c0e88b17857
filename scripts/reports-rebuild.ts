/**
 * Recounts the report rollups from the demands in one transaction (demand writes wait for it), and
 * empties the pending deltas (docs/operations.md, "Report rollups").
 *
 *   npm run reports:rebuild         (DATABASE_URL, or the embedded database of DATA_DIR)
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../src/core/config.js';
import { DataDirectoryError } from '../src/core/db/embedded-postgres.js';
import { createLogger } from '../src/core/logger.js';
import { rebuildDemandRollups } from '../src/modules/reports/demand-rollups.js';
import { withHubDatabase } from './lib/hub-database.js';

async function main(): Promise<number> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const log = createLogger(config.logLevel);
  const cells = await withHubDatabase(config, log, (orm) => rebuildDemandRollups(orm.em));
  console.log(`The report rollups were recounted: ${cells} cell-days.`);
  return 0;
}

// Exit explicitly: embedded-postgres's exit hook would otherwise end the process with code 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Database errors carry SQL values: only their class is printed.
    console.error(
      error instanceof ConfigError || error instanceof DataDirectoryError
        ? error.message
        : `reports:rebuild failed: ${(error as Error).name} ${(error as { code?: string }).code ?? ''}`,
    );
    process.exit(2);
  },
);
