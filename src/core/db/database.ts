import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { ensureDatabase } from './database-url.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** The database the embedded server holds the hub's data in. */
export const EMBEDDED_DATABASE = 'niudai';

/** Connections one worker may open (pool of 10, the relay's LISTEN, a spare), and others' (scripts, psql). */
const CONNECTIONS_PER_WORKER = 12;
const CONNECTIONS_BESIDE_WORKERS = 20;

/** Where the hub's data lives, and how to let go of it. */
export interface OpenDatabase {
  url: string;
  /** Whether a private PostgreSQL was started (and is stopped by `stop`). */
  embedded: boolean;
  /** Stops the embedded server, if one was started; a no-op for DATABASE_URL. */
  stop: () => Promise<void>;
}

/**
 * Resolves the database the way every entry point must (the server, `admin:create`,
 * `regions:import`): `DATABASE_URL` when set, otherwise the embedded PostgreSQL in
 * `DATA_DIR/postgres`, started (and created on first use) here. Sharing this keeps the CLI scripts
 * writing into the same database the server reads.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'> & Partial<Pick<Config, 'workers'>>,
  log: Pick<Logger, 'debug' | 'info' | 'error'>,
): Promise<OpenDatabase> {
  if (config.databaseUrl !== null) {
    return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  }
  // Each worker holds a pool of up to 10 and its relay's connection; the default 200 covers 15 workers.
  const needed = CONNECTIONS_BESIDE_WORKERS + (config.workers ?? 1) * CONNECTIONS_PER_WORKER;
  const server = await startEmbeddedPostgres(
    path.join(config.dataDir, 'postgres'),
    log,
    undefined,
    needed > 200 ? { postgresFlags: ['-c', `max_connections=${needed}`] } : {},
  );
  try {
    await ensureDatabase(server.url('postgres'), EMBEDDED_DATABASE);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: server.url(EMBEDDED_DATABASE), embedded: true, stop: () => server.stop() };
}
