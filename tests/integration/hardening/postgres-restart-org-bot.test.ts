import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  freePort,
  makePostgresScratchDir,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../../../src/core/db/embedded-postgres.js';
import { ensureDatabase } from '../../../src/core/db/database-url.js';
import { connectOrm, migrate } from '../../../src/core/db/db.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { loadReferenceData } from '../../../src/modules/reference/reference-data.js';
import { loadConfig } from '../../../src/core/config.js';
import { createServices } from '../../../src/services.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { startBot, type Bot } from '../../../examples/org-bot/src/bot.js';
import { sleep, subscriptionsReach, until } from '../../setup/probes.js';
import { Seed, type SeededOrganization, type SeededUser } from '../../setup/seed.js';
import { spawnServer, type ServerProcess } from '../../setup/server-process-client.js';
import { gqlAt } from './helpers.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/**
 * The org-bot through real PostgreSQL restarts under a running hub (the way postgres-restart.test.ts
 * restarts its own embedded server, on a fixed port), while demands keep coming: it must end up
 * having handled every demand submitted before, during (once the database is back) and after, each
 * once, without stopping.
 */
const DATABASE = 'niudai_restart_bot';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const jwtSecret = randomBytes(32).toString('base64url');
let scratch: string;
let dataDir: string;
let port: number;
let postgres: EmbeddedDatabase | null = null;
let orm: MikroORM;
let server: ServerProcess;
let worker: SeededUser;
let org: SeededOrganization;
let bot: Bot | null = null;
const botLog: string[] = [];

beforeAll(async () => {
  scratch = makePostgresScratchDir('niudai-restart-bot-');
  dataDir = path.join(scratch, 'pgdata');
  port = await freePort();
  postgres = await startEmbeddedPostgres(dataDir, log, port);
  await ensureDatabase(postgres.url('postgres'), DATABASE);
  const databaseUrl = postgres.url(DATABASE);
  orm = await connectOrm(databaseUrl);
  await migrate(orm);
  await loadReferenceData(orm);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, JWT_SECRET: jwtSecret });
  const seed = new Seed(orm, createServices(config));
  worker = await seed.worker();
  org = await seed.organization({
    categoryCodes: ['LIFE'],
    regionCodes: ['370100'],
    targetGroups: [TargetGroup.FEMALE_WORKERS],
  });
  // The test's own connections end before the restarts; the hub is the only client then.
  await orm.close(true);
  // The bot claims all 100 demands: above the default anti-hoarding cap of open claims.
  server = await spawnServer(databaseUrl, { JWT_SECRET: jwtSecret, DEMAND_MAX_OPEN_CLAIMS: '1000' });
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await server?.kill('SIGTERM');
  await postgres?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 30_000);

/** Demands acknowledged by the hub, in order. */
let submitted: string[] = [];
/** The title of every submission tried, acknowledged or not. */
let titles: string[] = [];
/** Titles whose submission failed at least once (the demand may exist all the same). */
let unacknowledged = new Set<string>();
let failedSubmissions = 0;

/** Submits one demand the bot's organization serves; retried until acknowledged (max 60 s). */
async function submitOne(): Promise<void> {
  const input = {
    title: `重启中的需求 ${submitted.length + 1} ${randomBytes(3).toString('hex')}`,
    description: '数据库重启时机器人的处理',
    categoryCode: 'LIFE.CHILDCARE',
    regionCode: '370102',
    targetGroups: [TargetGroup.FEMALE_WORKERS],
  };
  titles.push(input.title);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const response = await gqlAt(`${server.url}/graphql`, SUBMIT_DEMAND, { input }, worker.token);
      const id = (response.json.data as { submitDemand?: { demand: { id: string } } } | null)?.submitDemand
        ?.demand.id;
      if (id) {
        submitted.push(id);
        return;
      }
    } catch {
      /* the hub answered nothing: counted below like an error */
    }
    failedSubmissions += 1;
    unacknowledged.add(input.title);
    await sleep(100); // retry pace while the database is down
  }
  throw new Error('a demand could not be submitted within 60 s');
}

/** Submits `count` demands one after another. */
async function submitMany(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await submitOne();
}

/** Stops PostgreSQL once `count` more demands were acknowledged, waits until submissions fail, starts it again. */
async function restartAfter(count: number): Promise<void> {
  const target = submitted.length + count;
  await until(async () => submitted.length >= target, 60_000, 20);
  await postgres?.stop();
  postgres = null;
  const failuresBefore = failedSubmissions;
  // Down until the hub has visibly failed requests (the outage is seen, not assumed).
  await until(async () => failedSubmissions >= failuresBefore + 3, 30_000, 20);
  postgres = await startEmbeddedPostgres(dataDir, log, port);
}

/**
 * The demands the submissions created, by title, read from the database. A submission can fail
 * after its demand was committed (PostgreSQL stopped before the answer was complete): the retry
 * then creates a second demand of the same title, which the bot must handle like any other.
 */
async function demandsCreated(): Promise<Map<string, string[]>> {
  const client = new pg.Client({ connectionString: postgres!.url(DATABASE) });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; title: string }>(
      'select id, title from demand where title = any($1) order by id',
      [titles],
    );
    const byTitle = new Map<string, string[]>();
    for (const row of rows)
      byTitle.set(row.title, [...(byTitle.get(row.title) ?? []), toGlobalId('Demand', row.id)]);
    return byTitle;
  } finally {
    await client.end();
  }
}

/** Status and claimant of each demand, read through the hub (100 ids per request, its limit). */
async function claims(ids: readonly string[]): Promise<Map<string, string | null>> {
  const claimants = new Map<string, string | null>();
  for (let from = 0; from < ids.length; from += 100) {
    const response = await gqlAt(
      `${server.url}/graphql`,
      `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Demand { id status claimedBy { id } } } }`,
      { ids: ids.slice(from, from + 100) },
      org.token,
    );
    const nodes = (
      response.json.data as { nodes: { id: string; status: string; claimedBy: { id: string } | null }[] }
    ).nodes;
    for (const n of nodes) claimants.set(n.id, n.status === 'CLAIMED' ? (n.claimedBy?.id ?? null) : null);
  }
  return claimants;
}

describe('examples/org-bot through PostgreSQL restarts', () => {
  it('handles every demand submitted before, during and after two restarts, each once, and never stops', async () => {
    // A retry of this test (CI retries a failed test once) starts from a clean slate, with one bot.
    await bot?.stop();
    submitted = [];
    titles = [];
    unacknowledged = new Set();
    failedSubmissions = 0;
    const handled: string[] = [];
    let stopped: unknown = null;
    bot = await startBot({
      hubUrl: server.url,
      login: org.admin.user.email ?? '',
      password: org.admin.password,
      creditCode: org.organization.creditCode!,
      categoryCode: 'LIFE.CHILDCARE',
      saveCursor: (cursor) => handled.push(cursor),
      maxBackoffMs: 2_000,
      log: (line) => botLog.push(line),
    });
    bot.done.catch((error: unknown) => (stopped = error));
    // Subscribed (the hub counts it): the first demand is then live for it.
    await subscriptionsReach(server, 1);

    // Demands keep coming (one at a time, each retried until acknowledged) while PostgreSQL is
    // restarted twice under them.
    const load = submitMany(90);
    await restartAfter(20);
    await restartAfter(25);
    await load;
    await submitMany(10); // after

    expect(submitted).toHaveLength(100);
    // What exists: every acknowledged demand, and a second demand only for a title whose submission
    // failed after its demand was committed.
    const created = await demandsCreated();
    const demands = [...created.values()].flat();
    expect(demands).toEqual(expect.arrayContaining(submitted));
    const twice = [...created].filter(([, ids]) => ids.length > 1).map(([title]) => title);
    expect(twice.filter((title) => !unacknowledged.has(title))).toEqual([]);

    await until(async () => handled.length >= demands.length || stopped !== null, 60_000, 100);
    expect(stopped).toBeNull();
    // Each demand's event handled once: as many distinct cursors as demands; each demand claimed by
    // the bot's organization, none twice by this run.
    expect(new Set(handled).size).toBe(handled.length);
    expect(handled).toHaveLength(demands.length);
    expect(new Set(bot.claimed).size).toBe(bot.claimed.length);
    const claimedBy = await claims(demands);
    expect(claimedBy.size).toBe(demands.length);
    expect(
      [...claimedBy.values()].filter((id) => id !== toGlobalId('Organization', org.organization.id)),
    ).toEqual([]);
    // The run saw the outages (it did not just sail by).
    expect(failedSubmissions).toBeGreaterThanOrEqual(6);
  }, 240_000);
});
