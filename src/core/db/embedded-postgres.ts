import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import {
  blockedForPostgresUser,
  loadEmbeddedPostgres,
  postgresReachableTmpdir,
  sharedStateRoot,
} from './embedded-postgres-loader.js';

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
  const blocked = blockedForPostgresUser(dataDir);
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

/** Where the hub keeps its data when DATA_DIR is not set, and why when it is not `./.data`. */
export interface DefaultDataDir {
  dataDir: string;
  /** Set when `./.data` was passed over: the folder the `postgres` user cannot enter, and its mode. */
  passedOver: { dataDir: string; blockedBy: string; mode: number } | null;
}

/**
 * `<checkout>/.data`, unless running as root with the embedded PostgreSQL and the `postgres` user
 * cannot reach it (a clone under /root, mode 700): then `/var/lib/niudai/<folder>-<hash of the
 * checkout path>`, so the same checkout finds its data again after a restart and two checkouts never
 * share one. Created root-owned, mode 0711: the `postgres` user may pass through to `postgres/`
 * (which initdb makes its own, 0700) but not list it; the development JWT secret in it stays 0600.
 */
export function defaultDataDir(checkout: string): DefaultDataDir {
  const local = path.resolve(checkout, '.data');
  const blocked = blockedForPostgresUser(path.join(local, 'postgres'));
  if (!blocked) return { dataDir: local, passedOver: null };
  const resolved = path.resolve(checkout);
  const hash = createHash('sha256').update(resolved).digest('hex').slice(0, 10);
  const dataDir = path.join(sharedStateRoot(), `${path.basename(resolved)}-${hash}`);
  if (!existsSync(dataDir)) {
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o711);
  }
  const st = statSync(dataDir);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new DataDirectoryError(
      `${dataDir} must be a directory owned by root and writable by nobody else; remove it or set DATA_DIR.`,
    );
  }
  return { dataDir, passedOver: { dataDir: local, blockedBy: blocked.dir, mode: blocked.mode } };
}

/**
 * A new empty folder (prefix `prefix`) for a throwaway cluster, mode 0755 so that the `postgres` user
 * can enter it when running as root: under the system temp directory, or under /var/lib/niudai when
 * TMPDIR is private to root. The caller removes it.
 */
export function makePostgresScratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(postgresReachableTmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
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
    await initialiseWithReachableTmpdir(() => pg.initialise());
  }
  await pg.start();
  log.info({ port: chosenPort, dataDir }, 'embedded PostgreSQL started');
  return {
    port: chosenPort,
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${chosenPort}/${database}`,
    stop: () => pg.stop(),
  };
}

/**
 * embedded-postgres writes initdb's password file into the system temp directory, and initdb runs as
 * the `postgres` user; with TMPDIR inside a folder only root can enter it could not read it. Point
 * TMPDIR at a folder it can reach for as long as initdb runs (the file only holds the fixed local
 * password, and is removed afterwards).
 */
async function initialiseWithReachableTmpdir(initialise: () => Promise<void>): Promise<void> {
  const reachable = postgresReachableTmpdir();
  if (reachable === tmpdir()) return initialise();
  const before = process.env.TMPDIR;
  process.env.TMPDIR = reachable;
  try {
    await initialise();
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  }
}
