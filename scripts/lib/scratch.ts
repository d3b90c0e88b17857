/**
 * A scratch embedded PostgreSQL for the measuring scripts: a `mktemp -d` folder, a migrated database
 * with the reference data loaded, an ORM and a plain pg client on it, and one `stop()` that closes
 * them all and removes the folder (unless kept).
 *
 * @module
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ensureDatabase, withDatabase } from '../../src/core/db/database-url.js';
import { connectOrm, migrate } from '../../src/core/db/db.js';
import { makePostgresScratchDir, startEmbeddedPostgres } from '../../src/core/db/embedded-postgres.js';
import { loadReferenceData } from '../../src/modules/reference/reference-data.js';

/** Runs SQL on a plain pg client and returns the rows. */
export type Sql = <R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values?: unknown[],
) => Promise<R[]>;

/** A running scratch database. */
export interface Scratch {
  /** The `mktemp -d` folder holding the cluster. */
  folder: string;
  /** Connection URL of the database. */
  url: string;
  orm: MikroORM;
  /** SQL on a dedicated plain pg client (for generating data and running EXPLAIN). */
  sql: Sql;
  /** Closes the client and the ORM, stops PostgreSQL and removes the folder unless `keep`. */
  stop: () => Promise<void>;
}

/**
 * Starts PostgreSQL in a new `mktemp -d` folder (prefix `prefix`), creates database `database`,
 * migrates it and loads the reference data (regions, categories).
 */
export async function startScratch(
  prefix: string,
  database: string,
  log: Logger,
  keep: boolean,
): Promise<Scratch> {
  const folder = makePostgresScratchDir(prefix);
  const db = await startEmbeddedPostgres(path.join(folder, 'pgdata'), log);
  let orm: MikroORM | undefined;
  const client = new pg.Client({ connectionString: db.url(database) });
  const stop = async (): Promise<void> => {
    await client.end().catch(() => undefined);
    await orm?.close();
    await db.stop();
    if (!keep) rmSync(folder, { recursive: true, force: true });
  };
  try {
    await ensureDatabase(db.url('postgres'), database);
    const url = withDatabase(db.url('postgres'), database);
    orm = await connectOrm(url);
    await migrate(orm);
    await loadReferenceData(orm);
    await client.connect();
    const sql: Sql = async (text, params) => (await client.query(text, params)).rows;
    return { folder, url, orm, sql, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
