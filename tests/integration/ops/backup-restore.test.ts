import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadConfig } from '../../../src/core/config.js';
import { connectOrm, migrate } from '../../../src/core/db/db.js';
import { openDatabase, type OpenDatabase } from '../../../src/core/db/database.js';
import { makePostgresScratchDir } from '../../../src/core/db/embedded-postgres.js';
import { loadReferenceData } from '../../../src/modules/reference/reference-data.js';
import { createServices } from '../../../src/services.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { npmScripts, type ScriptResult } from '../../setup/npm-script.js';
import { until } from '../../setup/probes.js';
import { Seed, type SeededOrganization, type SeededUser } from '../../setup/seed.js';
import { spawnServer, type ServerProcess } from '../../setup/server-process-client.js';
import { record, wsClient } from '../events/feed-client.js';
import { gqlAt } from '../hardening/helpers.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/**
 * `npm run db:backup` of a seeded hub while it serves, `npm run db:restore` into a fresh DATA_DIR,
 * a hub started on the restored data: the same answers, and cursors from before the backup resume.
 */
const npm = npmScripts();
const jwtSecret = randomBytes(32).toString('base64url');
const quiet = { level: 'silent' } as const;
let scratch: string;
let original: OpenDatabase | null = null;
let restored: OpenDatabase | null = null;
const servers: ServerProcess[] = [];
let org: SeededOrganization;
let worker: SeededUser;

/** `npm run <script> -- <args>` with DATA_DIR set; never throws. */
function npmScript(script: string, args: string[], dataDir: string): Promise<ScriptResult> {
  return npm(script, args, { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'test' });
}

async function hubOn(database: OpenDatabase): Promise<ServerProcess> {
  const server = await spawnServer(database.url, { JWT_SECRET: jwtSecret });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  scratch = makePostgresScratchDir('niudai-backup-');
  const log = pino(quiet);
  original = await openDatabase({ databaseUrl: null, dataDir: path.join(scratch, 'a') }, log);
  const orm = await connectOrm(original.url);
  await migrate(orm);
  await loadReferenceData(orm);
  const seed = new Seed(
    orm,
    createServices(loadConfig({ NODE_ENV: 'test', DATABASE_URL: original.url, JWT_SECRET: jwtSecret })),
  );
  worker = await seed.worker();
  org = await seed.organization({
    categoryCodes: ['LIFE'],
    regionCodes: ['370100'],
    targetGroups: [TargetGroup.FEMALE_WORKERS],
  });
  for (let i = 0; i < 3; i++) await seed.organization({ categoryCodes: ['LEGAL'], regionCodes: ['370100'] });
  await orm.close();
}, 120_000);

afterAll(async () => {
  for (const server of servers) await server.kill('SIGTERM');
  await original?.stop();
  await restored?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 60_000);
async function submit(server: ServerProcess, title: string): Promise<string> {
  const input = {
    title,
    description: '备份与恢复',
    categoryCode: 'LIFE.CHILDCARE',
    regionCode: '370102',
    targetGroups: [TargetGroup.FEMALE_WORKERS],
  };
  const response = await gqlAt(`${server.url}/graphql`, SUBMIT_DEMAND, { input }, worker.token);
  return (response.json.data as { submitDemand: { demand: { id: string } } }).submitDemand.demand.id;
}

/** A few reads whose answers must survive the round trip. */
const READS = [
  `{ organizations(first: 20) { totalCount edges { node { id name verificationStatus } } } }`,
  `{ demands(first: 20) { totalCount edges { cursor node { id title status region { code } } } } }`,
  `query ($code: String!) { organization(creditCode: $code) { id name services { name } } }`,
];
async function answers(server: ServerProcess): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const query of READS) {
    const response = await gqlAt(
      `${server.url}/graphql`,
      query,
      { code: org.organization.creditCode },
      org.token,
    );
    expect(response.json.errors).toBeUndefined();
    results.push(response.json.data);
  }
  return results;
}

const activeSubscriptions = async (server: ServerProcess) =>
  Number(
    /^niudai_subscriptions_active (\d+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1],
  );

describe('npm run db:backup / db:restore', () => {
  it('restores a backup taken while the hub serves into a fresh DATA_DIR: same answers, cursors resume', async () => {
    const hub = await hubOn(original!);
    const live = record(wsClient(hub.wsUrl, org.token));
    await until(async () => (await activeSubscriptions(hub)) === 1, 10_000);
    const before = [
      await submit(hub, '备份前 1'),
      await submit(hub, '备份前 2'),
      await submit(hub, '备份前 3'),
    ];
    const events = await live.waitFor(3);
    live.stop();
    const cursor = events[0]!.cursor;
    const expected = await answers(hub);

    const file = path.join(scratch, 'backups', 'hub.tar.gz');
    const fresh = path.join(scratch, 'b');
    expect((await npmScript('db:backup', [file], path.join(scratch, 'a'))).code).toBe(2); // no such folder yet
    mkdirSync(path.dirname(file));
    const backup = await npmScript('db:backup', [file], path.join(scratch, 'a'));
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    // Written by the user running the command, readable by nobody else.
    expect(statSync(file).uid).toBe(process.getuid!());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}.partial`)).toBe(false);
    const after = await submit(hub, '备份后'); // not in the backup

    const restore = await npmScript('db:restore', [file], fresh);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    // A DATA_DIR that holds a database is not overwritten without --force.
    const again = await npmScript('db:restore', [file], fresh);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a database.*--force/s);
    const forced = await npmScript('db:restore', ['--force', file], fresh);
    expect(forced.code).toBe(0);
    expect(readdirSync(fresh).filter((name) => name.startsWith('postgres.replaced-'))).toHaveLength(1);

    const log = pino(quiet);
    restored = await openDatabase({ databaseUrl: null, dataDir: fresh }, log);
    const restoredHub = await hubOn(restored);
    expect(await answers(restoredHub)).toEqual(expected);
    const restoredIds = (
      (
        await gqlAt(
          `${restoredHub.url}/graphql`,
          `{ demands(first: 50) { edges { node { id } } } }`,
          {},
          org.token,
        )
      ).json.data as { demands: { edges: { node: { id: string } }[] } }
    ).demands.edges.map((e) => e.node.id);
    expect(restoredIds).not.toContain(after);

    // A cursor from before the backup replays exactly the events after it, then goes on live.
    const resumed = record(wsClient(restoredHub.wsUrl, org.token), { after: cursor });
    const replayed = await resumed.waitFor(2, 10_000);
    expect(replayed.map((e) => e.demand.id)).toEqual(before.slice(1));
    const sentinel = await submit(restoredHub, '恢复后');
    const all = await resumed.waitFor(3, 10_000);
    expect(all.map((e) => e.demand.id)).toEqual([...before.slice(1), sentinel]);
    // Written after the restore, its event continues after the old ones (the dump restores the sequence).
    expect(Number(all[2]!.cursor)).toBeGreaterThan(Number(all[1]!.cursor));
    expect(resumed.errors).toEqual([]);
  }, 180_000);
});
