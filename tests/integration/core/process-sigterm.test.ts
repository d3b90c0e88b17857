import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../../src/core/db/embedded-postgres.js';
import { until } from '../../setup/probes.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';
import {
  type Hub,
  SIGN_UP,
  gql,
  isRunning,
  postmasterPid,
  postmasters,
  processesMentioning,
  startHub,
  stopEverythingStarted,
  stopHub,
  tempDir,
} from './process-harness.js';
import { scratchDatabase } from '../../setup/scratch-database.js';

afterAll(stopEverythingStarted);

const READ = `query { viewer { displayName } serviceCategories { code } }`;

/** What the clients saw while the hub was being stopped. */
interface Load {
  /** Titles of the demands whose submitDemand was answered with success. */
  acknowledged: string[];
  /** GraphQL errors answered (a drained request must succeed or never be answered). */
  errors: string[];
  /** Clients that stopped because the server stopped answering, before sending all of theirs. */
  cutOff: number;
  done: Promise<void>;
}

/**
 * `clients` clients over loopback, each sending at most `perClient` requests one after another,
 * alternately a query and a submitDemand, until the server stops answering.
 */
function startLoad(hub: Hub, token: string, clients: number, perClient: number): Load {
  const load: Load = { acknowledged: [], errors: [], cutOff: 0, done: Promise.resolve() };
  const client = async (c: number) => {
    for (let i = 0; i < perClient; i++) {
      const title = `停机 ${c}-${i}`;
      let res: Awaited<ReturnType<typeof gql>>;
      try {
        res =
          i % 2 === 0
            ? await gql(hub, READ, {}, token)
            : await gql(
                hub,
                SUBMIT_DEMAND,
                {
                  input: {
                    title,
                    description: '关停时提交',
                    categoryCode: 'LIFE.CHILDCARE',
                    regionCode: '370102',
                  },
                },
                token,
              );
      } catch {
        load.cutOff++; // refused or reset: the server has stopped
        return;
      }
      if (res.errors) load.errors.push(...res.errors.map((e) => e.message));
      else if (i % 2 === 1) load.acknowledged.push(title);
    }
  };
  load.done = Promise.all(Array.from({ length: clients }, (_, c) => client(c))).then(() => undefined);
  return load;
}

describe('SIGTERM under load', () => {
  it.each(['embedded', 'external'] as const)(
    'on the %s database: drains, keeps every acknowledged write, exits 0 and leaves no PostgreSQL',
    async (kind) => {
      const dataDir = tempDir();
      let databaseUrl: string | undefined;
      if (kind === 'external') {
        databaseUrl = await scratchDatabase();
      }
      const hub = await startHub(
        {
          DATA_DIR: dataDir,
          RATE_MUTATIONS_POINTS: '0',
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        },
        120_000,
      );
      const pgdata = path.join(dataDir, 'postgres');
      const postmaster = kind === 'embedded' ? postmasterPid(pgdata) : null;
      if (postmaster !== null) postmasters.add(postmaster);
      const up = await gql(hub, SIGN_UP, {
        input: {
          email: `load-${randomUUID().slice(0, 8)}@example.cn`,
          password: 'secret-password',
          displayName: '负载',
        },
      });
      const token = (up.data?.signUp as { token: string }).token;

      const load = startLoad(hub, token, 16, 120);
      await until(async () => load.acknowledged.length >= 32, 60_000, 10);
      const signalled = performance.now();
      const code = await stopHub(hub, 15_000); // the drain grace is 10 s
      console.info(
        `SIGTERM under load (${kind}): exited ${code} after ${Math.round(performance.now() - signalled)} ms`,
      );
      await load.done;

      expect(code).toBe(0);
      expect(hub.output()).toContain('"stopped"');
      expect(load.errors).toEqual([]);
      expect(load.cutOff).toBeGreaterThan(0); // the signal came while requests were still being sent
      if (postmaster !== null) {
        expect(isRunning(postmaster)).toBe(false);
        expect(processesMentioning(dataDir)).toEqual([]);
      }

      // Every write a client was told about is in the database.
      const log = pino({ level: 'silent' });
      const server = kind === 'embedded' ? await startEmbeddedPostgres(pgdata, log) : null;
      const db = new pg.Client({ connectionString: server ? server.url('niudai') : databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query<{ title: string }>(
          `select "title" from "demand" where "title" like '停机 %'`,
        );
        const stored = new Set(rows.map((row) => row.title));
        expect(load.acknowledged.filter((title) => !stored.has(title))).toEqual([]);
        expect(load.acknowledged.length).toBeGreaterThanOrEqual(32);
      } finally {
        await db.end();
        await server?.stop();
      }
    },
    240_000,
  );
});
