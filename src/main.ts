import 'reflect-metadata';
import { ConfigError, loadConfig } from './core/config.js';
import { createLogger, databaseErrorSummary } from './core/logger.js';
import { DataDirectoryError } from './core/embedded-postgres.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import { openDatabase, type OpenDatabase } from './core/database.js';
import { connectOrm, migrate } from './core/db.js';
import { loadReferenceData } from './core/reference-data.js';
import { createServices } from './services.js';
import { createApp, type App } from './app.js';

/**
 * The process: configuration, database (embedded unless DATABASE_URL is set), migrations, reference
 * data, first admin, then serve until SIGINT/SIGTERM, and shut down in reverse order.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
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
  let stopping = false;
  const stopAll = async () => {
    await app?.stop();
    await orm?.close();
    await database?.stop();
  };
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests and closing sockets');
    try {
      await stopAll();
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
    app = await createApp({ config, orm, log });
    const base = await app.listen(config.port);
    log.info(
      { url: `${base.replace('127.0.0.1', 'localhost')}/graphql` },
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

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirectoryError) {
    console.error(error.message);
  } else {
    // A database error's message inlines SQL values: only its summary is printed.
    console.error('Niudai failed to start:', databaseErrorSummary(error) ?? error);
  }
  process.exit(1);
});
