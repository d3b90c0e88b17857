import 'reflect-metadata';
import path from 'node:path';
import { ConfigError, loadConfig } from './core/config.js';
import { createLogger } from './core/logger.js';
import {
  DataDirectoryError,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from './core/embedded-postgres.js';
import { ensureDatabase } from './core/database-url.js';
import { connectOrm, migrate } from './core/db.js';
import { loadReferenceData } from './core/reference-data.js';
import { createApp } from './app.js';

const DATABASE = 'niudai';

/**
 * The process: configuration, database (embedded unless DATABASE_URL is set), migrations, reference
 * data, first admin, then serve until SIGINT/SIGTERM, and shut down in reverse order.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);

  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (url === null) {
    embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), log);
    await ensureDatabase(embedded.url('postgres'), DATABASE);
    url = embedded.url(DATABASE);
  }

  const orm = await connectOrm(url, log);
  const applied = await migrate(orm);
  if (applied.length) log.info({ applied }, 'migrations applied');
  await loadReferenceData(orm);
  if (config.adminEmail && config.adminPassword) {
    const app0 = await import('./services.js');
    const { created } = await app0
      .createServices(config)
      .accounts.ensureAdmin(orm.em.fork(), config.adminEmail, config.adminPassword);
    if (created) log.info({ email: config.adminEmail }, 'first admin created');
  }

  const app = await createApp({ config, orm, log });
  const base = await app.listen(config.port);
  log.info(
    { url: `${base.replace('127.0.0.1', 'localhost')}/graphql` },
    'Niudai is serving GraphQL (HTTP and graphql-ws)',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests and closing sockets');
    try {
      await app.stop();
      await orm.close();
      await embedded?.stop();
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirectoryError) {
    console.error(error.message);
  } else {
    console.error('Niudai failed to start:', error);
  }
  process.exit(1);
});
