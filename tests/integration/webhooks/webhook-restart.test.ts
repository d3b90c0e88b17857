import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ref } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { until } from '../../setup/probes.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/core/config.js';
import { connectOrm } from '../../../src/core/db/db.js';
import { emitEvent, Topic } from '../../../src/core/events/outbox.js';
import { createSchema } from '../../../src/schema.js';
import { ServiceCategory } from '../../../src/modules/categories/service-category.entity.js';
import { Region } from '../../../src/modules/regions/region.entity.js';
import { User } from '../../../src/modules/accounts/user.entity.js';
import { Demand } from '../../../src/modules/demands/demand.entity.js';
import { DemandSource } from '../../../src/modules/demands/demand.enums.js';
import { WebhookDelivery } from '../../../src/modules/webhooks/webhook.entity.js';
import { DeliveryStatus } from '../../../src/modules/webhooks/webhook.enums.js';
import { register, startReceiver, submitDemand, WEBHOOK_ENV, type Receiver } from './helpers.js';

/** Another hub process (in this test process) on the same database. */
interface Hub {
  app: App;
  orm: MikroORM;
  url: string;
  stop(): Promise<void>;
}

let t: TestApp;
let worker: SeededUser;
let org: SeededOrganization;
const hubs: Hub[] = [];
const receivers: Receiver[] = [];
/** A slower first retry, so the hub can be stopped between the failed attempt and the retry. */
const env = {
  ...WEBHOOK_ENV,
  WEBHOOK_RETRY_BASE_MS: '1500',
  // One secret for every hub, so tokens issued by one are valid on the others.
  JWT_SECRET: randomBytes(32).toString('base64url'),
};
/** Whether the first hub (the test app) was stopped by a test. */
let firstStopped = false;

async function startHub(): Promise<Hub> {
  const databaseUrl = t.databaseUrl;
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, HOST: '127.0.0.1', ...env });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const orm = await connectOrm(databaseUrl, log);
  const app = await createApp({ config, orm, log, schema: await createSchema() });
  const url = await app.listen(0, '127.0.0.1');
  let stopped = false;
  const hub: Hub = {
    app,
    orm,
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop();
      await orm.close();
    },
  };
  hubs.push(hub);
  return hub;
}

/** Writes a demand and its event straight to the database, as a hub would, while none runs. */
async function insertDemandWithoutHub(orm: MikroORM): Promise<void> {
  await orm.em.fork().transactional(async (em) => {
    const category = await em.findOneOrFail(ServiceCategory, { code: 'LIFE.CHILDCARE' });
    const region = await em.findOneOrFail(Region, { code: '370102' });
    const demand = em.create(Demand, {
      title: 'written while no hub ran',
      description: 'offline',
      category: ref(category),
      categoryPath: category.path,
      region: ref(region),
      regionPath: region.path,
      targetGroups: [],
      peopleAffected: 1,
      source: DemandSource.WORKER,
      submittedBy: ref(em.getReference(User, worker.user.id)),
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    await em.flush();
    await emitEvent(em, {
      topic: Topic.DEMAND_PUBLISHED,
      entityId: demand.id,
      categoryPath: demand.categoryPath,
      regionPath: demand.regionPath,
      targetGroups: demand.targetGroups,
    });
  });
}

beforeAll(async () => {
  t = await startTestApp(env);
  worker = await t.seed.worker();
  org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
});

afterAll(async () => {
  for (const hub of hubs) await hub.stop();
  if (firstStopped) await t?.orm.close();
  else await t?.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

describe('webhook deliveries across restarts and processes', () => {
  it('loses nothing when the hub stops between attempts: a new hub on the same database delivers', async () => {
    const hook = await startReceiver();
    receivers.push(hook);
    hook.respond = [503];
    await register(t, org.token, org.organization.globalId(), `${hook.url}/restart`);
    await submitDemand(t, worker.token);
    const [failed] = await hook.waitFor(1);
    expect(failed!.status).toBe(503);
    await t.app.stop(); // the hub goes away with the retry pending in the database
    firstStopped = true;

    const offline = await connectOrm(t.databaseUrl, pino({ level: 'silent' }));
    try {
      const pending = await offline.em.fork().find(WebhookDelivery, {});
      expect(pending.map((d) => d.status)).toEqual([DeliveryStatus.PENDING]);
      await insertDemandWithoutHub(offline);
    } finally {
      await offline.close();
    }
    // No hub runs: nothing can have been sent meanwhile.
    expect(hook.received).toHaveLength(1);

    const next = await startHub();
    const got = await hook.waitFor(3, 15_000);
    const retried = got
      .slice(1)
      .find((r) => r.headers['x-niudai-event-id'] === failed!.headers['x-niudai-event-id']);
    expect(retried?.body).toBe(failed!.body);
    const offlineEvent = got.slice(1).find((r) => r !== retried);
    expect(offlineEvent?.body).toContain('written while no hub ran');
    expect(Number(offlineEvent?.headers['x-niudai-event-id'])).toBeGreaterThan(
      Number(failed!.headers['x-niudai-event-id']),
    );
    // Both deliveries final: a send is claimed (its attempt counted) before it goes out, and received
    // before it is marked delivered, so nothing more will come and everything sent has arrived.
    let deliveries: WebhookDelivery[] = [];
    await until(
      async () =>
        (deliveries = await next.orm.em
          .fork()
          .find(WebhookDelivery, {}, { orderBy: { eventSeq: 'asc' } })).every(
          (d) => d.status === DeliveryStatus.DELIVERED,
        ),
      10_000,
      25,
      'both deliveries final',
    );
    expect(hook.received).toHaveLength(3);
    expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([
      [DeliveryStatus.DELIVERED, 2],
      [DeliveryStatus.DELIVERED, 1],
    ]);
  });

  it('never sends an event twice when several hubs share the work', async () => {
    const a = hubs[0] ?? (await startHub());
    const b = await startHub();
    const hook = await startReceiver();
    receivers.push(hook);
    const other = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    // The seed wrote through the first app's ORM, which is closed now: register through hub a.
    const response = await fetch(`${a.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${other.token}` },
      body: JSON.stringify({
        query: `mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret } }`,
        variables: {
          input: {
            organizationId: other.organization.globalId(),
            url: `${hook.url}/shared`,
            topics: ['DEMAND_PUBLISHED'],
          },
        },
      }),
    });
    expect(response.status).toBe(200);
    // Hub b is told of the endpoint as a cluster's other process is (without waiting for its poll);
    // events then wake both.
    b.app.webhookRegistered();
    const count = 12;
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        submitDemand(t, worker.token, `${(i % 2 ? a : b).url}/graphql`),
      ),
    );
    const got = await hook.waitFor(count, 15_000, '/shared');
    // Every delivery to the endpoint final, each after one attempt: a second send would have been
    // claimed (counted) first, and everything sent was received before it was marked delivered.
    const endpointDeliveries = () =>
      a.orm.em.fork().find(WebhookDelivery, { endpoint: { url: `${hook.url}/shared` } });
    await until(
      async () =>
        (await endpointDeliveries()).filter((d) => d.status === DeliveryStatus.DELIVERED).length === count,
      15_000,
      25,
      'every shared delivery final',
    );
    expect((await endpointDeliveries()).map((d) => d.attempts)).toEqual(Array(count).fill(1));
    const ids = hook.received.filter((r) => r.path === '/shared').map((r) => r.headers['x-niudai-event-id']);
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    expect(got).toHaveLength(count);
  });
});
