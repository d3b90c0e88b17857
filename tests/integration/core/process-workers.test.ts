import { Agent } from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { metricValue, until } from '../../setup/probes.js';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { connectOrm } from '../../../src/core/db/db.js';
import { loadConfig } from '../../../src/core/config.js';
import { createServices } from '../../../src/services.js';
import { Seed } from '../../setup/seed.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';
import {
  type Hub,
  SIGN_UP,
  gql,
  httpRequest,
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
    const databaseUrl = await scratchDatabase();
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
