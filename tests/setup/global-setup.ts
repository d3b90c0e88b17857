import { rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pino from 'pino';
import {
  makePostgresScratchDir,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../../src/core/db/embedded-postgres.js';
import { ensureDatabase, withDatabase } from '../../src/core/db/database-url.js';
import { connectOrm, migrate } from '../../src/core/db/db.js';
import { loadReferenceData } from '../../src/modules/reference/reference-data.js';
import { loadConsoleAssets, writeConsole } from '../../src/console/assets.js';
import { TEMPLATE_DATABASE } from './constants.js';
import { buildServerBundle } from './server-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test server's maintenance database; test files create their own from the template. */
    adminDatabaseUrl: string;
    /** The bundled server process that `spawnServer` runs (server-bundle.ts). */
    serverBundle: string;
  }
}

/**
 * One PostgreSQL per test run (embedded on a free port, or TEST_DATABASE_URL), with a template
 * database migrated once and loaded with reference data. Each test file copies the template.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' });
  let embedded: EmbeddedDatabase | null = null;
  let scratch: string | null = null;
  // Every hub a test starts serves the console from console/dist when that build is current (as
  // `npm start` does), else bundles it in memory on its first page request: building it once here
  // spares each browser test file a bundle of its own (seconds, under load) on its first page load.
  const consoleBuild = loadConsoleAssets().then(async ({ assets, prebuilt }) => {
    if (!prebuilt) await writeConsole(assets);
  });
  const serverBundle = buildServerBundle();
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    scratch = makePostgresScratchDir('niudai-test-');
    // A scratch cluster, deleted after the run: no fsync (a crash of the machine loses nothing of
    // value, while every test database's copy from the template and every commit waits on the disk).
    // A crash of PostgreSQL alone still loses no committed row: the WAL reaches the OS at commit.
    embedded = await startEmbeddedPostgres(path.join(scratch, 'pgdata'), log, undefined, {
      postgresFlags: ['-c', 'fsync=off'],
    });
    adminUrl = embedded.url('postgres');
  }
  await recreateTemplate(adminUrl);
  const orm = await connectOrm(withDatabase(adminUrl, TEMPLATE_DATABASE));
  await migrate(orm);
  await loadReferenceData(orm);
  await orm.close();
  await consoleBuild;
  const bundle = await serverBundle;
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('serverBundle', bundle.file);
  // Watch mode reruns tests without running this setup again: spawned servers must run the
  // sources as they are now, not as they were when the run started.
  project.onTestsRerun(() => bundle.rebuild());

  return async () => {
    rmSync(bundle.dir, { recursive: true, force: true });
    await embedded?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
}

async function recreateTemplate(adminUrl: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
  } finally {
    await client.end();
  }
  await ensureDatabase(adminUrl, TEMPLATE_DATABASE);
}
