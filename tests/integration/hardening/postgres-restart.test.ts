import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Client } from 'graphql-ws';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  freePort,
  makePostgresScratchDir,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../../../src/core/db/embedded-postgres.js';
import { ensureDatabase } from '../../../src/core/db/database-url.js';
import { connectOrm, migrate } from '../../../src/core/db/db.js';
import { loadReferenceData } from '../../../src/modules/reference/reference-data.js';
import { loadConfig } from '../../../src/core/config.js';
import { createServices } from '../../../src/services.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { Seed, type SeededOrganization, type SeededUser } from '../../setup/seed.js';
import { spawnServer, type ServerProcess } from '../../setup/server-process-client.js';
import { record, wsClient, type Recorder } from '../events/feed-client.js';
import { gqlAt, send, type RawResponse } from './helpers.js';
import { sleep, subscriptionsReach, until } from '../../setup/probes.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/**
 * PostgreSQL restarted under a running server process: its own embedded PostgreSQL (the shared test
 * server cannot be stopped), on a fixed port so the app's URL stays valid across the restart.
 */
const DATABASE = 'niudai_restart';
const REGIONS = `{ regions(parentCode: "370000") { code } }`;
/** What a masked error or a refusal may never show: driver and server details. */
const LEAK = /ECONNREFUSED|ECONNRESET|terminat|shutdown|127\.0\.0\.1|postgres|knex|select|connect/i;

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const jwtSecret = randomBytes(32).toString('base64url');
let scratch: string;
let dataDir: string;
let port: number;
let postgres: EmbeddedDatabase | null = null;
let databaseUrl: string;
let orm: MikroORM;
let server: ServerProcess;
/** The server's log lines saying the events relay failed to reconnect. */
let relayReconnectsFailed = 0;
let worker: SeededUser;
let org: SeededOrganization;
const clients: Client[] = [];

function client(): Client {
  const c = wsClient(server.wsUrl, org.token);
  clients.push(c);
  return c;
}

let serial = 0;
/** Submits a demand that `org` matches (LIFE.CHILDCARE in Lixia, Jinan, for female workers). */
async function submit(): Promise<{ id: string; title: string }> {
  serial += 1;
  const input = {
    title: `重启后的需求 ${serial} ${randomBytes(3).toString('hex')}`,
    description: '数据库重启前后的推送测试',
    categoryCode: 'LIFE.CHILDCARE',
    regionCode: '370102',
    targetGroups: [TargetGroup.FEMALE_WORKERS],
  };
  const response = await gqlAt(`${server.url}/graphql`, SUBMIT_DEMAND, { input }, worker.token);
  const data = response.json.data as { submitDemand: { demand: { id: string; title: string } } } | undefined;
  if (!data) throw new Error(`submitDemand failed: ${response.text}`);
  return data.submitDemand.demand;
}

/** Retries `attempt` every 200 ms until it returns a value or `ms` have passed (then throws). */
async function within<T>(ms: number, what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(200); // the pace of the retries
  }
  throw new Error(`${what} did not happen within ${ms} ms (last error: ${String(last)})`);
}

const readyz = async () => (await fetch(`${server.url}/readyz`)).status;
const alive = () => server.child.exitCode === null && server.child.signalCode === null;

beforeAll(async () => {
  scratch = makePostgresScratchDir('niudai-restart-');
  dataDir = path.join(scratch, 'pgdata');
  port = await freePort();
  postgres = await startEmbeddedPostgres(dataDir, log, port);
  await ensureDatabase(postgres.url('postgres'), DATABASE);
  databaseUrl = postgres.url(DATABASE);
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
  // Warnings on: the relay's failed reconnects are the signal that it is backing off.
  server = await spawnServer(databaseUrl, { JWT_SECRET: jwtSecret, TEST_LOG_LEVEL: 'warn' });
  let partial = '';
  server.child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    relayReconnectsFailed += lines.filter((line) => line.includes('events relay: reconnect failed')).length;
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server?.kill('SIGTERM');
  await orm?.close(true);
  await postgres?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 30_000);

describe('PostgreSQL restarted under a running server', () => {
  it('fails requests cleanly while down, then recovers, resumes subscriptions and replays missed events', async () => {
    // Before: two live subscribers; each sees a first demand.
    const live: Recorder = record(client());
    const leaving: Recorder = record(client());
    await subscriptionsReach(server, 2);
    const before = await submit();
    await live.waitFor(1);
    const [lastSeen] = await leaving.waitFor(1);
    expect(lastSeen?.demand.id).toBe(before.id);
    // The second one goes away, keeping its cursor.
    leaving.stop();

    // Down.
    await postgres?.stop();
    postgres = null;
    const down: RawResponse[] = [];
    const failedBefore = relayReconnectsFailed;
    for (let i = 0; i < 3; i++) {
      down.push(await gqlAt(`${server.url}/graphql`, REGIONS));
      down.push(await gqlAt(`${server.url}/graphql`, REGIONS, {}, worker.token));
    }
    // Down long enough for the relay to fail a few reconnects and back off.
    await until(() => relayReconnectsFailed >= failedBefore + 3, 15_000, 20, 'three failed relay reconnects');
    for (const response of down) {
      // Masked: a GraphQL error with the generic code (or a refusal), never driver details.
      expect([200, 500, 503]).toContain(response.status);
      expect(response.json.errors?.length).toBeGreaterThan(0);
      for (const error of response.json.errors ?? []) {
        expect(error.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        expect(error.message).toBe('Internal server error.');
      }
      expect(response.text).not.toMatch(LEAK);
    }
    expect(await readyz()).toBe(503);
    const health = await send(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(alive()).toBe(true);

    // Up again, same port and data directory; the app is not restarted.
    postgres = await startEmbeddedPostgres(dataDir, log, port);
    const recovered = await within(15_000, 'HTTP recovery', async () => {
      const r = await gqlAt(`${server.url}/graphql`, REGIONS, {}, worker.token);
      return r.json.errors === undefined && r.status === 200 ? r : undefined;
    });
    expect((recovered.json.data as { regions: unknown[] }).regions.length).toBeGreaterThan(0);
    await within(15_000, '/readyz 200 (relay reconnected)', async () =>
      (await readyz()) === 200 ? true : undefined,
    );

    // The subscription that stayed open resumes: new demands reach it, each once, in order.
    const after = [await submit(), await submit()];
    const seen = await live.waitFor(3, 10_000);
    expect(seen.map((e) => e.demand.id)).toEqual([before.id, ...after.map((d) => d.id)]);

    // The subscriber that left reconnects from its cursor and gets exactly what it missed, then live.
    const back = record(client(), { after: lastSeen?.cursor });
    const replayed = await back.waitFor(2, 10_000);
    expect(replayed.map((e) => e.demand.id)).toEqual(after.map((d) => d.id));
    const next = await submit();
    expect((await back.waitFor(3, 10_000))[2]?.demand.id).toBe(next.id);
    expect((await live.waitFor(4, 10_000))[3]?.demand.id).toBe(next.id);
    // Nothing delivered twice: the next demand is the 5th and 4th event.
    const sentinel = await submit();
    expect((await back.waitFor(4, 10_000))[3]?.demand.id).toBe(sentinel.id);
    expect((await live.waitFor(5, 10_000))[4]?.demand.id).toBe(sentinel.id);
    expect(live.events).toHaveLength(5);
    expect(back.events).toHaveLength(4);
    expect([...live.errors, ...back.errors]).toEqual([]);
    expect(alive()).toBe(true);
    live.stop();
    back.stop();
  }, 60_000);
});
