/**
 * Restores a backup made by `npm run db:backup` into DATA_DIR (DATA_DIR/postgres), for the embedded
 * PostgreSQL; then `npm start` serves it. Stop the hub first.
 *
 *   DATA_DIR=/srv/niudai npm run db:restore -- backups/niudai-2026-05-01.tar.gz [--force]
 *
 * A DATA_DIR that already holds a database is refused unless --force, which moves that database
 * aside (DATA_DIR/postgres.replaced-<time>) rather than deleting it.
 */
import 'reflect-metadata';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/core/config.js';
import { DataDirectoryError } from '../src/core/embedded-postgres.js';
import { restoreCluster } from '../src/core/cluster-backup.js';
import { createLogger } from '../src/core/logger.js';

const USAGE = 'usage: npm run db:restore -- <file> [--force]';

async function main(): Promise<number> {
  let parsed: { values: { force?: boolean; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  if (config.databaseUrl !== null) {
    console.error('DATABASE_URL is set: restore an external PostgreSQL with its own tools (pg_restore).');
    return 2;
  }
  const log = createLogger(config.logLevel);
  const clusterDir = path.join(config.dataDir, 'postgres');
  const { info, movedAside } = await restoreCluster(path.resolve(parsed.positionals[0]!), clusterDir, log, {
    force: parsed.values.force,
  });
  if (movedAside) console.log(`the database that was in ${clusterDir} is now in ${movedAside}`);
  console.log(
    `restored the backup of ${info.startedAt} (PostgreSQL ${info.postgresMajor}) into ${clusterDir}; ` +
      'start the hub with the same DATA_DIR',
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DataDirectoryError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
