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
import { restoreCluster } from '../src/core/cluster-backup.js';
import { createLogger } from '../src/core/logger.js';
import { backupArguments, embeddedConfig, runCommand } from './lib/backup-command.js';

runCommand(async () => {
  const args = backupArguments('usage: npm run db:restore -- <file> [--force]');
  if (typeof args === 'number') return args;
  const config = embeddedConfig('restore an external PostgreSQL with its own tools (pg_restore).');
  if (!config) return 2;
  const log = createLogger(config.logLevel);
  const clusterDir = path.join(config.dataDir, 'postgres');
  const { info, movedAside } = await restoreCluster(args.file, clusterDir, log, { force: args.force });
  if (movedAside) console.log(`the database that was in ${clusterDir} is now in ${movedAside}`);
  console.log(
    `restored the backup of ${info.startedAt} (PostgreSQL ${info.postgresMajor}) into ${clusterDir}; ` +
      'start the hub with the same DATA_DIR',
  );
  return 0;
});
