import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { ensureDatabase, withDatabase } from '../../../src/core/db/database-url.js';
import { makePostgresScratchDir, startEmbeddedPostgres } from '../../../src/core/db/embedded-postgres.js';
import { postgresUserIds, SHARED_STATE_ROOT } from '../../../src/core/db/embedded-postgres-loader.js';
import { TEMPLATE_DATABASE } from '../../setup/constants.js';
import { metricValue, until } from '../../setup/probes.js';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { connectOrm } from '../../../src/core/db/db.js';
import { loadConfig } from '../../../src/core/config.js';
import { createServices } from '../../../src/services.js';
import { Seed } from '../../setup/seed.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const scratch: string[] = [];
const running = new Set<ChildProcess>();
/** Embedded PostgreSQL servers of hubs under test: a hub killed by afterAll would leave its own behind. */
const postmasters = new Set<number>();

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  for (const pid of postmasters) if (isRunning(pid)) process.kill(pid, 'SIGQUIT');
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A folder the `postgres` user can enter (the tests may run as root). */
function tempDir(): string {
  const dir = makePostgresScratchDir('niudai-process-');
  scratch.push(dir);
  return dir;
}

interface Hub {
  child: ChildProcess;
  /** The GraphQL URL the process logged. */
  url: string;
  output: () => string;
}

/**
 * Runs `src/main.ts` as `npm start` does, in `cwd` (a checkout), and waits for the line announcing
 * its URL. `JWT_SECRET: ''` leaves the secret to the development default.
 */
async function startHub(env: Record<string, string>, timeoutMs = 60_000, cwd = ROOT): Promise<Hub> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      JWT_SECRET: 's'.repeat(40),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const look = () => {
      for (const line of out.split('\n')) {
        if (!line.includes('Niudai is serving')) continue;
        clearTimeout(timer);
        // The log says localhost for people; connect to the address it listens on.
        resolve((JSON.parse(line) as { url: string }).url.replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout?.on('data', look);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before serving:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

/** Sends SIGTERM and resolves with the exit code, failing after `timeoutMs`. */
function stopHub(hub: Hub, timeoutMs = 15_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (hub.child.exitCode !== null) return resolve(hub.child.exitCode);
    const timer = setTimeout(
      () => reject(new Error(`still running after SIGTERM:\n${hub.output()}`)),
      timeoutMs,
    );
    hub.child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    hub.child.kill('SIGTERM');
  });
}

async function gql(hub: Hub, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
}

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { viewer { displayName } } }`;

/** Signs up on the first run; the second run must still know the account. */
async function provesDataSurvive(first: Hub, startAgain: () => Promise<Hub>): Promise<void> {
  const input = { email: `restart-${randomUUID().slice(0, 8)}@example.cn`, password: 'secret-password' };
  const up = await gql(first, SIGN_UP, { input: { ...input, displayName: '重启' } });
  expect(up.errors).toBeUndefined();
  expect(await stopHub(first)).toBe(0);

  const second = await startAgain();
  try {
    const res = await gql(second, SIGN_IN, { input: { login: input.email, password: input.password } });
    expect(res.data).toEqual({ signIn: { viewer: { displayName: '重启' } } });
  } finally {
    expect(await stopHub(second)).toBe(0);
  }
}

/** PIDs of processes whose command line mentions `needle`. */
function processesMentioning(needle: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .filter((line) => line.includes(needle) && !line.includes('ps -eo'))
    .map((line) => line.trim().split(/\s+/)[0] ?? '');
}

describe('the process (npm start)', () => {
  // Two process starts, each loading the app through tsx: like its neighbours, more than the 30 s default.
  it('serves on an external DATABASE_URL, stops on SIGTERM with 0, and keeps data across restarts', async () => {
    const adminUrl = inject('adminDatabaseUrl');
    const database = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    await ensureDatabase(adminUrl, database, TEMPLATE_DATABASE);
    const env = { DATABASE_URL: withDatabase(adminUrl, database), DATA_DIR: tempDir() };
    const first = await startHub(env);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(first.url).not.toMatch(/:0\//);
    const health = await fetch(first.url.replace('/graphql', '/readyz'));
    expect(health.status).toBe(200);
    await provesDataSurvive(first, () => startHub(env));
  }, 120_000);

  it('starts its own PostgreSQL without DATABASE_URL, stops it on SIGTERM, and keeps data', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir };
    const first = await startHub(env, 120_000);
    expect(first.output()).toContain('embedded PostgreSQL started');
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0);
    await provesDataSurvive(first, async () => {
      // Stopped with the hub: nothing is left running on its data directory.
      expect(processesMentioning(dataDir)).toEqual([]);
      return startHub(env, 120_000);
    });
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 240_000);
});

/** The process id in the first line of a running cluster's postmaster.pid. */
function postmasterPid(pgdata: string): number {
  return Number(readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const isRoot = userInfo().uid === 0;
if (!isRoot) {
  console.warn(
    'process.test.ts: skipping "a newcomer as root": it needs root (the embedded PostgreSQL then runs as the postgres user)',
  );
}

/** The `dataDir` of the hub's "data directory" log line, if it wrote one. */
function loggedDataDir(hub: Hub): string | undefined {
  for (const line of hub.output().split('\n')) {
    if (!line.includes('"data directory: ')) continue;
    return (JSON.parse(line) as { dataDir: string }).dataDir;
  }
  return undefined;
}

describe('a newcomer as root, in a clone only root can enter (npm ci && npm start)', () => {
  it.runIf(isRoot)(
    'keeps the data under /var/lib/niudai, says where, finds it again after a restart and stops cleanly',
    async () => {
      // A copy of this checkout inside a fresh 0700 folder, as `git clone` into /root or `mktemp -d` gives.
      const parent = mkdtempSync(path.join(tmpdir(), 'niudai-newcomer-'));
      chmodSync(parent, 0o700);
      scratch.push(parent);
      const checkout = path.join(parent, 'niudai');
      cpSync(ROOT, checkout, {
        recursive: true,
        filter: (from) => !/(^|\/)(node_modules|\.git|\.data)$/.test(path.relative(ROOT, from)),
      });
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
      const hash = createHash('sha256').update(checkout).digest('hex').slice(0, 10);
      const expected = path.join(SHARED_STATE_ROOT, `niudai-${hash}`);
      const sharedRootExisted = existsSync(SHARED_STATE_ROOT);
      expect(existsSync(expected)).toBe(false);
      try {
        // An explicit DATA_DIR the postgres user cannot reach is still refused, with what to do.
        await expect(startHub({ DATA_DIR: path.join(parent, 'data') }, 60_000, checkout)).rejects.toThrow(
          /cannot enter .* \(mode 700\).*chmod o\+x/,
        );

        const first = await startHub({ JWT_SECRET: '' }, 120_000, checkout);
        expect(loggedDataDir(first)).toBe(expected);
        expect(first.output()).toContain(`cannot enter ${parent}, mode 700`);
        expect((await fetch(first.url.replace('/graphql', '/readyz'))).status).toBe(200);
        const input = { email: `newcomer-${hash}@example.cn`, password: 'secret-password' };
        const up = await gql(first, SIGN_UP, { input: { ...input, displayName: '新人' } });
        expect(up.errors).toBeUndefined();
        expect(up.data).toMatchObject({ signUp: { token: expect.any(String) } });

        // Root-owned, passable but not listable by others; the cluster is the postgres user's; the
        // development secret private; nothing written into the checkout.
        expect(statSync(expected)).toMatchObject({ uid: 0 });
        expect(statSync(expected).mode & 0o777).toBe(0o711);
        expect(statSync(SHARED_STATE_ROOT).mode & 0o022).toBe(0);
        const secret = statSync(path.join(expected, 'jwt-secret'));
        expect({ uid: secret.uid, mode: secret.mode & 0o777 }).toEqual({ uid: 0, mode: 0o600 });
        expect(statSync(path.join(expected, 'postgres')).uid).toBe(postgresUserIds()?.uid);
        expect(existsSync(path.join(checkout, '.data'))).toBe(false);

        const postmaster = postmasterPid(path.join(expected, 'postgres'));
        postmasters.add(postmaster);
        expect(isRunning(postmaster)).toBe(true);
        expect(await stopHub(first)).toBe(0);
        expect(isRunning(postmaster)).toBe(false);

        const second = await startHub({ JWT_SECRET: '' }, 120_000, checkout);
        try {
          expect(loggedDataDir(second)).toBe(expected);
          const res = await gql(second, SIGN_IN, { input: { login: input.email, password: input.password } });
          expect(res.data).toEqual({ signIn: { viewer: { displayName: '新人' } } });
        } finally {
          expect(await stopHub(second)).toBe(0);
        }
        expect(processesMentioning(expected)).toEqual([]);
      } finally {
        rmSync(expected, { recursive: true, force: true });
        // Only if this test made it and nothing else has been put there since.
        if (
          !sharedRootExisted &&
          existsSync(SHARED_STATE_ROOT) &&
          readdirSync(SHARED_STATE_ROOT).length === 0
        )
          rmdirSync(SHARED_STATE_ROOT);
      }
    },
    300_000,
  );
});
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
        const adminUrl = inject('adminDatabaseUrl');
        const database = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
        await ensureDatabase(adminUrl, database, TEMPLATE_DATABASE);
        databaseUrl = withDatabase(adminUrl, database);
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

/** One HTTP exchange on a connection of `agent` (a fresh one each time without it). */
function httpRequest(
  url: string,
  options: {
    agent?: Agent;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<{ status: number; worker: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent: options.agent ?? false, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, worker: res.headers['x-niudai-worker'] as string, body }),
        );
      },
    );
    req.on('error', reject);
    // A hub that accepts and never answers fails the test here, naming the request.
    const timeoutMs = options.timeoutMs ?? 15_000;
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${url} within ${timeoutMs} ms`)));
    req.end(options.body);
  });
}

/** The pid each worker slot logged last ("worker serving"). */
function workerPids(hub: Hub): Map<number, number> {
  const pids = new Map<number, number>();
  for (const line of hub.output().split('\n')) {
    if (!line.includes('"worker serving"')) continue;
    const { worker, pid } = JSON.parse(line) as { worker: number; pid: number };
    pids.set(worker, pid);
  }
  return pids;
}

const PUBLISHED = `subscription { demandPublished { demand { id } } }`;

describe('WORKERS=2 (node:cluster)', () => {
  it('serves from both workers, relays across them, answers /readyz and /metrics for all, restarts a crashed worker and stops on SIGTERM with 0', async () => {
    const adminUrl = inject('adminDatabaseUrl');
    const database = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    await ensureDatabase(adminUrl, database, TEMPLATE_DATABASE);
    const databaseUrl = withDatabase(adminUrl, database);
    const jwtSecret = 's'.repeat(40);
    // A failure (a timeout included) names the step it stopped at and what the hub printed.
    let step = 'start';
    let printed = () => '';
    onTestFailed(() => console.error(`WORKERS=2 test stopped at: ${step}\n${printed()}`));
    const hub = await startHub({ DATABASE_URL: databaseUrl, DATA_DIR: tempDir(), WORKERS: '2' });
    printed = hub.output;
    const base = hub.url.replace('/graphql', '');
    const orm = await connectOrm(databaseUrl);
    const clients: Client[] = [];
    try {
      // Fresh connections are handed out in turn: both workers answer.
      step = 'both workers answer';
      const seen = new Set<string | undefined>();
      for (let i = 0; i < 20 && seen.size < 2; i++) seen.add((await httpRequest(`${base}/healthz`)).worker);
      expect([...seen].sort()).toEqual(['1', '2']);
      const ready = await httpRequest(`${base}/readyz`);
      expect({ status: ready.status, body: JSON.parse(ready.body) }).toEqual({
        status: 200,
        body: { status: 'ready', workers: 2 },
      });

      // A subscriber on one worker, a demand submitted through the other.
      step = 'subscribe and submit';
      const seed = new Seed(orm, createServices(loadConfig({ NODE_ENV: 'test', JWT_SECRET: jwtSecret })));
      const submitter = await seed.worker();
      const matching = await seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
      let subscriberWorker: string | undefined;
      class WorkerRecordingSocket extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols);
          this.once('upgrade', (res) => (subscriberWorker = res.headers['x-niudai-worker'] as string));
        }
      }
      const client = createClient({
        url: hub.url.replace('http', 'ws'),
        webSocketImpl: WorkerRecordingSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${matching.token}` },
      });
      clients.push(client);
      const received: string[] = [];
      client.subscribe<{ demandPublished: { demand: { id: string } } }>(
        { query: PUBLISHED },
        {
          next: (value) => void received.push(value.data?.demandPublished.demand.id ?? 'error'),
          error: () => received.push('error'),
          complete: () => {},
        },
      );
      await until(async () => (await metricValue(base, 'niudai_subscriptions_active')) === 1, 20_000);
      expect(subscriberWorker).toMatch(/^[12]$/);
      // A kept-alive connection on the other worker.
      step = 'connection to the other worker';
      let agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (
        let i = 0;
        i < 20 && (await httpRequest(`${base}/healthz`, { agent })).worker === subscriberWorker;
        i++
      ) {
        agent.destroy();
        agent = new Agent({ keepAlive: true, maxSockets: 1 });
      }
      const submitted = await httpRequest(hub.url, {
        agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${submitter.token}` },
        body: JSON.stringify({
          query: SUBMIT_DEMAND,
          variables: {
            input: {
              title: '跨进程',
              description: '集群转发',
              categoryCode: 'LIFE.CHILDCARE',
              regionCode: '370102',
            },
          },
        }),
      });
      agent.destroy();
      expect(submitted.worker).not.toBe(subscriberWorker);
      const demandId = (JSON.parse(submitted.body) as { data: { submitDemand: { demand: { id: string } } } })
        .data.submitDemand.demand.id;
      await until(async () => received.length > 0, 10_000);
      expect(received).toEqual([demandId]);

      // /metrics sums the workers: both relays read the event, and each worker's requests are there.
      step = 'metrics';
      await until(async () => (await metricValue(base, 'niudai_events_relayed_total')) >= 2);
      expect(await metricValue(base, 'niudai_worker_http_requests_total', { worker: '1' })).toBeGreaterThan(
        0,
      );
      expect(await metricValue(base, 'niudai_worker_http_requests_total', { worker: '2' })).toBeGreaterThan(
        0,
      );
      expect(await metricValue(base, 'niudai_events_relay_connected')).toBe(1);

      // One set of background jobs: the sweep and the webhook worker run on worker 1 only.
      step = 'background jobs';
      const roles = hub
        .output()
        .split('\n')
        .filter((line) => line.includes('"worker serving"'))
        .map((line) => JSON.parse(line) as { worker: number; backgroundJobs: boolean })
        .map(({ worker, backgroundJobs }) => [worker, backgroundJobs]);
      expect(new Map(roles as [number, boolean][])).toEqual(
        new Map([
          [1, true],
          [2, false],
        ]),
      );

      // A worker killed is replaced; until then the cluster is not ready.
      step = 'worker restart';
      const before = workerPids(hub);
      const victim = before.get(2);
      expect(victim).toBeGreaterThan(0);
      process.kill(victim!, 'SIGKILL');
      // A connection the primary hands to the worker in the instant it dies is lost with it
      // (docs/operations.md, "A worker crashes"): probe once the primary has seen the exit, and count
      // a request that gets no answer as 0, as a client's timeout would.
      await until(async () => hub.output().includes('"worker exited; starting a new one"'));
      const readyStatus = () =>
        httpRequest(`${base}/readyz`, { timeoutMs: 2_000 }).then(
          (res) => res.status,
          () => 0,
        );
      await until(async () => (await readyStatus()) === 503, 20_000);
      await until(async () => (await readyStatus()) === 200, 60_000, 200);
      expect(workerPids(hub).get(2)).not.toBe(victim);
      expect(isRunning(before.get(1)!)).toBe(true);

      step = 'stop';
      await client.dispose();
      const pids = [...workerPids(hub).values()];
      expect(await stopHub(hub)).toBe(0);
      for (const pid of pids) expect(isRunning(pid)).toBe(false);
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
      await orm.close();
    }
  }, 180_000);

  it('starts one embedded PostgreSQL for all workers and stops it after them on SIGTERM', async () => {
    const dataDir = tempDir();
    const hub = await startHub({ DATA_DIR: dataDir, WORKERS: '2' }, 120_000);
    expect(hub.output().match(/embedded PostgreSQL started/g)).toHaveLength(1);
    const base = hub.url.replace('/graphql', '');
    expect((await httpRequest(`${base}/readyz`)).status).toBe(200);
    const up = await gql(hub, SIGN_UP, {
      input: {
        email: `cluster-${randomUUID().slice(0, 8)}@example.cn`,
        password: 'secret-password',
        displayName: '集群',
      },
    });
    expect(up.errors).toBeUndefined();
    const postmaster = postmasterPid(path.join(dataDir, 'postgres'));
    postmasters.add(postmaster);
    const workers = [...workerPids(hub).values()];
    expect(workers).toHaveLength(2);
    expect(await stopHub(hub)).toBe(0);
    for (const pid of [...workers, postmaster]) expect(isRunning(pid)).toBe(false);
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 240_000);
});
