/**
 * Niudai as the benchmark runs it: the production createApp on DATABASE_URL, on a free loopback port.
 * `setup` migrates and loads reference data, then exits; `seed '<json>'` fills the database with the
 * hub's one data generator (`seedDemo`, as `npm run seed` does; the JSON is its options) and prints
 * its report; `serve` prints `listening <url>` once ready and stops cleanly on SIGTERM. Run from the repository
 * root with the root's tsx, as `npm start` runs the hub (`node --import tsx/esm
 * bench/servers/niudai.ts serve`), so the product's own dependencies and tsconfig (decorators) apply.
 *
 * `BENCH_OUTBOX=off` (scenario 2-write's "outbox off" run only, never the product) prices the outbox
 * on Niudai itself: the server writes no `event` row and wakes nobody after COMMIT, all else equal.
 * The product has no switch for this, and gets none: `submitDemand` writes its event in the same
 * statement as the demand, so the bench removes it at the two seams outside the code. In the
 * database, a BEFORE INSERT trigger on `event` that returns NULL drops every event row (no heap
 * insert, no index entries, no seq) while the server runs, and is dropped when it stops; it fires
 * for the whole database, so the harness runs this server alone (the other servers idle). In the
 * process, `attachCommitNotifier` with a no-op replaces the app's notifier (no coalesced NOTIFY, no
 * relay wake-up after each commit).
 */
import 'reflect-metadata';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/core/config.js';
import { connectOrm, migrate } from '../../src/core/db/db.js';
import { attachCommitNotifier } from '../../src/core/events/outbox.js';
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

const outboxOff = process.env.BENCH_OUTBOX === 'off';
const connection = orm.em.getConnection();
const dropEventTrigger = async () => {
  await connection.execute('drop trigger if exists "bench_drop_event" on "event"');
  await connection.execute('drop function if exists "bench_drop_event"()');
};
if (outboxOff) {
  await connection.execute(
    `create or replace function "bench_drop_event"() returns trigger language plpgsql as $$ begin return null; end $$`,
  );
  await connection.execute(
    `create or replace trigger "bench_drop_event" before insert on "event" for each row execute function "bench_drop_event"()`,
  );
}
const app = await createApp({ config, orm, log });
if (outboxOff) attachCommitNotifier(orm.em, { committed() {} });
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
    .then(() => (outboxOff ? dropEventTrigger() : undefined))
    .then(() => orm.close())
    .finally(() => process.exit(0));
});
