import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../../src/core/config.js';
import { openDatabase, type OpenDatabase } from '../../src/core/db/database.js';
import { connectOrm, migrate } from '../../src/core/db/db.js';
import { DataDirectoryError } from '../../src/core/db/embedded-postgres.js';
import { loadReferenceData } from '../../src/modules/reference/reference-data.js';

/**
 * For one-shot commands (`admin:create`, `regions:import`): opens the hub's database, brings it up to
 * date (migrations, reference data) so the command works on a fresh machine too, runs `work`, and
 * closes everything, whatever happens.
 */
export async function withHubDatabase<T>(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  log: Logger,
  work: (orm: MikroORM) => Promise<T>,
): Promise<T> {
  let database: OpenDatabase;
  try {
    database = await openDatabase(config, log);
  } catch (error) {
    if (config.databaseUrl === null && existsSync(path.join(config.dataDir, 'postgres', 'postmaster.pid'))) {
      // Two servers cannot share one data directory: the likeliest cause is a running hub.
      throw new DataDirectoryError(
        `Could not start the embedded PostgreSQL in ${path.join(config.dataDir, 'postgres')}: ` +
          `is the hub running? Stop it first, or set DATABASE_URL to reach its database ` +
          `(${(error as Error).message})`,
      );
    }
    throw error;
  }
  try {
    const orm = await connectOrm(database.url, log);
    try {
      await migrate(orm);
      await loadReferenceData(orm);
      return await work(orm);
    } finally {
      await orm.close();
    }
  } finally {
    await database.stop();
  }
}
