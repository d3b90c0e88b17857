import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import type { Client } from 'graphql-ws';
import { createLoaders } from '../../../src/core/context.js';
import { announceRightsChange } from '../../../src/core/rights/rights-change.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { record, wsClient, type Recorder } from '../events/feed-client.js';
import { sleep, subscriptionsReach, until } from '../../setup/probes.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/**
 * A database outage seen by the live path, made exact with real PostgreSQL: the test holds an
 * ACCESS EXCLUSIVE lock on a table the app is about to read, so the app's statement waits inside
 * PostgreSQL, then terminates the backend running it (57P01, as when the server shuts down). The
 * app cannot tell this from a restart; only the test can tell when it happened.
 */
let t: TestApp;
let admin: pg.Client;
let org: SeededOrganization;
let worker: SeededUser;
const clients: Client[] = [];

beforeAll(async () => {
  t = await startTestApp();
  admin = new pg.Client({ connectionString: t.databaseUrl });
  await admin.connect();
  org = await t.seed.organization({
    categoryCodes: ['LIFE'],
    regionCodes: ['370100'],
    targetGroups: [TargetGroup.FEMALE_WORKERS],
  });
  worker = await t.seed.worker();
});

// Each test counts the subscriptions it opens; the previous test's must be gone by then.
afterEach(() => subscriptionsReach(t, 0));

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await admin?.end();
  await t?.stop();
});

function client(token = org.token, onClosed?: (event: { code: number; reason: string }) => void): Client {
  const c = onClosed
    ? t.ws({ token, on: { closed: (event) => onClosed(event as { code: number; reason: string }) } })
    : wsClient(t.wsUrl, token);
  clients.push(c);
  return c;
}
const input = () => ({
  title: `停机测试 ${randomBytes(3).toString('hex')}`,
  description: '数据库不可用时的推送',
  categoryCode: 'LIFE.CHILDCARE',
  regionCode: '370102',
  targetGroups: [TargetGroup.FEMALE_WORKERS],
});
const submit = async () =>
  (
    await t.data<{ submitDemand: { demand: { id: string } } }>(
      SUBMIT_DEMAND,
      { input: input() },
      worker.token,
    )
  ).submitDemand.demand.id;

/** Takes an ACCESS EXCLUSIVE lock on `table` in the test's own transaction (released by `release`). */
async function lock(table: string): Promise<{ release: () => Promise<void> }> {
  await admin.query('begin');
  await admin.query(`lock table "${table}" in access exclusive mode`);
  return { release: () => admin.query('rollback').then(() => undefined) };
}

/**
 * The app's backends waiting on a lock. The statistics snapshot is cleared first: inside the
 * transaction that holds the lock, pg_stat_activity would otherwise answer its first snapshot again.
 */
async function lockWaiters(): Promise<{ pid: number; query: string }[]> {
  await admin.query('select pg_stat_clear_snapshot()');
  const { rows } = await admin.query<{ pid: number; query: string }>(
    `select pid, query from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`,
  );
  return rows;
}

/** Waits until an app backend waits on a lock, then terminates it (the app sees 57P01). */
async function terminateNextWaiter(ms = 10_000): Promise<void> {
  let waiting: { pid: number }[] = [];
  await until(
    async () => (waiting = await lockWaiters()).length > 0,
    ms,
    20,
    'an app statement waiting on the lock',
  );
  for (const { pid } of waiting) await admin.query('select pg_terminate_backend($1)', [pid]);
}

/**
 * Terminates every statement that waits on the lock until `done` resolves; counts those whose SQL
 * matches `counted` (the read under test: other reads may wait on the same lock meanwhile).
 */
async function terminateUntil(done: Promise<unknown>, counted: RegExp): Promise<number> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  let terminated = 0;
  while (!finished) {
    const rows = await lockWaiters();
    for (const { pid } of rows) await admin.query('select pg_terminate_backend($1)', [pid]);
    terminated += rows.filter((row) => counted.test(row.query)).length;
    await sleep(20); // the pace of the sweeps, not a wait for a condition
  }
  return terminated;
}

/** A cursor on the demand feed just after a demand submitted now. */
async function cursorAfterOneDemand(): Promise<string> {
  const probe = record(client());
  await subscriptionsReach(t, 1); // the next submission is then live for it
  await submit();
  const [event] = await probe.waitFor(1);
  probe.stop();
  return event!.cursor;
}

describe('a database outage on the live path', () => {
  it('closes a connection whose account cannot be read with 4503, not 4403 Forbidden', async () => {
    const held = await lock('app_user');
    let closed: { code: number; reason: string } | undefined;
    const connecting = client(org.token, (event) => (closed = event));
    const subscriber: Recorder = record(connecting);
    try {
      await terminateNextWaiter();
    } finally {
      await held.release();
    }
    const [failure] = [await subscriber.failed(10_000)];
    expect((failure as { code: number }).code).toBe(4503);
    expect(closed?.code).toBe(4503);
    expect(closed?.reason).toBe('Service unavailable: try again');

    // A real refusal still closes with 4403.
    let refused: { code: number } | undefined;
    const forged = `${org.token.slice(0, -4)}AAAA`;
    await record(client(forged, (event) => (refused = event))).failed(10_000);
    expect(refused?.code).toBe(4403);
  });

  it('retries the shared read of an event’s row through a short outage and delivers the event', async () => {
    const cursor = await cursorAfterOneDemand();
    const missed = await submit();
    const held = await lock('demand');
    // Replay reads the events table, then each event's row: that read waits on the lock.
    const subscriber = record(client(), { after: cursor });
    try {
      await terminateNextWaiter(); // the first attempt fails with 57P01
    } finally {
      await held.release(); // the retry succeeds
    }
    const [event] = await subscriber.waitFor(1, 10_000);
    expect(event?.demand.id).toBe(missed);
    expect(subscriber.errors).toEqual([]);
    subscriber.stop();
  });

  it('ends the subscription with SERVICE_UNAVAILABLE when the outage outlasts the retries; the cursor resumes it', async () => {
    const cursor = await cursorAfterOneDemand();
    const missed = await submit();
    const held = await lock('demand');
    const subscriber = record(client(), { after: cursor });
    let terminated: number;
    try {
      terminated = await terminateUntil(subscriber.failed(20_000), /from "demand" as "d0" where "d0"\."id"/);
    } finally {
      await held.release();
    }
    expect(subscriber.errors).toHaveLength(1);
    expect(subscriber.errors[0]).toEqual([
      {
        message:
          'The service is briefly unavailable; try again (a subscription: resume after your last cursor).',
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      },
    ]);
    expect(subscriber.events).toEqual([]);
    // The first attempt and every retry were cut off.
    expect(terminated).toBeGreaterThanOrEqual(5);

    const resumed = record(client(), { after: cursor });
    expect((await resumed.waitFor(1, 10_000))[0]?.demand.id).toBe(missed);
    resumed.stop();
  });

  it('ends with SERVICE_UNAVAILABLE, not INTERNAL_SERVER_ERROR, when the rights re-check cannot read the account', async () => {
    const subscriber = record(client());
    await subscriptionsReach(t, 1);
    // Built before the lock: the worker's own requests read memberships too.
    const author = await t.app.services.viewers.load(
      t.orm.em.fork(),
      worker.user.id,
      new Date(Date.now() + 3_600_000),
    );
    const held = await lock('organization_member');
    let terminated = 0;
    try {
      // A rights change for the subscriber: the re-check reads the account and its memberships.
      await t.orm.em.fork().transactional((em) => announceRightsChange(em, { userIds: [org.admin.user.id] }));
      // A demand for it: delivering it needs the re-check's answer.
      const em = t.orm.em.fork();
      await t.app.services.demandSubmissions.submit(
        {
          em,
          loaders: createLoaders(t.app.services.loaderFactories, em),
          viewer: author,
          requestId: 'outage-test',
          log: pino({ level: 'silent' }),
          services: t.app.services,
        },
        input(),
      );
      terminated = await terminateUntil(subscriber.failed(30_000), /from app_user u/);
    } finally {
      await held.release();
    }
    expect(terminated).toBeGreaterThanOrEqual(5);
    expect(subscriber.events).toEqual([]);
    expect(subscriber.errors).toHaveLength(1);
    expect((subscriber.errors[0] as { extensions: { code: string } }[])[0]?.extensions.code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });
});
