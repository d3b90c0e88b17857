/**
 * Backs up the embedded PostgreSQL of DATA_DIR (the one `npm start` uses) to a file: an online base
 * backup, so the hub may keep running (src/core/cluster-backup.ts says why it is not pg_dump).
 *
 *   npm run db:backup -- backups/niudai-2026-05-01.tar.gz [--force]
 *
 * The file is written by the user running the command (mode 600: it holds every worker's contact
 * details); an existing file is kept unless --force. With DATABASE_URL (an external PostgreSQL) use
 * that server's own tools (pg_dump, pg_basebackup): this command refuses.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { backupCluster } from '../src/core/cluster-backup.js';
import { createLogger } from '../src/core/logger.js';
import { backupArguments, embeddedConfig, runCommand } from './lib/backup-command.js';

runCommand(async () => {
  const args = backupArguments('usage: npm run db:backup -- <file> [--force]');
  if (typeof args === 'number') return args;
  const { file, force } = args;
  const config = embeddedConfig(
    'back up an external PostgreSQL with its own tools (pg_dump -Fc, pg_basebackup).',
  );
  if (!config) return 2;
  if (!existsSync(path.dirname(file))) {
    console.error(`The folder ${path.dirname(file)} does not exist.`);
    return 2;
  }
  if (existsSync(file) && !force) {
    console.error(`${file} exists; pass --force to replace it.`);
    return 2;
  }
  const log = createLogger(config.logLevel);
  const started = Date.now();
  const info = await backupCluster(path.join(config.dataDir, 'postgres'), file, log);
  console.log(
    `backed up ${path.join(config.dataDir, 'postgres')} (PostgreSQL ${info.postgresMajor}, WAL ${info.startLsn}..${info.stopLsn}) ` +
      `to ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return 0;
});
