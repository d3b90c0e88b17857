import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { record, wsClient, type PushedDemand, type Recorder } from './feed-client.js';
import { subscriptionsReach } from '../../setup/probes.js';
import { submitDemand } from '../../setup/operations.js';

/*
 * The live fan-out hands an event to its subscribers a slice per turn of the event loop
 * (src/core/events/fan-out.ts). With LIVE_FAN_OUT_SLICE=1 every subscriber of these tests is
 * handed each event in a turn of its own, after the first one made the event's shared reads and
 * executions: what one class may see must still never reach another, and a subscriber whose rights
 * ended must hear nothing more, however the fan-out is spread.
 */

const CONTACT = '13800138000';

/** Selects only fields shared within a permission class (DEMAND_EVENT_SHAREABLE): one execution per class. */
const DEMAND_UPDATED_SHAREABLE = `subscription Updated($demandId: ID!) {
  demandUpdated(demandId: $demandId) {
    cursor
    demand { id status anonymous contact submittedBy { id displayName } category { code } region { code } }
  }
}`;

interface Update {
  cursor: string;
  demand: { status: string; contact: string | null; submittedBy: { id: string } | null };
}

let t: TestApp;
let worker: SeededUser;
const clients: Client[] = [];

beforeAll(async () => {
  t = await startTestApp({ JWT_SECRET: randomBytes(32).toString('base64url'), LIVE_FAN_OUT_SLICE: '1' });
  worker = await t.seed.worker();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await subscriptionsReach(t, 0);
});

afterAll(() => t?.stop());

function subscribe(token: string, variables: Record<string, unknown>, query?: string, field?: string) {
  const client = wsClient(t.wsUrl, token);
  clients.push(client);
  return record(client, variables, query, field);
}

const orgId = (o: SeededOrganization): string => toGlobalId('Organization', o.organization.id);

async function mutate(mutation: string, input: Record<string, unknown>, token: string): Promise<void> {
  const type = `${mutation[0]?.toUpperCase()}${mutation.slice(1)}Input`;
  const res = await t.gql(
    `mutation($input: ${type}!) { ${mutation}(input: $input) { __typename } }`,
    {
      input,
    },
    token,
  );
  expect(res.body.errors).toBeUndefined();
}

describe('live fan-out, one subscriber per turn', () => {
  it('gives each permission class its own view of a shared execution: the contact only to those who may see it', async () => {
    const org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    const members = [
      org,
      ...(await Promise.all([1, 2, 3].map(() => t.seed.organizationMember(org.organization.id)))),
    ];
    const stranger = await t.seed.worker();
    const endorser = await t.seed.worker();
    const demand = await submitDemand(t, worker.token, {
      contact: CONTACT,
      contactConsent: false,
      anonymous: true,
    });
    await mutate('endorseDemand', { demandId: demand.id }, endorser.token);
    await mutate('claimDemand', { demandId: demand.id, organizationId: orgId(org) }, org.token);
    // Interleaved, so the classes alternate from one turn to the next.
    const follow = (token: string) =>
      subscribe(token, { demandId: demand.id }, DEMAND_UPDATED_SHAREABLE, 'demandUpdated');
    const submitter = follow(worker.token);
    const claimants = members.map((m) => follow(m.token));
    const endorsing = follow(endorser.token);
    await subscriptionsReach(t, 2 + members.length);
    // Not a follower (she may not even see the claimed demand): refused at once.
    const refused = follow(stranger.token);
    expect(JSON.stringify(await refused.failed())).toContain('NOT_FOUND');

    await mutate('reportDemandProgress', { demandId: demand.id, note: '开始服务' }, org.token);
    const [mine] = (await submitter.waitFor(1)) as unknown as Update[];
    const theirs = await Promise.all(
      claimants.map(async (r) => ((await r.waitFor(1)) as unknown as Update[])[0]),
    );
    const [endorsed] = (await endorsing.waitFor(1)) as unknown as Update[];
    expect(mine?.demand).toMatchObject({
      status: 'IN_SERVICE',
      contact: CONTACT,
      submittedBy: { id: toGlobalId('User', worker.user.id) },
    });
    // The worker did not consent and is anonymous: the claiming organization sees neither.
    for (const view of theirs) expect(view?.demand).toMatchObject({ contact: null, submittedBy: null });
    expect(endorsed?.demand).toMatchObject({ contact: null, submittedBy: null });
    expect(new Set([mine, ...theirs, endorsed].map((u) => u?.cursor)).size).toBe(1);
  });

  it('hands a member removed from the organization nothing more, while the others go on', async () => {
    const org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    const leaving = await t.seed.organizationMember(org.organization.id);
    const staying = await t.seed.organizationMember(org.organization.id);
    // The leaving member sits between the others, so slices before and after her are handed on.
    const feeds: Recorder[] = [org, leaving, staying].map((m) => subscribe(m.token, {}));
    const [admin, left, stays] = feeds as [Recorder, Recorder, Recorder];
    await subscriptionsReach(t, 3);
    const first = await submitDemand(t, worker.token);
    for (const feed of feeds)
      expect((await feed.waitFor(1)).map((e) => e.demand.title)).toEqual([first.title]);

    await mutate(
      'removeOrganizationMember',
      { organizationId: orgId(org), userId: toGlobalId('User', leaving.user.id) },
      org.token,
    );
    const second = await submitDemand(t, worker.token);
    const titles = (events: PushedDemand[]) => events.map((e) => e.demand.title);
    expect(titles(await admin.waitFor(2))).toEqual([first.title, second.title]);
    expect(titles(await stays.waitFor(2))).toEqual([first.title, second.title]);
    expect(JSON.stringify(await left.failed())).toContain('FORBIDDEN');
    expect(titles(left.events)).toEqual([first.title]);
  });

  it('writes each subscription its own frames on a shared socket, and none after its client completed it', async () => {
    const org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    const frames: { id?: string; type: string }[] = [];
    const client = wsClient(t.wsUrl, org.token, (socket) =>
      socket.on('message', (data: Buffer) =>
        frames.push(JSON.parse(String(data)) as { id?: string; type: string }),
      ),
    );
    clients.push(client);
    const kept = record(client, {});
    const completed = record(client, {});
    await subscriptionsReach(t, 2);
    const first = await submitDemand(t, worker.token);
    await kept.waitFor(1);
    await completed.waitFor(1);
    const ids = new Set(frames.filter((f) => f.type === 'next').map((f) => f.id));
    expect(ids.size).toBe(2);

    completed.stop();
    await subscriptionsReach(t, 1);
    const second = await submitDemand(t, worker.token);
    const titles = (events: PushedDemand[]) => events.map((e) => e.demand.title);
    expect(titles(await kept.waitFor(2))).toEqual([first.title, second.title]);
    // Both subscriptions' frames of an event leave in one write (ws.ts): had the completed one been
    // sent the second demand, it would have arrived with the kept one's.
    expect(titles(completed.events)).toEqual([first.title]);
    const nexts = frames.filter((f) => f.type === 'next');
    expect(nexts).toHaveLength(3);
    expect(frames.filter((f) => f.type === 'error')).toEqual([]);
  });

  it('negotiates no compression with a client that offers it, and each subscription’s frames arrive in order', async () => {
    // Live frames are written beside ws's sender (src/core/graphql/socket-writes.ts): with
    // permessage-deflate ws would queue its own writes, so the hub must never accept it.
    class OfferingDeflate extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { perMessageDeflate: true });
      }
    }
    const org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
    let socket: WebSocket | undefined;
    const frames: { id?: string; type: string }[] = [];
    const client = createClient({
      url: t.wsUrl,
      webSocketImpl: OfferingDeflate,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${org.token}` },
      on: {
        connected: (connected) => {
          socket = connected as WebSocket;
          socket.on('message', (data: Buffer) => frames.push(JSON.parse(String(data)) as { type: string }));
        },
      },
    });
    clients.push(client);
    const subscribers = [record(client, {}), record(client, {})];
    await subscriptionsReach(t, 2);
    expect(socket?.extensions).toBe('');
    const titles: string[] = [];
    for (let i = 0; i < 3; i++) titles.push((await submitDemand(t, worker.token)).title);
    for (const subscriber of subscribers)
      expect((await subscriber.waitFor(3)).map((e) => e.demand.title)).toEqual(titles);
    expect(frames.filter((f) => f.type === 'next')).toHaveLength(6);
  });
});
