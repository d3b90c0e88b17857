/**
 * A real server process for tests that need more than one process or a crash: the same createApp
 * as production, on DATABASE_URL, on a free port. Prints `listening <url>` once ready. Spawned by
 * `spawnServer()` (tests/setup/server-process-client.ts) and ended by its pid.
 */
import 'reflect-metadata';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/core/config.js';
import { connectOrm } from '../../src/core/db/db.js';

const config = loadConfig({ ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1' });
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const orm = await connectOrm(config.databaseUrl ?? '', log);
const app = await createApp({ config, orm, log });
const url = await app.listen(0, '127.0.0.1');
process.stdout.write(`listening ${url}\n`);
process.on('SIGTERM', () => {
  void app
    .stop()
    .then(() => orm.close())
    .finally(() => process.exit(0));
});
