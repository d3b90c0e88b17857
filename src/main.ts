import 'reflect-metadata';
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './core/config.js';
import { createLogger, databaseErrorSummary } from './core/logger.js';
import { DataDirectoryError } from './core/db/embedded-postgres.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import { openDatabase, type OpenDatabase } from './core/db/database.js';
import { connectOrm, migrate } from './core/db/db.js';
import { loadReferenceData } from './modules/reference/reference-data.js';
import { createServices } from './services.js';
import { createApp, type App } from './app.js';
import { ClusterPrimary, ClusterWorker } from './core/cluster.js';

/**
 * The process: configuration, database (embedded unless DATABASE_URL is set), migrations, reference
 * data, first admin, then serve until SIGINT/SIGTERM, and shut down in reverse order. With WORKERS > 1
 * this process is the primary: it does the same up to the first admin, then forks the workers that
 * serve (src/core/cluster.ts) instead of serving itself, and stops them before PostgreSQL.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  if (cluster.isWorker) return runWorker(config, log);
  if (config.dataDirPassedOver) {
    const { dataDir, blockedBy, mode } = config.dataDirPassedOver;
    log.info(
      { dataDir: config.dataDir, passedOver: dataDir },
      `data directory: ${config.dataDir} (the embedded PostgreSQL runs as the 'postgres' user, which ` +
        `cannot enter ${blockedBy}, mode ${mode.toString(8)}; DATA_DIR chooses another place)`,
    );
  }

  // The process owns its signals. Libraries install their own on import (embedded-postgres, through
  // async-exit-hook, stops PostgreSQL and exits 143 on the first SIGTERM, racing the drain below),
  // so take them over before anything starts and stop everything in order ourselves. (Apollo Server
  // would add one when it starts; createApp turns that off.)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);

  // Filled in as startup proceeds, so a signal (or a failure) part-way stops what has started.
  let database: OpenDatabase | null = null;
  let orm: MikroORM | null = null;
  let app: App | null = null;
  let primary: ClusterPrimary | null = null;
  let stopping = false;
  const stopAll = async (): Promise<boolean> => {
    const workersStopped = (await primary?.stop()) ?? true;
    await app?.stop();
    await orm?.close();
    await database?.stop();
    return workersStopped;
  };
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests and closing sockets');
    try {
      const clean = await stopAll();
      if (!clean) {
        log.error('a worker did not stop cleanly');
        process.exit(1);
      }
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));

  try {
    database = await openDatabase(config, log);
    orm = await connectOrm(database.url, log);
    const applied = await migrate(orm);
    if (applied.length) log.info({ applied }, 'migrations applied');
    await loadReferenceData(orm);
    if (config.adminEmail && config.adminPassword) {
      const { created } = await createServices(config).accounts.ensureAdmin(
        orm.em.fork(),
        config.adminEmail,
        config.adminPassword,
      );
      if (created) log.info({ email: config.adminEmail }, 'first admin created');
    }
    let base: string;
    if (config.workers > 1) {
      // The workers open their own pools; the primary keeps none.
      await orm.close();
      orm = null;
      primary = new ClusterPrimary({
        workers: config.workers,
        log,
        // The workers use this database and this secret (in test and development it may be generated).
        env: { DATABASE_URL: database.url, JWT_SECRET: config.jwtSecret },
      });
      base = await primary.start();
    } else {
      app = await createApp({ config, orm, log });
      base = await app.listen(config.port);
    }
    log.info(
      { url: `${base.replace('127.0.0.1', 'localhost')}/graphql`, workers: config.workers },
      'Niudai is serving GraphQL (HTTP and graphql-ws)',
    );
  } catch (error) {
    // Never leave an embedded PostgreSQL running behind a failed start.
    await stopAll().catch((stopError: unknown) =>
      log.error({ err: stopError }, 'cleanup after failed start'),
    );
    throw error;
  }
}

/**
 * One worker of the cluster: the primary has prepared the database and passed its URL. It serves until
 * SIGTERM (sent by the primary), or until the primary is gone.
 */
async function runWorker(config: Config, log: ReturnType<typeof createLogger>): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
  const link = new ClusterWorker();
  const workerLog = log.child({ worker: link.slot });
  let orm: MikroORM | null = null;
  let app: App | null = null;
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    workerLog.info({ reason }, 'worker stopping: draining requests and closing sockets');
    try {
      await app?.stop();
      await orm?.close();
      process.exit(0);
    } catch (error) {
      workerLog.error({ err: error }, 'unclean worker shutdown');
      process.exit(1);
    }
  };
  // Ctrl-C reaches every process of the group; the primary's SIGTERM follows and is ignored then.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));
  // A primary that died cannot restart or stop us: do not linger holding the port.
  process.on('disconnect', () => void shutdown('primary gone'));
  orm = await connectOrm(config.databaseUrl ?? '', workerLog);
  app = await createApp({ config, orm, log: workerLog, cluster: link, backgroundJobs: link.runsJobs });
  link.serve({
    readiness: app.readiness,
    registry: app.metrics.registry,
    webhookRegistered: app.webhookRegistered,
  });
  await app.listen(config.port);
  workerLog.info({ pid: process.pid, backgroundJobs: link.runsJobs }, 'worker serving');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirectoryError) {
    console.error(error.message);
  } else {
    // A database error's message inlines SQL values: only its summary is printed.
    console.error('Niudai failed to start:', databaseErrorSummary(error) ?? error);
  }
  process.exit(1);
});
