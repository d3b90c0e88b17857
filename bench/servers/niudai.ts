/**
 * Niudai as the benchmark runs it: the production createApp on DATABASE_URL, on a free loopback port.
 * `setup` migrates and loads reference data, then exits; `seed '<json>'` fills the database with the
 * hub's one data generator (`seedDemo`, as `npm run seed` does; the JSON is its options) and prints
 * its report; `serve` prints `listening <url>` once ready and stops cleanly on SIGTERM. Run from the repository
 * root with the root's tsx, as `npm start` runs the hub (`node --import tsx/esm
 * bench/servers/niudai.ts serve`), so the product's own dependencies and tsconfig (decorators) apply.
 */
import 'reflect-metadata';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/core/config.js';
import { connectOrm, migrate } from '../../src/core/db/db.js';
import { loadReferenceData } from '../../src/modules/reference/reference-data.js';
import { seedDemo, type SeedOptions } from '../../src/seed/index.js';
import { profileBetweenSignals } from '../src/window-profile.js';

const mode = process.argv[2] ?? 'serve';
const config = loadConfig({ ...process.env, HOST: '127.0.0.1' });
const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const orm = await connectOrm(config.databaseUrl ?? '', log);

if (mode === 'setup') {
  await migrate(orm);
  await loadReferenceData(orm);
  await orm.close();
  process.exit(0);
}

if (mode === 'seed') {
  const options = JSON.parse(process.argv[3] ?? '{}') as SeedOptions;
  const report = await seedDemo(orm, { ...options, limits: config.limits });
  await orm.close();
  process.stdout.write(JSON.stringify(report) + '\n');
  process.exit(0);
}

const app = await createApp({ config, orm, log });
const url = await app.listen(0, '127.0.0.1');
// BENCH_WINDOW_PROFILE_DIR: profile only between two SIGUSR2 (the fan-out's measured events).
if (process.env.BENCH_WINDOW_PROFILE_DIR)
  profileBetweenSignals(process.env.BENCH_WINDOW_PROFILE_DIR, {
    heap: process.env.BENCH_PROFILE_HEAP === '1',
  });
process.stdout.write(`listening ${url}\n`);
process.on('SIGTERM', () => {
  void app
    .stop()
    .then(() => orm.close())
    .finally(() => process.exit(0));
});
