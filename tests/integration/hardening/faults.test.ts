import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/core/config.js';
import { connectOrm } from '../../../src/core/db/db.js';
import { createSchema } from '../../../src/schema.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { codes, gqlAt } from './helpers.js';
import { until } from '../../setup/probes.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/**
 * A second app on the test database whose log lines are kept, to show that the details of a masked
 * error reach the log and only the log.
 */
let t: TestApp;
let app: App;
let orm: MikroORM;
let url: string;
let admin: pg.Client;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  t = await startTestApp();
  const databaseUrl = t.databaseUrl;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    JWT_SECRET: t.config.jwtSecret,
  });
  // pino writes one JSON line per call to any object with `write`.
  const sink = {
    write(line: string) {
      logLines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  const log = pino({ level: 'info' }, sink);
  orm = await connectOrm(databaseUrl, log);
  app = await createApp({ config, orm, log, schema: await createSchema() });
  url = `${await app.listen(0, '127.0.0.1')}/graphql`;
  admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await app.stop();
  await orm.close();
  await t.stop();
});

const REGIONS = `{ regions(parentCode: "370000") { code } }`;

/**
 * Backends of the app under test (not this test's admin connection). The snapshot is cleared first:
 * inside the test's transaction, pg_stat_activity would otherwise answer its first snapshot again.
 */
async function appBackends(where = ''): Promise<number[]> {
  await admin.query('select pg_stat_clear_snapshot()');
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() ${where}`,
  );
  return rows.map((r) => r.pid);
}

describe('a database backend killed', () => {
  it('fails the request it was serving cleanly (masked), and the next request succeeds', async () => {
    // Hold a lock so the app's query waits inside PostgreSQL, then kill the backend running it.
    await admin.query('begin');
    await admin.query('lock table region in access exclusive mode');
    const pending = gqlAt(url, REGIONS);
    let waiting: number[] = [];
    await until(
      async () => (waiting = await appBackends(`and wait_event_type = 'Lock'`)).length > 0,
      5_000,
      50,
      'an app query waiting on the lock',
    );
    for (const pid of waiting) await admin.query('select pg_terminate_backend($1)', [pid]);
    await admin.query('rollback');
    const failed = await pending;
    expect(failed.status).toBe(200);
    expect(failed.json.errors?.[0]).toEqual({
      message: 'Internal server error.',
      path: ['regions'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(failed.text).not.toMatch(/terminat|admin|select/i);
    const next = await gqlAt(url, REGIONS);
    expect(next.json.errors).toBeUndefined();
    expect((next.json.data as { regions: unknown[] }).regions.length).toBeGreaterThan(0);
  });

  it('recovers when every app backend is killed between requests', async () => {
    expect((await gqlAt(url, REGIONS)).json.errors).toBeUndefined();
    const killed = await appBackends();
    for (const pid of killed) await admin.query('select pg_terminate_backend($1)', [pid]);
    // Gone from the server: their sockets are closed, which the pool hears about.
    await until(async () => (await appBackends()).every((pid) => !killed.includes(pid)), 5_000, 10);
    // Idle connections that died are dropped by the pool; at most one request may see the loss.
    const results = [await gqlAt(url, REGIONS), await gqlAt(url, REGIONS)];
    for (const r of results) expect(codes(r.json).every((c) => c === 'INTERNAL_SERVER_ERROR')).toBe(true);
    expect(results[1]?.json.errors).toBeUndefined();
    // The events relay's LISTEN connection was among them: ready again once it has reconnected.
    await until(
      async () => (await fetch(url.replace('/graphql', '/readyz'))).status === 200,
      10_000,
      50,
      'ready again (the relay reconnected)',
    );
  });
});

describe('a unique-key violation nobody expected', () => {
  it('reaches the client masked, with the details in the log only', async () => {
    // A constraint the code does not know about: its violation is an unexpected error.
    await admin.query('create unique index fault_test_demand_title on demand (title)');
    try {
      const worker = await t.seed.worker();
      const input = {
        title: '重复的标题',
        description: '测试唯一约束',
        categoryCode: 'LIFE',
        regionCode: '370102',
      };
      expect((await gqlAt(url, SUBMIT_DEMAND, { input }, worker.token)).json.errors).toBeUndefined();
      logLines.length = 0;
      const second = await gqlAt(url, SUBMIT_DEMAND, { input }, worker.token);
      expect(second.json.errors?.[0]).toEqual({
        message: 'Internal server error.',
        path: ['submitDemand'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(second.text).not.toMatch(/unique|duplicate|fault_test|insert|constraint/i);
      const logged = JSON.stringify(
        logLines.filter((l) => l.msg === 'unexpected error (masked for the client)'),
      );
      expect(logged).toMatch(/fault_test_demand_title/);
      expect(logged).toMatch(/duplicate key/i);
    } finally {
      await admin.query('drop index fault_test_demand_title');
    }
  });
});
