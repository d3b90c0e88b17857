/**
 * `npm run bench` (from the root): one PostgreSQL (embedded, with pg_stat_statements), deterministic
 * data, every scenario in bench/README.md, then bench/results/latest.md + latest.json (+ raw/<date>.json).
 *
 * Flags: --quick (small sizes, short runs: a smoke test), --only=1,2,4 (scenario numbers; 2-lookup and
 * 2-write are the halves of 2), --targets=niudai,floor (servers loaded in 1 and 2), --profile=DIR,
 * --soak [--minutes=N] (Niudai alone under mixed load, watching its memory), --only=workers (Niudai
 * through `src/main.ts` with WORKERS=1 and WORKERS=2: nested read and submit, written to results/workers.md),
 * --only=notifications (submitDemand with notifications on and off, and a burst's time to the last
 * inbox row, written to results/notifications.md).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../../src/core/db/embedded-postgres.js';
import { DEMO_PASSWORD, DEMO_USERS, seedEmail } from '../../src/seed/accounts.js';
import type { SeedOptions, SeedReport } from '../../src/seed/index.js';
import { load, type LoadResult } from './load.js';
import { EXPORT_PATHS, measureExport } from './opendata.js';
import { renderReport, type Report } from './report.js';
import {
  gql,
  percentile,
  postgresCpuSeconds,
  postmasterPid,
  processCpuSeconds,
  processRssBytes,
  round,
  run,
  sleep,
  spawnServer,
  StatementCounter,
  type Child,
} from './util.js';

/** The seed every scenario generates its data with (the same seed gives the same rows). */
const BENCH_SEED = 1;
/** The generator's demo accounts the harness signs in as (all with {@link DEMO_PASSWORD}). */
const demoLogin = (local: string): string => {
  const account = DEMO_USERS.find((u) => u.email.startsWith(`${local}@`));
  if (!account) throw new Error(`no demo account ${local}`);
  return account.email;
};
const BENCH_WORKER = demoLogin('worker');
/** ORG_ADMIN of the generator's showcase organization (see {@link showcaseOrganization}). */
const BENCH_ORG_ADMIN = demoLogin('org.admin');

const BENCH = path.resolve(import.meta.dirname, '..');
const REPO = path.resolve(BENCH, '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const soak = argv.includes('--soak');
const only = new Set(
  (argv.find((a) => a.startsWith('--only='))?.slice(7) ?? (soak ? 'soak' : '1,2,3,4,5,6')).split(','),
);
/** --only=workers alone: its results go to results/workers.* rather than over the full run's latest.*. */
const workersOnly = only.size === 1 && only.has('workers');
/** --only=notifications alone: its results go to results/notifications.*. */
const notificationsOnly = only.size === 1 && only.has('notifications');
const minutes = Number(argv.find((a) => a.startsWith('--minutes='))?.slice(10) ?? 10);
/**
 * --profile=DIR: Niudai's server writes a V8 CPU profile there (read it with
 * bench/src/profile-summary.ts): on exit, or in fan-out of the measured events alone.
 */
const profileDir = argv.find((a) => a.startsWith('--profile='))?.slice(10);
/** --profile-heap: with --profile, fan-out also samples allocations (slower; for what the GC collects). */
const profileHeap = argv.includes('--profile-heap');
/** --fanout=5000 --shares=1: only these fan-out sizes and matching shares (for a focused rerun). */
const FANOUT_TOTALS = argv
  .find((a) => a.startsWith('--fanout='))
  ?.slice(9)
  .split(',')
  .map(Number);
/** --skip-flat: fan-out leaves out its non-matching rows (per-event cost at 1,000 vs 10,000). */
const SKIP_FLAT = argv.includes('--skip-flat');
/** --fanout-events=12: events per fan-out row (default: 20,000 deliveries' worth, 3 to 25), to compare variants. */
const FANOUT_EVENTS = Number(argv.find((a) => a.startsWith('--fanout-events='))?.slice(16) ?? 0) || null;
const FANOUT_SHARES = (argv.find((a) => a.startsWith('--shares='))?.slice(9) ?? '0.1,1')
  .split(',')
  .map(Number);
/** --targets=niudai,floor: which servers scenarios 1 and 2 load (all three by default). */
const TARGETS = (argv.find((a) => a.startsWith('--targets='))?.slice(10) ?? 'niudai,postgraphile,floor')
  .split(',')
  .filter((t): t is 'niudai' | 'postgraphile' | 'floor' => ['niudai', 'postgraphile', 'floor'].includes(t));

const SIZES = quick
  ? {
      users: 100,
      readSeconds: 3,
      writeSeconds: 3,
      connections: 8,
      fanout: [200, 1000],
      nonMatching: [200, 1000],
      events: 8,
      growth: [2_000, 10_000],
      growthOrgs: 1_000,
      growthSeconds: 2,
      pgbenchScale: 1,
      pgbenchSeconds: 3,
      openData: { organizations: 1_000, projects: 500 },
    }
  : {
      users: 1_000,
      readSeconds: 10,
      writeSeconds: 8,
      connections: 16,
      fanout: [1_000, 5_000, 10_000],
      nonMatching: [1_000, 10_000],
      events: 25,
      growth: [10_000, 100_000, 1_000_000],
      growthOrgs: 10_000,
      growthSeconds: 5,
      pgbenchScale: 10,
      pgbenchSeconds: 10,
      openData: {
        organizations: Number(argv.find((a) => a.startsWith('--opendata-orgs='))?.slice(16) ?? 10_000),
        projects: Number(argv.find((a) => a.startsWith('--opendata-projects='))?.slice(20) ?? 5_000),
      },
    };
/** --growth=10000,100000: only these demand counts in scenario 3 (a focused rerun). */
const GROWTH_SIZES = argv
  .find((a) => a.startsWith('--growth='))
  ?.slice(9)
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
if (GROWTH_SIZES?.length) SIZES.growth = GROWTH_SIZES;
const MAX_REQUESTS = 200_000;
/** Scenario 2-write's rounds of the compared runs (--write-rounds=N); see bench/README.md, "Writes". */
const WRITE_ROUNDS = Number(argv.find((a) => a.startsWith('--write-rounds='))?.slice(15) ?? (quick ? 1 : 3));

const log = {
  debug: () => {},
  info: (o: unknown, m?: string) => console.log(`[postgres] ${m ?? ''} ${JSON.stringify(o)}`),
  error: (o: unknown, m?: string) => console.error(`[postgres] ${m ?? ''}`, o),
};

const say = (message: string) => console.log(`\n== ${message}`);

// ---------------------------------------------------------------------------------------------
// Queries: the same question asked of each server, in its own dialect.

const NESTED = {
  niudai: `query Nested { demands(first: 100, filter: { statuses: [OPEN] }) { edges { node {
    id title urgency peopleAffected createdAt category { code name } region { code name parent { code name } } } } } }`,
  postgraphile: `query Nested { allDemands(first: 100, condition: { status: "OPEN" }, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { nodes {
    rowId title urgency peopleAffected createdAt serviceCategoryByCategoryCode { code name }
    regionByRegionCode { code name regionByParentCode { code name } } } } }`,
  floor: `query Nested { demands(first: 100, status: "OPEN") {
    id title urgency peopleAffected createdAt category { code name } region { code name parent { code name } } } }`,
};

const LOOKUP_ORG = 7;
const LOOKUP = {
  niudai: `query Org($id: ID!) { organization(id: $id) { id name creditCode description foundingType verificationStatus homeRegion { code name } } }`,
  postgraphile: `query Org($id: BigInt!) { organizationByRowId(rowId: $id) { rowId name creditCode description foundingType verificationStatus regionByHomeRegionCode { code name } } }`,
  floor: `query Org($id: ID!) { organization(id: $id) { id name creditCode description foundingType verificationStatus homeRegion { code name } } }`,
};
const lookupVariables = {
  niudai: { id: Buffer.from(`Organization:${LOOKUP_ORG}`).toString('base64url') },
  postgraphile: { id: String(LOOKUP_ORG) },
  floor: { id: String(LOOKUP_ORG) },
};

const SUBMIT = {
  niudai: `mutation Submit($input: SubmitDemandInput!) { submitDemand(input: $input) { demand { id } } }`,
  postgraphile: `mutation Submit($input: CreateDemandInput!) { createDemand(input: $input) { demand { rowId } } }`,
  floor: `mutation Submit($input: SubmitDemandInput!) { submitDemand(input: $input) { id } }`,
};
const CHILDCARE_PATH = ['LIFE', 'LIFE.CHILDCARE'];
const LIXIA_PATH = ['370000', '370100', '370102'];
function submitBody(target: keyof typeof SUBMIT, n: number, submitterId: number): string {
  const title = `压测提交需求${n}号${(n * 2654435761) % 1000003}`;
  const description = `第${n}个压测需求：职工子女暑期托管。`;
  const input =
    target === 'postgraphile'
      ? {
          demand: {
            title,
            description,
            categoryCode: 'LIFE.CHILDCARE',
            categoryPath: CHILDCARE_PATH,
            regionCode: '370102',
            regionPath: LIXIA_PATH,
            targetGroups: [],
            peopleAffected: 1,
            source: 'WORKER',
            submittedById: String(submitterId),
            expiresAt: new Date(Date.now() + 60 * 86400_000).toISOString(),
          },
        }
      : { title, description, categoryCode: 'LIFE.CHILDCARE', regionCode: '370102' };
  return JSON.stringify({ query: SUBMIT[target], variables: { input } });
}

// ---------------------------------------------------------------------------------------------

interface Ctx {
  admin: pg.Pool;
  statements: StatementCounter;
  port: number;
  postmaster: number;
  url: (db: string) => string;
  niudaiEnv: Record<string, string>;
}

async function createDatabase(ctx: Ctx, name: string): Promise<string> {
  await ctx.admin.query(`drop database if exists ${name} with (force)`);
  await ctx.admin.query(`create database ${name}`);
  const url = ctx.url(name);
  await run(process.execPath, ['--import', 'tsx', 'bench/servers/niudai.ts', 'setup'], {
    cwd: REPO,
    env: { ...ctx.niudaiEnv, DATABASE_URL: url },
  });
  return url;
}

/**
 * Fills (or grows: the generator only adds what is missing) a bench database with the hub's data
 * generator, seed {@link BENCH_SEED}, with the demo accounts the harness signs in as.
 */
async function generate(
  ctx: Ctx,
  url: string,
  sizes: Partial<Pick<SeedOptions, 'organizations' | 'demands' | 'projects' | 'workers'>>,
): Promise<SeedReport> {
  const options: SeedOptions = {
    organizations: 0,
    demands: 0,
    projects: 0,
    ...sizes,
    seed: BENCH_SEED,
    demoAccounts: true,
  };
  const out = await run(
    process.execPath,
    ['--import', 'tsx', 'bench/servers/niudai.ts', 'seed', JSON.stringify(options)],
    { cwd: REPO, env: { ...ctx.niudaiEnv, DATABASE_URL: url } },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as SeedReport;
}

/**
 * The generator's showcase organization (Lixia, Jinan; VERIFIED), of which {@link BENCH_ORG_ADMIN}
 * is an ORG_ADMIN.
 */
async function showcaseOrganization(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `select m.organization_id as id from organization_member m join app_user u on u.id = m.user_id
      where u.email = $1 and m.role = 'ORG_ADMIN' order by m.organization_id limit 1`,
    [BENCH_ORG_ADMIN],
  );
  if (!rows[0]) throw new Error('the generated data has no showcase organization');
  return Number(rows[0].id);
}

/** The data of scenarios 1, 2, workers and soak: 20 organizations, 300 needs (more than 100 OPEN). */
const SMALL_WORLD = { organizations: 20, demands: 300 } as const;

/**
 * With --profile, the server profiles its whole life, or with `window` only between the two
 * SIGUSR2 that {@link profileWindow} sends (window-profile.ts).
 */
function startNiudai(
  ctx: Ctx,
  url: string,
  options: { window?: boolean; env?: Record<string, string> } = {},
): Promise<Child> {
  const whole = profileDir && !options.window;
  const profile = whole ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const windowDir = profileDir && options.window ? path.resolve(profileDir) : undefined;
  return spawnServer(
    'niudai',
    process.execPath,
    [...profile, '--import', 'tsx/esm', 'bench/servers/niudai.ts', 'serve'],
    {
      cwd: REPO,
      env: {
        ...ctx.niudaiEnv,
        DATABASE_URL: url,
        BENCH_WINDOW_PROFILE_DIR: windowDir,
        BENCH_PROFILE_HEAP: profileHeap ? '1' : undefined,
        ...options.env,
      },
    },
  );
}

/** Starts or ends the windowed profiles of the server and of any client processes (only with --profile). */
async function profileWindow(server: Child, clients: readonly { pid: number }[] = []): Promise<void> {
  if (!profileDir) return;
  for (const { pid } of [server, ...clients]) process.kill(pid, 'SIGUSR2');
  await sleep(300);
}
function startPostGraphile(url: string): Promise<Child> {
  return spawnServer(
    'postgraphile',
    process.execPath,
    ['--require', './polyfills/promise-with-resolvers.cjs', '--import', 'tsx', 'servers/postgraphile.ts'],
    { cwd: BENCH, env: { DATABASE_URL: url, NODE_ENV: 'production', GRAPHILE_ENV: 'production' } },
  );
}
function startFloor(url: string, outbox: boolean): Promise<Child> {
  return spawnServer('floor', process.execPath, ['--import', 'tsx', 'servers/floor.ts'], {
    cwd: BENCH,
    env: { DATABASE_URL: url, OUTBOX: outbox ? '1' : '0', NODE_ENV: 'production' },
  });
}

/** Polls the server's `niudai_subscriptions_active` until it reaches `total`; returns the last count. */
async function waitForSubscriptions(url: string, total: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let active = 0;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('niudai_subscriptions_active '));
    active = Number(line?.split(' ')[1] ?? 0);
    if (active >= total) break;
    await sleep(250);
  }
  return active;
}

async function signIn(url: string, login: string): Promise<string> {
  const data = await gql<{ signIn: { token: string } }>(
    `${url}/graphql`,
    `mutation($input: SignInInput!) { signIn(input: $input) { token } }`,
    { input: { login, password: DEMO_PASSWORD } },
  );
  return data.signIn.token;
}

async function versions(ctx: Ctx): Promise<Record<string, string>> {
  const pkg = (file: string) => {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      return 'n/a';
    }
  };
  const { rows } = await ctx.admin.query<{ v: string }>('select version() v');
  let pgbench = 'n/a';
  try {
    pgbench = (await run('pgbench', ['--version'])).trim();
  } catch {
    /* not installed */
  }
  return {
    node: process.version,
    postgresql: rows[0]?.v.split(',')[0] ?? 'n/a',
    pgbench,
    '@apollo/server (Niudai)': pkg(`${REPO}/node_modules/@apollo/server/package.json`),
    'type-graphql': pkg(`${REPO}/node_modules/type-graphql/package.json`),
    '@mikro-orm/core': pkg(`${REPO}/node_modules/@mikro-orm/core/package.json`),
    'graphql (Niudai)': pkg(`${REPO}/node_modules/graphql/package.json`),
    'graphql-ws': pkg(`${REPO}/node_modules/graphql-ws/package.json`),
    postgraphile: pkg(`${BENCH}/node_modules/postgraphile/package.json`),
    grafast: pkg(`${BENCH}/node_modules/grafast/package.json`),
    '@apollo/server (floor)': pkg(`${BENCH}/node_modules/@apollo/server/package.json`),
    autocannon: pkg(`${BENCH}/node_modules/autocannon/package.json`),
  };
}

function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    kernel: `${os.type()} ${os.release()}`,
    hostname: os.hostname(),
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios 1 and 2: three-way HTTP comparisons.

async function scenarios12(ctx: Ctx, report: Report): Promise<void> {
  say('scenario 1/2 data: 20 organizations, 300 needs');
  const url = await createDatabase(ctx, 'bench_main');
  await generate(ctx, url, { ...SMALL_WORLD, workers: SIZES.users });
  const db = new pg.Pool({ connectionString: url, max: 4 });
  await db.query('analyze');
  const submitter = Number(
    (await db.query<{ id: string }>('select id from app_user where email = $1', [BENCH_WORKER])).rows[0]?.id,
  );
  await db.end();

  const niudai = await startNiudai(ctx, url);
  const postgraphile = await startPostGraphile(url);
  const floor = await startFloor(url, false);
  const servers = { niudai, postgraphile, floor } as const;
  try {
    const token = await signIn(niudai.url, BENCH_WORKER);
    const tokens = { niudai: token, postgraphile: undefined, floor: undefined };
    // Check each answers the question without errors, and with the same number of demands.
    for (const target of ['niudai', 'postgraphile', 'floor'] as const) {
      const data = await gql(`${servers[target].url}/graphql`, NESTED[target], {}, tokens[target]);
      const count = JSON.stringify(data).match(/"title"/g)?.length ?? 0;
      if (count !== 100) throw new Error(`${target} returned ${count} demands for the nested read, not 100`);
      await gql(`${servers[target].url}/graphql`, LOOKUP[target], lookupVariables[target], tokens[target]);
    }
    const common = { postmasterPid: ctx.postmaster, statements: ctx.statements, maxRequests: MAX_REQUESTS };

    if (only.has('1')) {
      say('scenario 1: nested read');
      const rows: LoadResult[] = [];
      for (const target of TARGETS) {
        const result = await load({
          ...common,
          target,
          url: `${servers[target].url}/graphql`,
          serverPid: servers[target].pid,
          body: JSON.stringify({ query: NESTED[target] }),
          token: tokens[target],
          connections: SIZES.connections,
          durationSeconds: SIZES.readSeconds,
        });
        console.log(JSON.stringify(result));
        rows.push(result);
      }
      report.scenarios.nestedRead = rows;
    }

    if (only.has('2') || only.has('2-lookup')) {
      say('scenario 2: lookup by id');
      const lookups: LoadResult[] = [];
      for (const target of TARGETS) {
        const result = await load({
          ...common,
          target,
          url: `${servers[target].url}/graphql`,
          serverPid: servers[target].pid,
          body: JSON.stringify({ query: LOOKUP[target], variables: lookupVariables[target] }),
          connections: SIZES.connections,
          durationSeconds: SIZES.readSeconds,
        });
        console.log(JSON.stringify(result));
        lookups.push(result);
      }
      report.scenarios.lookup = lookups;
    }

    if (only.has('2') || only.has('2-write')) {
      say(`scenario 2: writes (submitDemand), ${WRITE_ROUNDS} rounds`);
      // A write run has its server to itself (bench/README.md, "Writes"): the servers above stop, and
      // each run starts its own. Niudai's relay LISTENs on hub_events, so while it idled the floor's
      // NOTIFYs woke it and its reads ran (and were counted) in the floor's window.
      for (const server of Object.values(servers)) await server.stop();
      const writes: (LoadResult & { round?: number })[] = [];
      const settleDb = new pg.Client({ connectionString: url });
      await settleDb.connect();
      // Every measured window starts from the same table state: no dead rows, GIN pending lists merged
      // (VACUUM), statistics fresh, and no checkpoint or autovacuum owed by the previous run's inserts.
      const settle = async () => {
        await settleDb.query('vacuum (analyze) demand, event, audit_entry, idempotency_key');
        await settleDb.query('checkpoint');
      };
      const writeOnce = async (
        target: keyof typeof SUBMIT,
        label: string,
        start: () => Promise<Child>,
        tok?: string,
        inRound?: number,
      ) => {
        const server = await start();
        try {
          await gql(
            `${server.url}/graphql`,
            SUBMIT[target],
            JSON.parse(submitBody(target, 0, submitter)).variables,
            tok,
          );
          const result = await load({
            ...common,
            target: label,
            url: `${server.url}/graphql`,
            serverPid: server.pid,
            body: submitBody(target, 0, submitter),
            bodyFor: (n) => submitBody(target, n, submitter),
            token: tok,
            connections: SIZES.connections,
            durationSeconds: SIZES.writeSeconds,
            maxRequests: 50_000,
            beforeMeasure: settle,
          });
          const row = inRound === undefined ? result : { ...result, round: inRound };
          console.log(JSON.stringify(row));
          writes.push(row);
        } finally {
          await server.stop();
        }
      };
      try {
        // The compared runs in rounds, each round's order rotated by one, so each takes each place in
        // a round equally often (with 3 rounds); the figures are the median of the rounds' ratios.
        // "Outbox off" (servers/niudai.ts, BENCH_OUTBOX) prices the outbox on Niudai itself: its trigger
        // drops event rows database-wide while that server runs, and is gone when it stops.
        const compared = [
          (r: number) =>
            writeOnce(
              'niudai',
              'niudai submitDemand (outbox + NOTIFY + audit)',
              () => startNiudai(ctx, url),
              token,
              r,
            ),
          (r: number) =>
            writeOnce(
              'floor',
              'floor submitDemand + outbox + NOTIFY',
              () => startFloor(url, true),
              undefined,
              r,
            ),
          (r: number) =>
            writeOnce(
              'niudai',
              'niudai submitDemand, outbox off (bench switch)',
              () => startNiudai(ctx, url, { env: { BENCH_OUTBOX: 'off' } }),
              token,
              r,
            ),
        ];
        for (let r = 1; r <= WRITE_ROUNDS; r++) {
          for (let i = 0; i < compared.length; i++) await compared[(i + r - 1) % compared.length]!(r);
        }
        // Context only, once each: no summary figure reads them.
        await writeOnce('postgraphile', 'postgraphile createDemand (plain insert)', () =>
          startPostGraphile(url),
        );
        await writeOnce('floor', 'floor submitDemand, no outbox', () => startFloor(url, false));
      } finally {
        await settleDb.end();
      }
      report.scenarios.write = writes;
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Scenario "workers": the hub as `npm start` runs it, one process against a cluster of two.

/** `src/main.ts` on `url` with WORKERS=`workers` (its primary's pid; the workers are its children). */
async function startNiudaiMain(ctx: Ctx, url: string, workers: number): Promise<Child> {
  const port = await freePort();
  return spawnServer(`niudai WORKERS=${workers}`, process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], {
    cwd: REPO,
    env: {
      ...ctx.niudaiEnv,
      DATABASE_URL: url,
      WORKERS: String(workers),
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    readyAt: `http://127.0.0.1:${port}`,
  });
}

async function scenarioWorkers(ctx: Ctx, report: Report): Promise<void> {
  say('scenario workers: WORKERS=1 vs WORKERS=2 (data: 20 organizations, 300 needs)');
  const url = await createDatabase(ctx, 'bench_workers');
  await generate(ctx, url, { ...SMALL_WORLD, workers: SIZES.users });
  const db = new pg.Pool({ connectionString: url, max: 4 });
  await db.query('analyze');
  const submitter = Number(
    (await db.query<{ id: string }>('select id from app_user where email = $1', [BENCH_WORKER])).rows[0]?.id,
  );
  await db.end();
  const rows: LoadResult[] = [];
  for (const workers of [1, 2]) {
    const server = await startNiudaiMain(ctx, url, workers);
    try {
      const token = await signIn(server.url, BENCH_WORKER);
      const data = await gql(`${server.url}/graphql`, NESTED.niudai, {}, token);
      const count = JSON.stringify(data).match(/"title"/g)?.length ?? 0;
      if (count !== 100) throw new Error(`WORKERS=${workers} returned ${count} demands, not 100`);
      const common = {
        url: `${server.url}/graphql`,
        serverPid: server.pid,
        serverTree: true,
        postmasterPid: ctx.postmaster,
        statements: ctx.statements,
        token,
        connections: SIZES.connections,
      };
      const read = await load({
        ...common,
        target: `WORKERS=${workers} nested read`,
        body: JSON.stringify({ query: NESTED.niudai }),
        durationSeconds: SIZES.readSeconds,
        maxRequests: MAX_REQUESTS,
      });
      console.log(JSON.stringify(read));
      // Distinct titles per run, so the second run's demands are new ones too.
      const offset = workers * 1_000_000;
      const write = await load({
        ...common,
        target: `WORKERS=${workers} submitDemand`,
        body: submitBody('niudai', offset, submitter),
        bodyFor: (n) => submitBody('niudai', offset + n, submitter),
        durationSeconds: SIZES.writeSeconds,
        maxRequests: 50_000,
      });
      console.log(JSON.stringify(write));
      rows.push(read, write);
    } finally {
      await server.stop();
    }
  }
  report.scenarios.workers = rows;
}

// ---------------------------------------------------------------------------------------------
// Scenario "notifications": what the notification pipeline costs the write path, and how fast a
// burst reaches every inbox.

/**
 * One verified organization serving LIFE in Jinan (every bench submission is childcare in Lixia)
 * with `members` members, each wanting its matches by e-mail digest and in the app.
 */
async function createNotifiedOrganization(db: pg.Pool, members: number): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `insert into organization (name, credit_code, kind, founding_type, home_region_code, region_codes,
        category_codes, target_groups, description, verification_status, verification_decided_at, search_text, grade)
     values ('压测通知服务中心', '52' || lpad('999999', 16, '0'), 'SOCIAL_SERVICE_AGENCY', 'INDEPENDENT',
        '370100', '{370100}', '{LIFE}', '{ALL_WORKERS}', '为济南职工提供生活服务', 'VERIFIED', now(),
        '压测通知服务中心 ‖ 为济南职工提供生活服务', 'NONE')
     returning id`,
  );
  const organizationId = Number(rows[0]!.id);
  await db.query(
    `insert into organization_member (organization_id, user_id, role)
     select $1, id, 'ORG_MEMBER' from app_user where email like $3 order by id limit $2`,
    [organizationId, members, seedEmail(BENCH_SEED, 'worker%')],
  );
  for (const [channel, frequency] of [
    ['EMAIL', 'DAILY_DIGEST'],
    ['IN_APP', 'INSTANT'],
  ])
    await db.query(
      `insert into notification_preference (user_id, topic, channel, frequency, updated_at)
       select user_id, 'DEMAND_MATCHED', $2, $3, now() from organization_member where organization_id = $1`,
      [organizationId, channel, frequency],
    );
  return organizationId;
}

/** A loopback SMTP server that accepts and drops every message (instant e-mail's transport is live). */
async function startSmtpSink(): Promise<{ url: string; close(): Promise<void> }> {
  const { SMTPServer } = await import('smtp-server');
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

async function scenarioNotifications(
  ctx: Ctx,
  report: Report,
  countIn: (database: string) => void,
): Promise<void> {
  const members = quick ? 100 : 1_000;
  const burst = quick ? 200 : 2_000;
  say(`scenario notifications: submitDemand with ${members} members notified vs none; a burst of ${burst}`);
  const smtp = await startSmtpSink();
  const on = { SMTP_URL: smtp.url, NOTIFY_POLL_MS: '5000' };
  const off = { NOTIFY_POLL_MS: '0' };
  const prepare = async (name: string) => {
    const url = await createDatabase(ctx, name);
    await generate(ctx, url, { workers: Math.max(SIZES.users, members) });
    const db = new pg.Pool({ connectionString: url, max: 4 });
    const organizationId = await createNotifiedOrganization(db, members);
    await db.query('analyze');
    const submitter = Number(
      (await db.query<{ id: string }>('select id from app_user where email = $1', [BENCH_WORKER])).rows[0]
        ?.id,
    );
    return { url, db, submitter, organizationId };
  };
  const rows: Record<string, unknown>[] = [];
  try {
    // Throughput: the same load with notifications off and on, on one database (the worker starts at
    // the outbox's head, so the demands of a run without it are not notified), in the order off, on,
    // on, off: the database grows with every run and a shared machine's load drifts, so a side always
    // measured second would bear both; each side has an early and a late run, and the ratio is of
    // their sums.
    const rate = await prepare('bench_notify_rate');
    for (const [label, env, offset] of [
      ['notifications off (1)', off, 1_000_000],
      ['notifications on (1)', on, 2_000_000],
      ['notifications on (2)', on, 4_000_000],
      ['notifications off (2)', off, 5_000_000],
    ] as const) {
      const server = await startNiudai(ctx, rate.url, { env });
      try {
        const token = await signIn(server.url, BENCH_WORKER);
        const result = await load({
          target: `submitDemand, ${label}`,
          url: `${server.url}/graphql`,
          serverPid: server.pid,
          postmasterPid: ctx.postmaster,
          statements: ctx.statements,
          token,
          connections: SIZES.connections,
          body: submitBody('niudai', offset, rate.submitter),
          bodyFor: (n) => submitBody('niudai', offset + n, rate.submitter),
          durationSeconds: SIZES.writeSeconds,
          maxRequests: 50_000,
        });
        console.log(JSON.stringify(result));
        rows.push({ ...result, topStatements: undefined });
      } finally {
        await server.stop();
      }
    }
    await rate.db.end();

    // Burst: `burst` demands as fast as they are taken, each for `members` inboxes; measured from
    // the first submission to the moment the last inbox row exists.
    countIn('bench_notify_burst');
    const b = await prepare('bench_notify_burst');
    const server = await startNiudai(ctx, b.url, { env: on });
    try {
      const token = await signIn(server.url, BENCH_WORKER);
      const expected = burst * members;
      const started = Date.now();
      const submitted = await load({
        target: `burst of ${burst} submitDemand`,
        url: `${server.url}/graphql`,
        serverPid: server.pid,
        postmasterPid: ctx.postmaster,
        statements: ctx.statements,
        token,
        connections: SIZES.connections,
        body: submitBody('niudai', 3_000_000, b.submitter),
        bodyFor: (n) => submitBody('niudai', 3_000_000 + n, b.submitter),
        durationSeconds: 600,
        maxRequests: burst,
      });
      // load() warms up with up to 300 unmeasured submissions first: they are part of the burst.
      const demands = Number(
        (
          await b.db.query<{ n: string }>('select count(*) n from demand where title like $1', [
            '压测提交需求%',
          ])
        ).rows[0]!.n,
      );
      const submittedMs = Date.now() - started;
      // Every inbox has a demand once the fan-out has passed its event: an organization's
      // notification is one row that each member's inbox reads (fan-out on read).
      const [{ head }] = (
        await b.db.query<{ head: string }>(
          `select coalesce(max(seq), 0) head from event where topic = 'demand.published'`,
        )
      ).rows as [{ head: string }];
      const deadline = Date.now() + 10 * 60_000;
      for (;;) {
        const position = (
          await b.db.query<{ last_event_seq: string }>(
            `select last_event_seq from notification_position where name = 'fanout'`,
          )
        ).rows[0]?.last_event_seq;
        if (Number(position ?? 0) >= Number(head) || Date.now() > deadline) break;
        await sleep(100);
      }
      const allRowsMs = Date.now() - started;
      const storedRows = Number(
        (await b.db.query<{ n: string }>('select count(*) n from notification')).rows[0]!.n,
      );
      // The proof, through the API: a member of the notified organization (not the submitter) has
      // every demand unread. Generated accounts have a password nobody knows: this one is given the
      // demo account's, so that the bench can sign in as her.
      const member = (
        await b.db.query<{ email: string }>(
          `update app_user u set password_hash = (select password_hash from app_user where id = $1)
            where u.id = (select m.user_id from organization_member m
                           where m.organization_id = $2 and m.user_id <> $1 order by m.user_id desc limit 1)
            returning u.email`,
          [b.submitter, b.organizationId],
        )
      ).rows[0]!.email;
      const memberToken = await signIn(server.url, member);
      const { unreadNotificationCount: memberUnread } = await gql<{ unreadNotificationCount: number }>(
        `${server.url}/graphql`,
        '{ unreadNotificationCount }',
        {},
        memberToken,
      );
      const rowsNow = memberUnread * members;
      rows.push({
        target: `burst: ${demands} demands × ${members} members`,
        demands,
        expectedRows: demands * members,
        inboxRows: rowsNow,
        storedRows,
        memberUnread,
        submitSeconds: round(submittedMs / 1000, 1),
        submitRequestsPerSecond: submitted.requestsPerSecond,
        secondsToLastInboxRow: round(allRowsMs / 1000, 1),
        inboxRowsPerSecond: round(rowsNow / (allRowsMs / 1000), 0),
      });
      console.log(JSON.stringify(rows.at(-1)));
      if (rowsNow < expected) console.log(`burst: ${rowsNow} inbox items of ${demands * members}`);
    } finally {
      await server.stop();
      await b.db.end();
    }
  } finally {
    await smtp.close();
  }
  report.scenarios.notifications = rows;
}

// ---------------------------------------------------------------------------------------------
// Scenario 4: fan-out over real graphql-ws clients.

interface ClientProc {
  pid: number;
  send(message: unknown): void;
  next(type: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

function startClients(): Promise<ClientProc> {
  const child = fork(path.join(BENCH, 'src/fanout-clients.ts'), [], {
    cwd: BENCH,
    execArgv: ['--import', 'tsx'],
    // With --profile, each client process profiles the measured events too (`client-<pid>-1.cpuprofile`).
    env: { ...process.env, BENCH_WINDOW_PROFILE_DIR: profileDir ? path.resolve(profileDir) : undefined },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, ((m: Record<string, unknown>) => void)[]>();
  // Messages nobody waits for yet are kept: a child can answer before the parent asks `next` (two
  // children opening at once), and a dropped `opened` would hang the run.
  const unclaimed = new Map<string, Record<string, unknown>[]>();
  child.on('message', (m: Record<string, unknown>) => {
    const type = String(m.type);
    const waiter = waiting.get(type)?.shift();
    if (waiter) waiter(m);
    else unclaimed.set(type, [...(unclaimed.get(type) ?? []), m]);
  });
  const proc: ClientProc = {
    pid: child.pid ?? 0,
    send: (message) => child.send(message as never),
    next: (type) =>
      new Promise((resolve) => {
        const early = unclaimed.get(type)?.shift();
        if (early) return resolve(early);
        const list = waiting.get(type) ?? [];
        list.push(resolve);
        waiting.set(type, list);
      }),
    close: async () => {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.send({ type: 'close' });
      const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return proc.next('up').then(() => proc);
}

interface FanoutRow {
  subscribers: number;
  matching: number;
  events: number;
  received: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  memoryPerSubscriberKiB: number;
  serverCpuMsPerEvent: number;
  /** The subscribing processes' CPU (graphql-ws clients parsing and timing): on this machine's two cores it competes with the server's. */
  clientCpuMsPerEvent: number;
  dbCpuMsPerEvent: number;
  sqlPerEvent: number;
}

/** Inserts a demand + its outbox row + NOTIFY in one transaction, as emitEvent does; returns commit time. */
async function publishDemand(
  db: pg.Pool,
  title: string,
  regionCode: string,
  submitter: number,
): Promise<number> {
  const client = await db.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ id: string; category_path: string[]; region_path: string[] }>(
      `insert into demand (title, description, category_code, category_path, region_code, region_path, target_groups,
          people_affected, source, submitted_by_id, expires_at)
       select $1, '扇出测试', c.code, c.path, r.code, r.path, '{}', 1, 'WORKER', $3, now() + interval '60 days'
         from service_category c, region r where c.code = 'LIFE.CHILDCARE' and r.code = $2
       returning id, category_path, region_path`,
      [title, regionCode, submitter],
    );
    const row = rows[0]!;
    await client.query('select pg_advisory_xact_lock(4826113)');
    await client.query(
      `insert into event (topic, entity_id, category_path, region_path, target_groups) values ('demand.published', $1, $2, $3, '{}')`,
      [row.id, row.category_path, row.region_path],
    );
    await client.query(`select pg_notify('hub_events', 'demand.published')`);
    await client.query('commit');
    return performance.timeOrigin + performance.now();
  } finally {
    client.release();
  }
}

async function fanoutRun(
  ctx: Ctx,
  url: string,
  submitter: number,
  total: number,
  matching: number,
  events: number,
): Promise<FanoutRow> {
  const server = await startNiudai(ctx, url, { window: true });
  const db = new pg.Pool({ connectionString: url, max: 2 });
  const procs: ClientProc[] = [];
  try {
    const token = await signIn(server.url, BENCH_ORG_ADMIN);
    await sleep(500);
    const rss0 = processRssBytes(server.pid);
    // Matching subscribers follow Jinan (370100), the others Qingdao (370200): different buckets.
    const filters = Array.from({ length: total }, (_, i) => ({
      regionCode: i < matching ? '370100' : '370200',
    }));
    const halves = total >= 2000 ? 2 : 1;
    for (let h = 0; h < halves; h++) procs.push(await startClients());
    const per = Math.ceil(total / halves);
    /** Matching subscriptions held by each client process. */
    const matchingIn = procs.map(
      (_, h) => filters.slice(h * per, (h + 1) * per).filter((f) => f.regionCode === '370100').length,
    );
    const wsUrl = `${server.url.replace('http', 'ws')}/graphql`;
    procs.forEach((p, h) =>
      p.send({
        type: 'open',
        url: wsUrl,
        token,
        filters: filters.slice(h * per, (h + 1) * per),
        perSocket: 20,
      }),
    );
    for (const p of procs) {
      const opened = await p.next('opened');
      if (opened.connected !== opened.sockets) throw new Error(`fan-out: ${JSON.stringify(opened)}`);
    }
    // Subscriptions register after their sockets connect (5,000 take tens of seconds here): wait until
    // the server counts them all, so warm-up events are not spent on subscribers not yet listening.
    const registered = await waitForSubscriptions(server.url, total, 300_000);
    if (registered < total) {
      // Say why: each client process's error count and last error (a refused sign-in, a closed socket).
      const clients: string[] = [];
      for (const p of procs) {
        p.send({ type: 'count', title: '' });
        const reply = await p.next('count');
        clients.push(`${String(reply.errors)} errors, last: ${String(reply.lastError || 'none')}`);
      }
      throw new Error(
        `fan-out: only ${registered}/${total} subscriptions registered (${clients.join('; ')})`,
      );
    }
    // Warm-up events in both regions: once every subscriber has one, every subscription is live.
    let lastError = '';
    const countOf = async (title: string) => {
      let n = 0;
      for (const p of procs) {
        p.send({ type: 'count', title });
        const reply = await p.next('count');
        n += Number(reply.n);
        if (reply.lastError) lastError = String(reply.lastError);
      }
      return n;
    };
    const waitFor = async (title: string, expected: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      let n = 0;
      while ((n = await countOf(title)) < expected && Date.now() < deadline) await sleep(5);
      return n;
    };
    for (const [region, expected] of [
      ['370102', matching],
      ['370202', total - matching],
    ] as const) {
      if (expected === 0) continue;
      // Subscriptions register after the socket connects, so repeat until the latest warm-up event
      // reaches every subscriber (live subscribers do not see events from before they registered).
      let got = 0;
      const deadline = Date.now() + 60_000;
      for (let w = 0; got < expected && Date.now() < deadline; w++) {
        const title = `warm-${region}-${total}-${matching}-${w}`;
        await publishDemand(db, title, region, submitter);
        got = await waitFor(title, expected, Math.min(20_000, Math.max(2_000, expected * 15)));
      }
      if (got < expected)
        throw new Error(`fan-out warm-up: ${got}/${expected} subscribers live; last error: ${lastError}`);
    }
    for (const p of procs) {
      p.send({ type: 'collect' });
      await p.next('receipts');
    }
    await sleep(1000);
    const rss1 = processRssBytes(server.pid);

    await ctx.statements.reset();
    await profileWindow(server, procs);
    const cpu0 = processCpuSeconds(server.pid);
    const clientCpu = () => procs.reduce((sum, p) => sum + processCpuSeconds(p.pid), 0);
    const clients0 = clientCpu();
    const db0 = postgresCpuSeconds(ctx.postmaster);
    const commits = new Map<string, number>();
    for (let e = 0; e < events; e++) {
      const title = `fanout-${total}-${matching}-${e}`;
      commits.set(title, await publishDemand(db, title, '370102', submitter));
      // Each client process answers once its share arrived: no polling competes with the fan-out.
      await Promise.all(
        procs.map((p, h) => {
          p.send({ type: 'await', title, n: matchingIn[h], timeoutMs: 120_000 });
          return p.next('reached');
        }),
      );
    }
    const cpu1 = processCpuSeconds(server.pid);
    const clients1 = clientCpu();
    const db1 = postgresCpuSeconds(ctx.postmaster);
    await profileWindow(server, procs);
    const sql = await ctx.statements.read();
    const latencies: number[] = [];
    for (const p of procs) {
      p.send({ type: 'collect' });
      const { receipts } = (await p.next('receipts')) as unknown as { receipts: [string, number[]][] };
      for (const [title, times] of receipts) {
        const committed = commits.get(title);
        if (committed !== undefined) for (const t of times) latencies.push(t - committed);
      }
    }
    latencies.sort((a, b) => a - b);
    return {
      subscribers: total,
      matching,
      events,
      received: latencies.length,
      expected: matching * events,
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      maxMs: round(latencies.at(-1) ?? NaN, 1),
      memoryPerSubscriberKiB: round((rss1 - rss0) / total / 1024, 1),
      serverCpuMsPerEvent: round(((cpu1 - cpu0) * 1000) / events, 2),
      clientCpuMsPerEvent: round(((clients1 - clients0) * 1000) / events, 2),
      dbCpuMsPerEvent: round(((db1 - db0) * 1000) / events, 2),
      sqlPerEvent: round(sql.all / events, 1),
    };
  } finally {
    for (const p of procs) await p.close();
    await db.end();
    await server.stop();
  }
}

async function scenario4(ctx: Ctx, report: Report): Promise<void> {
  say('scenario 4: fan-out');
  const url = await createDatabase(ctx, 'bench_fanout');
  await generate(ctx, url, { organizations: 1 });
  const db = new pg.Pool({ connectionString: url, max: 2 });
  // The subscribing organization serves LIFE across Shandong; filters then narrow by city.
  await db.query(
    `update organization set category_codes = '{LIFE}', region_codes = '{370000}' where id = $1`,
    [await showcaseOrganization(db)],
  );
  const submitter = Number(
    (await db.query<{ id: string }>('select id from app_user where email = $1', [BENCH_WORKER])).rows[0]?.id,
  );
  await db.end();
  // Filled as rows come in, so a failure part-way still reports what was measured.
  const rows: FanoutRow[] = [];
  report.scenarios.fanout = rows;
  for (const total of FANOUT_TOTALS ?? SIZES.fanout) {
    for (const share of FANOUT_SHARES) {
      const matching = Math.round(total * share);
      // Each matching delivery costs the server milliseconds, so big fan-outs get fewer events.
      const events = FANOUT_EVENTS ?? Math.max(3, Math.min(SIZES.events, Math.ceil(20_000 / matching)));
      const row = await fanoutRun(ctx, url, submitter, total, matching, events);
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  const flat: FanoutRow[] = [];
  report.scenarios.fanoutNonMatching = flat;
  for (const nonMatching of SKIP_FLAT ? [] : SIZES.nonMatching) {
    const row = await fanoutRun(ctx, url, submitter, nonMatching + 10, 10, SIZES.events * 2);
    console.log(JSON.stringify(row));
    flat.push(row);
  }
}

// ---------------------------------------------------------------------------------------------
// Scenario 3: growth.

/** The hub's DEMAND_EXPIRY_DAYS in every bench server: an OPEN demand is younger than this. */
const DEMAND_EXPIRY_DAYS = 60;
/** Projects per demand in the growth data: 5,000 projects at 1,000,000 demands. */
const GROWTH_PROJECTS_PER_DEMAND = 1 / 200;

/**
 * A realistic OPEN window: demands arrive at a steady rate and expire after DEMAND_EXPIRY_DAYS, so a
 * larger history has more closed demands, not more OPEN ones. The generator keeps a fixed share of
 * its demands OPEN at any size; this keeps about `openTarget` of them OPEN (a hash of the id picks
 * which, so they stay spread over the window) and turns the others into what the sweep would have
 * made of a demand submitted DEMAND_EXPIRY_DAYS earlier: EXPIRED. The report rollups are then
 * recounted (`npm run reports:rebuild`) rather than folded from a delta per change.
 */
async function realisticOpenWindow(ctx: Ctx, url: string, db: pg.Pool, openTarget: number): Promise<number> {
  const { rows } = await db.query<{ open: number }>(
    `select count(*)::int as open from demand where status = 'OPEN'`,
  );
  const open = rows[0]?.open ?? 0;
  if (open > openTarget) {
    const keepPer1024 = Math.round((1024 * openTarget) / open);
    await db.query(
      `update demand set status = 'EXPIRED', created_at = created_at - make_interval(days => $1),
              expires_at = expires_at - make_interval(days => $1)
        where status = 'OPEN' and (hashint8(id) & 1023) >= $2`,
      [DEMAND_EXPIRY_DAYS, keepPer1024],
    );
    await run(process.execPath, ['--import', 'tsx', 'scripts/reports-rebuild.ts'], {
      cwd: REPO,
      env: { ...ctx.niudaiEnv, DATABASE_URL: url },
    });
  }
  const after = await db.query<{ open: number }>(
    `select count(*)::int as open from demand where status = 'OPEN'`,
  );
  return after.rows[0]?.open ?? 0;
}

async function scenario3(ctx: Ctx, report: Report): Promise<void> {
  say('scenario 3: growth');
  const url = await createDatabase(ctx, 'bench_growth');
  await generate(ctx, url, { organizations: SIZES.growthOrgs, workers: SIZES.users });
  const db = new pg.Pool({ connectionString: url, max: 4 });
  await db.query('analyze');
  const rows: Record<string, unknown>[] = [];
  let sampleKind: { category_code: string; region_code: string } | undefined;
  let openTarget: number | undefined;
  for (const size of SIZES.growth) {
    say(`growth: ${size} demands`);
    await generate(ctx, url, {
      organizations: SIZES.growthOrgs,
      workers: SIZES.users,
      demands: size,
      projects: Math.round(size * GROWTH_PROJECTS_PER_DEMAND),
    });
    // The OPEN demands of the smallest size are the steady state every larger history keeps.
    openTarget ??= (
      await db.query<{ open: number }>(`select count(*)::int as open from demand where status = 'OPEN'`)
    ).rows[0]?.open;
    const open = await realisticOpenWindow(ctx, url, db, openTarget ?? 0);
    say(`growth: ${size} demands, ${open} OPEN`);
    // A live hub expires its demands a few at a time and autovacuum follows (it starts once a fifth of
    // a table's rows are dead); the window above expired most of them in one statement. Left alone, that
    // table is vacuumed by autovacuum while the queries below are timed (its CPU counted as theirs),
    // and every index still holds the expired rows' old entries until then. VACUUM brings it to the
    // state a hub of this size is in.
    await db.query('vacuum analyze');
    const server = await startNiudai(ctx, url);
    try {
      const token = await signIn(server.url, BENCH_WORKER);
      const endpoint = `${server.url}/graphql`;
      // The 50th page: walk 49 pages of 20 once for its cursor, then time the page itself.
      let after: string | null = null;
      for (let page = 1; page < 50; page++) {
        const data: { demands: { pageInfo: { endCursor: string } } } = await gql(
          endpoint,
          `query($after: String) { demands(first: 20, after: $after) { pageInfo { endCursor } } }`,
          { after },
          token,
        );
        after = data.demands.pageInfo.endCursor;
      }
      // The same kind of demand at every size (its category and district decide how many
      // organizations are candidates), the newest of them.
      sampleKind ??= (
        await db.query<{ category_code: string; region_code: string }>(
          `select category_code, region_code from demand where status = 'OPEN' order by id desc limit 1`,
        )
      ).rows[0];
      const { rows: sample } = await db.query<{ id: string }>(
        `select id from demand where status = 'OPEN' and category_code = $1 and region_code = $2
         order by id desc limit 1`,
        [sampleKind?.category_code, sampleKind?.region_code],
      );
      const demandId = Buffer.from(`Demand:${sample[0]?.id}`).toString('base64url');
      const queries: Record<string, { query: string; variables?: Record<string, unknown> }> = {
        'feed first page (category + region + OPEN)': {
          query: `query { demands(first: 20, filter: { categoryCode: "LIFE", regionCode: "370100", statuses: [OPEN] }) { edges { node { id title urgency category { code } region { code } } } } }`,
        },
        'feed 50th page (keyset)': {
          query: `query($after: String) { demands(first: 20, after: $after) { edges { node { id title } } } }`,
          variables: { after },
        },
        'directory text search': {
          query: `query { organizations(first: 20, filter: { text: "济南市" }) { edges { node { id name } } } }`,
        },
        // Two Chinese characters (a whole word, and a common query) have no trigram to look up.
        'directory text search, 2 characters': {
          query: `query { organizations(first: 20, filter: { text: "托育" }) { edges { node { id name } } } }`,
        },
        matchingOrganizations: {
          query: `query($id: ID!) { matchingOrganizations(demandId: $id, first: 20) { edges { node { organization { id name } } } } }`,
          variables: { id: demandId },
        },
        'supplyDemandGap Jinan × LIFE': {
          query: `query { supplyDemandGap(regionCode: "370100", categoryCode: "LIFE") { cells { region { code } category { code } openDemands peopleAffected medianOpenAgeDays monthlyCapacity servingOrganizations gapScore } } }`,
        },
        'supplyDemandGap Shandong (top categories)': {
          query: `query { supplyDemandGap { cells { region { code } category { code } openDemands peopleAffected medianOpenAgeDays monthlyCapacity servingOrganizations gapScore } } }`,
        },
        // Every publisher, the whole province: the ledger over all projects of the data set.
        awardFairness: {
          query: `query { awardFairness { projects byFoundingType { foundingType applications awards winRate parityRatio moneyShare } publishers { projects singleApplicantRate herfindahlIndex } } }`,
        },
      };
      for (const [name, q] of Object.entries(queries)) {
        try {
          await gql(endpoint, q.query, q.variables ?? {}, token);
        } catch (error) {
          rows.push({ size, query: name, error: (error as Error).message.slice(0, 300) });
          continue;
        }
        const result = await load({
          target: name,
          url: endpoint,
          serverPid: server.pid,
          postmasterPid: ctx.postmaster,
          statements: ctx.statements,
          body: JSON.stringify(q),
          token,
          connections: 4,
          durationSeconds: SIZES.growthSeconds,
          maxRequests: MAX_REQUESTS,
        });
        console.log(size, JSON.stringify(result));
        rows.push({ size, query: name, ...result });
      }
    } finally {
      await server.stop();
    }
  }
  await db.end();
  report.scenarios.growth = rows;
}

// ---------------------------------------------------------------------------------------------
// Scenario 6: full open-data exports (HSDS bulk files, OCDS release and record packages).

async function scenario6(ctx: Ctx, report: Report): Promise<void> {
  say(
    `scenario 6: open data (${SIZES.openData.organizations} organizations, ${SIZES.openData.projects} projects)`,
  );
  const url = await createDatabase(ctx, 'bench_opendata');
  await generate(ctx, url, SIZES.openData);
  const db = new pg.Pool({ connectionString: url, max: 4 });
  await db.query('analyze');
  // The generator gives each organization its services; the report states how many that made.
  const counted = await db.query<{ services: number }>('select count(*)::int as services from service');
  const sizes = { ...SIZES.openData, services: counted.rows[0]?.services ?? 0 };
  const rows: Record<string, unknown>[] = [];
  const server = await startNiudai(ctx, url);
  try {
    // Each export twice: the first also warms the process (module code, JIT, connection pool).
    for (const round of ['cold', 'warm'])
      for (const exportPath of EXPORT_PATHS) {
        const row = { round, ...sizes, ...(await measureExport(server.url, server.pid, exportPath)) };
        console.log(JSON.stringify(row));
        rows.push(row);
      }
  } finally {
    await server.stop();
    await db.end();
  }
  report.scenarios.openData = rows;
}

// ---------------------------------------------------------------------------------------------
// Scenario 5: pgbench -S on the same server.

async function scenario5(ctx: Ctx, report: Report): Promise<void> {
  say('scenario 5: pgbench -S');
  await ctx.admin.query('drop database if exists bench_pgbench with (force)');
  await ctx.admin.query('create database bench_pgbench');
  const env = { PGPASSWORD: 'postgres' };
  const common = ['-h', '127.0.0.1', '-p', String(ctx.port), '-U', 'postgres'];
  await run('pgbench', ['-i', '-q', '-s', String(SIZES.pgbenchScale), ...common, 'bench_pgbench'], { env });
  const rows: Record<string, unknown>[] = [];
  for (const [label, extra] of [
    ['pgbench -S (simple protocol)', []],
    ['pgbench -S -M prepared', ['-M', 'prepared']],
  ] as const) {
    const out = await run(
      'pgbench',
      ['-S', ...extra, '-c', '16', '-j', '2', '-T', String(SIZES.pgbenchSeconds), ...common, 'bench_pgbench'],
      { env },
    );
    const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
    const latency = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
    rows.push({
      run: label,
      clients: 16,
      scale: SIZES.pgbenchScale,
      tps: round(tps, 0),
      latencyAvgMs: latency,
    });
    console.log(label, tps, latency);
  }
  report.scenarios.pgbench = rows;
}

// ---------------------------------------------------------------------------------------------
// Soak: Niudai alone under a sustained mix of reads and writes with thousands of live subscribers,
// counting errors, lost and duplicated events, latency, and its memory.

/** Options of the soak, from the command line. */
const SOAK = {
  subscribers: Number(argv.find((a) => a.startsWith('--subscribers='))?.slice(14) ?? 2_000),
  /** Of which this many follow Jinan (every submitted demand); the others Qingdao (none). */
  matching: Number(argv.find((a) => a.startsWith('--matching='))?.slice(11) ?? 500),
  /** submitDemand calls per second. */
  writeRate: Number(argv.find((a) => a.startsWith('--write-rate='))?.slice(13) ?? 5),
  /** Concurrent reader loops (the nested read, back to back). */
  readers: Number(argv.find((a) => a.startsWith('--readers='))?.slice(10) ?? 4),
};

/** What one soak request loop saw. */
interface SoakTally {
  latenciesMs: number[];
  requests: number;
  /** Network failures, non-200 answers and GraphQL errors, with the last one's text. */
  errors: number;
  lastError: string;
}

/** POSTs `body` and records its latency, or an error for anything but a clean 200 with data. */
async function soakRequest(url: string, token: string, body: string, tally: SoakTally): Promise<boolean> {
  const started = performance.now();
  tally.requests++;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    const text = await response.text();
    tally.latenciesMs.push(performance.now() - started);
    if (response.status === 200 && !text.startsWith('{"errors"') && !text.includes('"errors":[')) return true;
    tally.errors++;
    tally.lastError = `${response.status} ${text.slice(0, 300)}`;
  } catch (error) {
    tally.errors++;
    tally.lastError = String(error).slice(0, 300);
  }
  return false;
}

/** p50/p95/p99/max of a tally's latencies, in ms. */
function latencySummary(tally: SoakTally): Record<string, number> {
  const sorted = [...tally.latenciesMs].sort((a, b) => a - b);
  return {
    requests: tally.requests,
    errors: tally.errors,
    p50Ms: round(percentile(sorted, 50), 1),
    p95Ms: round(percentile(sorted, 95), 1),
    p99Ms: round(percentile(sorted, 99), 1),
    maxMs: round(sorted.at(-1) ?? NaN, 1),
  };
}

async function soakRun(ctx: Ctx, report: Report): Promise<void> {
  const { subscribers, matching, writeRate, readers } = SOAK;
  say(
    `soak: ${minutes} minutes, ${subscribers} subscribers (${matching} matching), ${writeRate} writes/s, ${readers} readers`,
  );
  const url = await createDatabase(ctx, 'bench_soak');
  await generate(ctx, url, { ...SMALL_WORLD, workers: SIZES.users });
  const db = new pg.Pool({ connectionString: url, max: 2 });
  // The subscribing organization serves LIFE across Shandong; filters then narrow by city.
  await db.query(
    `update organization set category_codes = '{LIFE}', region_codes = '{370000}' where id = $1`,
    [await showcaseOrganization(db)],
  );
  const submitter = Number(
    (await db.query<{ id: string }>('select id from app_user where email = $1', [BENCH_WORKER])).rows[0]?.id,
  );
  const server = await startNiudai(ctx, url);
  const procs: ClientProc[] = [];
  const timeline: Record<string, unknown>[] = [];
  try {
    const token = await signIn(server.url, BENCH_WORKER);
    const orgToken = await signIn(server.url, BENCH_ORG_ADMIN);
    const rssIdleMiB = round(processRssBytes(server.pid) / 2 ** 20, 1);

    // Subscribers: Jinan ones match every submitted demand (Lixia), Qingdao ones none.
    const filters = Array.from({ length: subscribers }, (_, i) => ({
      regionCode: i < matching ? '370100' : '370200',
    }));
    const halves = subscribers >= 2000 ? 2 : 1;
    for (let h = 0; h < halves; h++) procs.push(await startClients());
    const per = Math.ceil(subscribers / halves);
    const wsUrl = `${server.url.replace('http', 'ws')}/graphql`;
    procs.forEach((p, h) =>
      p.send({
        type: 'open',
        url: wsUrl,
        token: orgToken,
        filters: filters.slice(h * per, (h + 1) * per),
        perSocket: 20,
        tally: true,
      }),
    );
    for (const p of procs) {
      const opened = await p.next('opened');
      if (opened.connected !== opened.sockets) throw new Error(`soak: ${JSON.stringify(opened)}`);
    }
    const countOf = async (title: string) => {
      let n = 0;
      for (const p of procs) {
        p.send({ type: 'count', title });
        n += Number((await p.next('count')).n);
      }
      return n;
    };
    // Warm-up events in both cities until every subscription is live (they register after connecting).
    for (const [region, expected] of [
      ['370102', matching],
      ['370202', subscribers - matching],
    ] as const) {
      if (expected === 0) continue;
      let got = 0;
      const deadline = Date.now() + 120_000;
      for (let w = 0; got < expected && Date.now() < deadline; w++) {
        const title = `warm-${region}-${w}`;
        await publishDemand(db, title, region, submitter);
        const wait = Date.now() + Math.max(2_000, expected * 15);
        while ((got = await countOf(title)) < expected && Date.now() < wait) await sleep(20);
      }
      if (got < expected) throw new Error(`soak warm-up: ${got}/${expected} subscribers live`);
    }
    const mark = Number(
      (await db.query<{ id: string }>('select max(id) as id from demand')).rows[0]?.id ?? 0,
    );
    await sleep(1000);
    const rssStartMiB = round(processRssBytes(server.pid) / 2 ** 20, 1);
    console.log(JSON.stringify({ rssIdleMiB, rssStartMiB, subscribers, matching }));

    // The mix: reader loops back to back, and paced writes, for `minutes`.
    const endpoint = `${server.url}/graphql`;
    const reads: SoakTally = { latenciesMs: [], requests: 0, errors: 0, lastError: '' };
    const writes: SoakTally = { latenciesMs: [], requests: 0, errors: 0, lastError: '' };
    /** title → when its submitDemand answer arrived (wall clock, comparable with the clients'). */
    const submitted = new Map<string, number>();
    const started = Date.now();
    const end = started + minutes * 60_000;
    const readBody = JSON.stringify({ query: NESTED.niudai });
    const readerLoops = Array.from({ length: readers }, async () => {
      while (Date.now() < end && reads.requests < MAX_REQUESTS)
        await soakRequest(endpoint, token, readBody, reads);
    });
    const writerLoop = async () => {
      const interval = 1000 / writeRate;
      const inFlight = new Set<Promise<void>>();
      for (let n = 0; Date.now() < end && writes.requests < MAX_REQUESTS; n++) {
        const due = started + n * interval;
        if (due > Date.now()) await sleep(due - Date.now());
        // Paced by the clock, not by the answers: a slow server gets a queue, as it would in use.
        const body = submitBody('niudai', 1_000_000 + n, submitter);
        const title = (JSON.parse(body) as { variables: { input: { title: string } } }).variables.input.title;
        const request = soakRequest(endpoint, token, body, writes).then((ok) => {
          if (ok) submitted.set(title, performance.timeOrigin + performance.now());
        });
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
        while (inFlight.size >= 64) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    };
    const sampler = setInterval(() => {
      const sample = {
        minute: round((Date.now() - started) / 60_000, 1),
        reads: reads.requests,
        writes: writes.requests,
        errors: reads.errors + writes.errors,
        rssMiB: round(processRssBytes(server.pid) / 2 ** 20, 1),
      };
      console.log(JSON.stringify(sample));
      timeline.push(sample);
    }, 30_000);
    try {
      await Promise.all([...readerLoops, writerLoop()]);
    } finally {
      clearInterval(sampler);
    }
    const loadSeconds = (Date.now() - started) / 1000;

    // Every committed demand since the mark must reach each Jinan subscriber exactly once, and no Qingdao one.
    const { rows: committed } = await db.query<{ title: string }>(
      'select title from demand where id > $1 order by id',
      [mark],
    );
    const expectedDeliveries = committed.length * matching;
    const tallies = async () => {
      const merged = new Map<string, { once: number; duplicates: number }>();
      let subscriptionErrors = 0;
      let lastError = '';
      for (const p of procs) {
        p.send({ type: 'tally' });
        const reply = await p.next('tally');
        subscriptionErrors += Number(reply.errors);
        if (reply.lastError) lastError = String(reply.lastError);
        for (const [key, value] of reply.tally as [string, { once: number; duplicates: number }][]) {
          const entry = merged.get(key) ?? { once: 0, duplicates: 0 };
          entry.once += value.once;
          entry.duplicates += value.duplicates;
          merged.set(key, entry);
        }
      }
      return { merged, subscriptionErrors, lastError };
    };
    const delivered = (merged: Map<string, { once: number }>) =>
      committed.reduce(
        (sum, { title }) => sum + Math.min(matching, merged.get(`370100\t${title}`)?.once ?? 0),
        0,
      );
    let final = await tallies();
    const drainDeadline = Date.now() + 120_000;
    while (delivered(final.merged) < expectedDeliveries && Date.now() < drainDeadline) {
      await sleep(1000);
      final = await tallies();
    }
    await sleep(2000); // late duplicates, if any, arrive now
    final = await tallies();
    let lost = 0;
    let duplicated = 0;
    let leaked = 0;
    for (const { title } of committed) {
      const hit = final.merged.get(`370100\t${title}`) ?? { once: 0, duplicates: 0 };
      lost += Math.max(0, matching - hit.once);
      duplicated += hit.duplicates;
      leaked +=
        (final.merged.get(`370200\t${title}`)?.once ?? 0) +
        (final.merged.get(`370200\t${title}`)?.duplicates ?? 0);
    }
    const committedTitles = new Set(committed.map((c) => c.title));
    // A title a subscriber got that was never committed (or an answer that failed yet committed).
    const unknown = [...final.merged.keys()].filter((k) => {
      const title = k.split('\t')[1] ?? '';
      return !title.startsWith('warm-') && !committedTitles.has(title);
    }).length;
    const answeredNotCommitted = [...submitted.keys()].filter((t) => !committedTitles.has(t)).length;

    // Delivery latency: from the submitDemand answer to each receipt (commit precedes the answer).
    const receiptsAt: number[] = [];
    for (const p of procs) {
      p.send({ type: 'collect' });
      const reply = await p.next('receipts');
      for (const [title, times] of reply.receipts as [string, number[]][]) {
        const answered = submitted.get(title);
        if (answered !== undefined) for (const at of times) receiptsAt.push(at - answered);
      }
    }
    receiptsAt.sort((a, b) => a - b);
    const rssEndMiB = round(processRssBytes(server.pid) / 2 ** 20, 1);
    const serverLog = server
      .stderr()
      .split('\n')
      .filter((line) => /"level":(4|5|6)0/.test(line));
    const summary = {
      minutes,
      loadSeconds: round(loadSeconds, 0),
      subscribers,
      matchingSubscribers: matching,
      readers,
      writeRatePerSecond: writeRate,
      reads: latencySummary(reads),
      writes: latencySummary(writes),
      all: latencySummary({
        latenciesMs: [...reads.latenciesMs, ...writes.latenciesMs],
        requests: reads.requests + writes.requests,
        errors: reads.errors + writes.errors,
        lastError: '',
      }),
      readsPerSecond: round(reads.requests / loadSeconds, 1),
      writesPerSecond: round(writes.requests / loadSeconds, 1),
      httpErrors: reads.errors + writes.errors,
      lastHttpError: writes.lastError || reads.lastError,
      subscriptionErrors: final.subscriptionErrors,
      lastSubscriptionError: final.lastError,
      demandsCommitted: committed.length,
      answeredNotCommitted,
      expectedDeliveries,
      lostEvents: lost,
      duplicatedEvents: duplicated,
      leakedToNonMatching: leaked,
      unknownTitles: unknown,
      deliveryLatency: {
        deliveries: receiptsAt.length,
        p50Ms: round(percentile(receiptsAt, 50), 1),
        p95Ms: round(percentile(receiptsAt, 95), 1),
        p99Ms: round(percentile(receiptsAt, 99), 1),
        maxMs: round(receiptsAt.at(-1) ?? NaN, 1),
      },
      rssIdleMiB,
      rssStartMiB,
      rssEndMiB,
      serverWarningsOrErrors: serverLog.length,
      lastServerLogLine: serverLog.at(-1)?.slice(0, 500) ?? '',
    };
    console.log(JSON.stringify(summary, null, 2));
    report.scenarios.soakSummary = summary;
  } finally {
    for (const p of procs) await p.close();
    await db.end();
    await server.stop();
    report.scenarios.soak = timeline;
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'niudai-bench-'));
  chmodSync(scratch, 0o755); // as root, PostgreSQL runs as 'postgres', which must enter this folder
  const dataDir = path.join(scratch, 'pgdata');
  const server = await startEmbeddedPostgres(dataDir, log, undefined, {
    postgresFlags: [
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      '-c',
      'pg_stat_statements.track=top',
      '-c',
      'shared_buffers=1GB',
      '-c',
      'max_connections=300',
    ],
  });
  const admin = new pg.Pool({ connectionString: server.url('postgres'), max: 2 });
  const report: Report = {
    date: new Date().toISOString(),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    quick,
    machine: machine(),
    versions: {},
    settings: {},
    scenarios: {},
  };
  try {
    await admin.query('create extension if not exists pg_stat_statements');
    const ctx: Ctx = {
      admin,
      statements: new StatementCounter(admin, ''),
      port: server.port,
      postmaster: postmasterPid(dataDir),
      url: server.url,
      niudaiEnv: {
        NODE_ENV: 'production',
        JWT_SECRET: randomBytes(32).toString('base64url'),
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        DEMAND_SWEEP_INTERVAL_SECONDS: '0',
        DEMAND_EXPIRY_DAYS: String(DEMAND_EXPIRY_DAYS),
        RATE_MUTATIONS_POINTS: '0',
        RATE_SIGNIN_ACCOUNT_POINTS: '0',
        RATE_SIGNIN_ADDRESS_POINTS: '0',
        WS_MAX_SOCKETS_PER_USER: '10000',
      },
    };
    report.versions = await versions(ctx);
    report.settings = {
      sizes: SIZES,
      niudaiEnv: { ...ctx.niudaiEnv, JWT_SECRET: '(random)' },
      postgres: 'embedded, shared_buffers=1GB, pg_stat_statements',
    };
    const countIn = (database: string) => {
      ctx.statements = new StatementCounter(admin, database);
    };
    if (['1', '2', '2-lookup', '2-write'].some((s) => only.has(s))) {
      countIn('bench_main');
      await scenarios12(ctx, report);
    }
    if (only.has('workers')) {
      countIn('bench_workers');
      await scenarioWorkers(ctx, report);
    }
    if (only.has('notifications')) {
      countIn('bench_notify_rate');
      await scenarioNotifications(ctx, report, countIn);
    }
    if (only.has('5')) await scenario5(ctx, report);
    if (only.has('6')) {
      countIn('bench_opendata');
      await scenario6(ctx, report);
    }
    if (only.has('4')) {
      countIn('bench_fanout');
      await scenario4(ctx, report);
    }
    if (only.has('3')) {
      countIn('bench_growth');
      await scenario3(ctx, report);
    }
    if (only.has('soak')) {
      countIn('bench_soak');
      await soakRun(ctx, report);
    }
  } finally {
    report.durationSeconds = Math.round((Date.now() - started) / 1000);
    const results = path.join(BENCH, 'results');
    mkdirSync(path.join(results, 'raw'), { recursive: true });
    const json = JSON.stringify(report, null, 2) + '\n';
    const name = soak
      ? 'soak'
      : workersOnly
        ? 'workers'
        : notificationsOnly
          ? 'notifications'
          : quick
            ? 'quick'
            : 'latest';
    writeFileSync(path.join(results, `${name}.json`), json);
    writeFileSync(path.join(results, 'raw', `${report.date.replace(/[:.]/g, '-')}.json`), json);
    writeFileSync(path.join(results, `${name}.md`), renderReport(report));
    console.log(`\nwrote ${path.join(results, `${name}.md`)}`);
    await admin.end();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
