import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ref } from '@mikro-orm/core';
import { Organization } from '../../../src/modules/organizations/organization.entity.js';
import { VerificationStatus } from '../../../src/modules/organizations/organization.enums.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { spawnServer, type ServerProcess } from '../../setup/server-process-client.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { emitEvent, emitEvents, Topic, type OutboxEvent } from '../../../src/core/events/outbox.js';
import { HubEvent } from '../../../src/core/events/event.entity.js';
import { RELAY_APPLICATION_NAME } from '../../../src/core/events/relay.js';
import { SubscriberStream, DEFAULT_BUFFER_SIZE } from '../../../src/core/events/subscriber-stream.js';
import { Demand } from '../../../src/modules/demands/demand.entity.js';
import { DemandSource } from '../../../src/modules/demands/demand.enums.js';
import { ServiceCategory } from '../../../src/modules/categories/service-category.entity.js';
import { Region } from '../../../src/modules/regions/region.entity.js';
import { User } from '../../../src/modules/accounts/user.entity.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { record, wsClient } from './feed-client.js';
import { subscriptionsReach } from '../../setup/probes.js';
import type { Client } from 'graphql-ws';
import { demandInput, SUBMIT_DEMAND } from '../../setup/operations.js';

let t: TestApp;
let worker: SeededUser;
/** Serves LIFE in Jinan for female workers: the demands below match it. */
let matching: SeededOrganization;
const clients: Client[] = [];
const servers: ServerProcess[] = [];
const env = { JWT_SECRET: randomBytes(32).toString('base64url') };

function client(token: string, wsUrl = t.wsUrl, onSocket?: Parameters<typeof wsClient>[2]): Client {
  const c = wsClient(wsUrl, token, onSocket);
  clients.push(c);
  return c;
}

let serial = 0;
/** Submits a demand over HTTP as the worker (LIFE.CHILDCARE in Lixia, Jinan, for female workers). */
async function submit(
  overrides: Record<string, unknown> = {},
  url = t.httpUrl,
): Promise<{ id: string; title: string }> {
  serial += 1;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${worker.token}` },
    body: JSON.stringify({
      query: SUBMIT_DEMAND,
      variables: {
        input: demandInput({
          title: `托育需求 ${serial} ${randomBytes(4).toString('hex')}`,
          targetGroups: [TargetGroup.FEMALE_WORKERS],
          ...overrides,
        }),
      },
    }),
  });
  const body = (await response.json()) as {
    data?: { submitDemand: { demand: { id: string; title: string } } };
    errors?: unknown;
  };
  if (!body.data) throw new Error(`submitDemand failed: ${JSON.stringify(body.errors)}`);
  return body.data.submitDemand.demand;
}

/**
 * Inserts demands straight through the ORM, without events: nothing reaches a subscriber until
 * {@link publishBurst} writes their events.
 */
async function insertDemands(count: number): Promise<OutboxEvent[]> {
  const em = t.orm.em.fork();
  const category = await em.findOneOrFail(ServiceCategory, { code: 'LIFE.CHILDCARE' });
  const region = await em.findOneOrFail(Region, { code: '370102' });
  const demands = Array.from({ length: count }, (_, i) =>
    em.create(Demand, {
      title: `burst ${i}`,
      description: 'burst',
      category: ref(category),
      categoryPath: category.path,
      region: ref(region),
      regionPath: region.path,
      targetGroups: [TargetGroup.FEMALE_WORKERS],
      peopleAffected: 1,
      source: DemandSource.WORKER,
      submittedBy: ref(em.getReference(User, worker.user.id)),
      expiresAt: new Date(Date.now() + 86_400_000),
    }),
  );
  await em.flush();
  return demands.map((demand) => ({
    topic: Topic.DEMAND_PUBLISHED,
    entityId: demand.id,
    categoryPath: demand.categoryPath,
    regionPath: demand.regionPath,
    targetGroups: demand.targetGroups,
  }));
}

/** Publishes the events of a burst in one statement and one commit. */
async function publishBurst(events: readonly OutboxEvent[]): Promise<void> {
  await t.orm.em.fork().transactional((em) => emitEvents(em, events));
}

// Only this topic: other work of earlier tests (notifications, …) may still be adding events of its own.
const eventCount = () => t.orm.em.fork().count(HubEvent, { topic: Topic.DEMAND_PUBLISHED });

beforeAll(async () => {
  t = await startTestApp(env);
  worker = await t.seed.worker();
  matching = await t.seed.organization({
    categoryCodes: ['LIFE'],
    regionCodes: ['370100'],
    targetGroups: [TargetGroup.FEMALE_WORKERS],
  });
});

// Each test counts the subscriptions it opens; the previous test's must be gone by then.
afterEach(() => subscriptionsReach(t, 0));

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await Promise.all(servers.map((s) => s.kill()));
  await t?.stop();
});

describe('demandPublished', () => {
  it('pushes a new demand only to organizations that serve its category, region and target group', async () => {
    const otherCategory = await t.seed.organization({ categoryCodes: ['CULTURE'], regionCodes: ['370100'] });
    const otherRegion = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370200'] });
    const otherGroup = await t.seed.organization({
      categoryCodes: ['LIFE'],
      regionCodes: ['370100'],
      targetGroups: [TargetGroup.MIGRANT_WORKERS],
    });
    const hit = record(client(matching.token));
    const misses = [otherCategory, otherRegion, otherGroup].map((o) => record(client(o.token)));
    await subscriptionsReach(t, 4);
    const demand = await submit();
    const [event] = await hit.waitFor(1);
    expect(event?.demand.id).toBe(demand.id);
    // After it, one demand each of the others serves: each must see its own first, not the one above.
    const sentinels = [
      await submit({ categoryCode: 'CULTURE.VOLUNTEERING' }),
      await submit({ regionCode: '370202' }),
      await submit({ targetGroups: [TargetGroup.MIGRANT_WORKERS] }),
    ];
    for (const [i, miss] of misses.entries())
      expect((await miss.waitFor(1))[0]?.demand.id).toBe(sentinels[i]?.id);
    hit.stop();
    misses.forEach((m) => m.stop());
  });

  it('is FORBIDDEN to someone who is not a member of a verified organization', async () => {
    const pending = await t.seed.organization({ verified: false });
    for (const token of [worker.token, pending.token]) {
      const error = await record(client(token)).failed();
      expect(JSON.stringify(error)).toContain('FORBIDDEN');
    }
  });

  it('replays exactly the missed demands in order after a reconnect, then goes live', async () => {
    const first = record(client(matching.token));
    await subscriptionsReach(t, 1);
    await submit();
    const [seen] = await first.waitFor(1);
    first.stop();
    const missed = [];
    for (let i = 0; i < 5; i += 1) missed.push(await submit());
    const again = record(client(matching.token), { after: seen?.cursor });
    const replayed = await again.waitFor(5);
    expect(replayed.map((e) => e.demand.id)).toEqual(missed.map((d) => d.id));
    const live = await submit();
    const all = await again.waitFor(6);
    expect(all[5]?.demand.id).toBe(live.id);
    // Nothing pushed twice: the next demand is the 7th event.
    const sentinel = await submit();
    expect((await again.waitFor(7))[6]?.demand.id).toBe(sentinel.id);
    expect(again.events).toHaveLength(7);
    const cursors = again.events.map((e) => Number(e.cursor));
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    again.stop();
  });

  it('publishes nothing for a submission that fails or rolls back', async () => {
    const sub = record(client(matching.token));
    await subscriptionsReach(t, 1);
    const before = await eventCount();
    await expect(submit({ categoryCode: 'NO.SUCH' })).rejects.toThrow(/BAD_USER_INPUT|category/i);
    await expect(
      t.orm.em.fork().transactional(async (em) => {
        await emitEvent(em, {
          topic: Topic.DEMAND_PUBLISHED,
          entityId: 999_999,
          categoryPath: ['LIFE'],
          regionPath: ['370000', '370100'],
          targetGroups: [],
        });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await t.app.services.events.activeRelay?.catchUp();
    expect(await eventCount()).toBe(before);
    // Anything published for the failures would come before this one.
    const sentinel = await submit();
    expect((await sub.waitFor(1))[0]?.demand.id).toBe(sentinel.id);
    sub.stop();
  });

  it('stops pushing to an organization suspended while its subscription is open', async () => {
    // Its admin is no worker, so once the organization is suspended it may read no OPEN demand.
    const admin = await t.seed.user([]);
    const org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'], admin });
    const sub = record(client(org.token));
    const witness = record(client(matching.token));
    await subscriptionsReach(t, 2);
    const before = await submit();
    expect((await sub.waitFor(1))[0]?.demand.id).toBe(before.id);
    await t.orm.em
      .fork()
      .nativeUpdate(
        Organization,
        { id: org.organization.id },
        { verificationStatus: VerificationStatus.SUSPENDED },
      );
    const after = await submit();
    const byQuery = await t.gql(`query Q($id: ID!) { demand(id: $id) { id } }`, { id: after.id }, org.token);
    expect(byQuery.body.data?.demand ?? null).toBeNull();
    // Once another subscriber has it, it has been dispatched; verified again, the organization's
    // feed delivers the next demand, and in order, so `after` would have come before it.
    expect((await witness.waitFor(2))[1]?.demand.id).toBe(after.id);
    await t.orm.em
      .fork()
      .nativeUpdate(
        Organization,
        { id: org.organization.id },
        { verificationStatus: VerificationStatus.VERIFIED },
      );
    const sentinel = await submit();
    await sub.waitFor(2);
    expect(sub.events.map((e) => e.demand.id)).toEqual([before.id, sentinel.id]);
    witness.stop();
    sub.stop();
  });

  it('never pushes a demand the subscriber could not read by query', async () => {
    const sub = record(client(matching.token));
    await subscriptionsReach(t, 1);
    const start = await submit();
    const [mark] = await sub.waitFor(1);
    sub.stop();
    const withdrawn = await submit();
    const WITHDRAW = `mutation W($input: WithdrawDemandInput!) { withdrawDemand(input: $input) { demand { id status } } }`;
    await t.data(WITHDRAW, { input: { demandId: withdrawn.id } }, worker.token);
    const visible = await submit();
    const replay = record(client(matching.token), { after: mark?.cursor });
    const [first] = await replay.waitFor(1);
    // Replayed in order, so the withdrawn demand (submitted before it) would have come first.
    expect(first?.demand.id).toBe(visible.id);
    expect(replay.events.map((e) => e.demand.id)).not.toContain(withdrawn.id);
    expect(start.id).not.toBe(visible.id);
    const byQuery = await t.gql(
      `query Q($id: ID!) { demand(id: $id) { id } }`,
      { id: withdrawn.id },
      matching.token,
    );
    expect(byQuery.body.data?.demand ?? null).toBeNull();
    replay.stop();
  });

  it('reconnects the relay when its LISTEN connection is killed, and catches up', async () => {
    const sub = record(client(matching.token));
    await subscriptionsReach(t, 1);
    const killed = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ pid: number }[]>(
        'select pg_terminate_backend(pid) as pid from pg_stat_activity where application_name = ? and datname = current_database()',
        [RELAY_APPLICATION_NAME],
      );
    expect(killed.length).toBeGreaterThan(0);
    const demand = await submit();
    const [event] = await sub.waitFor(1, 10_000);
    expect(event?.demand.id).toBe(demand.id);
    expect(t.app.services.events.activeRelay?.connected).toBe(true);
    sub.stop();
  });

  it('fails the 21st concurrent operation on one socket, not the socket', async () => {
    const c = client(matching.token);
    const subs = Array.from({ length: 21 }, () => record(c));
    const error = await subs[20]?.failed();
    expect(JSON.stringify(error)).toContain('RATE_LIMITED');
    const demand = await submit();
    const [event] = (await subs[0]?.waitFor(1)) ?? [];
    expect(event?.demand.id).toBe(demand.id);
    subs.forEach((s) => s.stop());
  });

  it('survives a 2,000-demand burst to a subscriber that does not read, with bounded buffers, and catches up in order', async () => {
    let socket: import('ws').WebSocket | undefined;
    const slow = record(client(matching.token, t.wsUrl, (s) => (socket = s)));
    await subscriptionsReach(t, 1);
    expect(socket).toBeDefined();
    const burst = await insertDemands(2_000);
    // Paused only while the burst is published (one statement): graphql-ws's keep-alive rightly drops
    // a socket that has not answered its ping for 12 s, which the ORM's insert of 2,000 demands
    // could take on a loaded machine.
    socket?.pause();
    await publishBurst(burst);
    await t.app.services.events.activeRelay?.catchUp();
    for (const s of t.app.services.events.index.subscribers())
      if (s instanceof SubscriberStream) expect(s.buffered).toBeLessThanOrEqual(DEFAULT_BUFFER_SIZE);
    expect((await t.gql('{ __typename }')).status).toBe(200); // still serving
    socket?.resume();
    const events = await slow.waitFor(2_000, 60_000);
    const titles = events.map((e) => e.demand.title);
    expect(titles).toEqual(Array.from({ length: 2_000 }, (_, i) => `burst ${i}`));
    slow.stop();
  }, 120_000);
});

describe('across processes', () => {
  it('delivers a demand submitted through one process to a subscriber of another', async () => {
    const other = await spawnServer(t.config.databaseUrl ?? '', env);
    servers.push(other);
    const sub = record(client(matching.token, other.wsUrl));
    await subscriptionsReach(other, 1);
    const demand = await submit();
    const [event] = await sub.waitFor(1, 3_000);
    expect(event?.demand.id).toBe(demand.id);
    sub.stop();
  }, 90_000);

  it('delivers a demand committed while its server was dying, after a restart, by cursor', async () => {
    const first = await spawnServer(t.config.databaseUrl ?? '', env);
    servers.push(first);
    const sub = record(client(matching.token, first.wsUrl));
    await subscriptionsReach(first, 1);
    await submit();
    const [mark] = await sub.waitFor(1, 3_000);
    process.kill(first.pid, 'SIGSTOP'); // frozen: it can no longer deliver anything
    const demand = await submit(); // committed through another process
    await first.kill('SIGKILL');
    const restarted = await spawnServer(t.config.databaseUrl ?? '', env);
    servers.push(restarted);
    const again = record(client(matching.token, restarted.wsUrl), { after: mark?.cursor });
    const [event] = await again.waitFor(1, 5_000);
    expect(event?.demand.id).toBe(demand.id);
    again.stop();
  }, 120_000);
});
