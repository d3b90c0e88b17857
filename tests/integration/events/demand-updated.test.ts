import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { parseIdOf, toGlobalId } from '../../../src/core/relay/global-id.js';
import { record, wsClient, type Recorder } from './feed-client.js';
import { subscriptionsReach } from '../../setup/probes.js';
import { HubEvent } from '../../../src/core/events/event.entity.js';
import { Topic } from '../../../src/core/events/outbox.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/** `demandUpdated` as these tests select it: the status and what the viewer may see of the demand. */
const DEMAND_UPDATED = `subscription Updated($demandId: ID!) {
  demandUpdated(demandId: $demandId) {
    cursor
    demand { id title status contact submittedBy { id } claimedBy { id } }
  }
}`;

/** One pushed `demandUpdated` event. */
interface Update {
  cursor: string;
  demand: {
    id: string;
    title: string;
    status: string;
    contact: string | null;
    submittedBy: { id: string } | null;
    claimedBy: { id: string } | null;
  };
}

const CONTACT = '13800138000';

let t: TestApp;
const clients: Client[] = [];

beforeAll(async () => {
  t = await startTestApp({ JWT_SECRET: randomBytes(32).toString('base64url') });
});

// Each test counts the subscriptions it opens; the previous test's must be gone by then.
afterEach(() => subscriptionsReach(t, 0));

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t?.stop();
});

/** Subscribes to `demandUpdated(demandId)` as the holder of `token` (signed out when null). */
function follow(token: string | null, demandId: string): Recorder {
  const client = token === null ? t.ws() : wsClient(t.wsUrl, token);
  if (token !== null) clients.push(client);
  return record(client, { demandId }, DEMAND_UPDATED, 'demandUpdated');
}

/** The typed events of a recorder made by {@link follow}. */
const updates = (r: Recorder): Update[] => r.events as unknown as Update[];

/** Waits for `count` events and returns them typed. */
async function received(r: Recorder, count: number): Promise<Update[]> {
  return (await r.waitFor(count)) as unknown as Update[];
}

/** The error code a refused subscription failed with. */
async function refusal(r: Recorder): Promise<string | undefined> {
  const error = (await r.failed()) as { extensions?: { code?: string } } | undefined;
  return error?.extensions?.code;
}

/** A verified organization serving every category in Jinan, for all workers. */
const jinanOrganization = (): Promise<SeededOrganization> =>
  t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });

/**
 * Selects only fields a pushed demand may share within a permission class (DEMAND_EVENT_SHAREABLE),
 * so subscribers sending it execute each event once per class, not once each.
 */
const DEMAND_UPDATED_SHAREABLE = `subscription Updated($demandId: ID!) {
  demandUpdated(demandId: $demandId) {
    cursor
    demand { id status anonymous contact submittedBy { id displayName } category { code } region { code } }
  }
}`;

async function submit(
  worker: SeededUser,
  contactConsent: boolean,
  anonymous = false,
): Promise<{ id: string; title: string }> {
  const data = await t.data<{ submitDemand: { demand: { id: string; title: string } } }>(
    SUBMIT_DEMAND,
    {
      input: {
        title: `周末托管 ${randomBytes(3).toString('hex')}`,
        description: '双职工家庭周末需要托管孩子',
        categoryCode: 'LIFE.CHILDCARE',
        regionCode: '370102',
        contact: CONTACT,
        contactConsent,
        anonymous,
      },
    },
    worker.token,
  );
  return data.submitDemand.demand;
}

/** Runs one demand mutation and fails the test on any error. */
async function act(
  mutation: 'claimDemand' | 'releaseDemand' | 'reportDemandProgress' | 'fulfilDemand' | 'rateDemand',
  input: Record<string, unknown>,
  token: string,
): Promise<void> {
  const type = `${mutation[0]?.toUpperCase()}${mutation.slice(1)}Input`;
  await t.data(
    `mutation($input: ${type}!) { ${mutation}(input: $input) { demand { id } } }`,
    { input },
    token,
  );
}

const statuses = (events: Update[]): string[] => events.map((e) => e.demand.status);
const orgId = (o: SeededOrganization): string => toGlobalId('Organization', o.organization.id);
const userId = (u: SeededUser): string => toGlobalId('User', u.user.id);

describe('demandUpdated', () => {
  it('pushes every status change to the submitter and to the members of the claiming organization, each seeing what they may', async () => {
    const worker = await t.seed.worker();
    const first = await jinanOrganization();
    const firstMember = await t.seed.organizationMember(first.organization.id);
    const second = await jinanOrganization();
    const secondMember = await t.seed.organizationMember(second.organization.id);
    const demand = await submit(worker, true);

    const submitter = follow(worker.token, demand.id);
    await subscriptionsReach(t, 1);
    await act('claimDemand', { demandId: demand.id, organizationId: orgId(first) }, first.token);
    const [claimed] = await received(submitter, 1);
    expect(claimed?.demand).toMatchObject({
      id: demand.id,
      status: 'CLAIMED',
      claimedBy: { id: orgId(first) },
    });
    expect(claimed?.demand.contact).toBe(CONTACT); // the submitter's own contact

    // Members of the claiming organization may follow it once it is theirs.
    const member = follow(firstMember.token, demand.id);
    const admin = follow(first.token, demand.id);
    await subscriptionsReach(t, 3);
    await act('reportDemandProgress', { demandId: demand.id, note: '已联系职工' }, firstMember.token);
    await act('releaseDemand', { demandId: demand.id, reason: '人手不足' }, first.token);
    const [inService, released] = await received(member, 2);
    expect(statuses([inService!, released!])).toEqual(['IN_SERVICE', 'OPEN']);
    expect(inService?.demand.contact).toBe(CONTACT); // consented, and claimed by the member's organization
    expect(inService?.demand.submittedBy).toEqual({ id: userId(worker) });
    expect(released?.demand).toMatchObject({ claimedBy: null, contact: null }); // no longer theirs
    expect(statuses(await received(admin, 2))).toEqual(['IN_SERVICE', 'OPEN']);

    // Another organization takes it over and serves it to the end.
    await act('claimDemand', { demandId: demand.id, organizationId: orgId(second) }, second.token);
    await received(submitter, 4); // that claim is through, so `next` starts after it
    const next = follow(secondMember.token, demand.id);
    await subscriptionsReach(t, 4);
    await act('reportDemandProgress', { demandId: demand.id, note: '已上门' }, secondMember.token);
    // A second note moves no status, and is news all the same.
    await act('reportDemandProgress', { demandId: demand.id, note: '再次上门' }, secondMember.token);
    await act('fulfilDemand', { demandId: demand.id, note: '已完成' }, second.token);
    await act('rateDemand', { demandId: demand.id, rating: 5 }, worker.token); // no status change, no event
    const served = await received(next, 3);
    expect(statuses(served)).toEqual(['IN_SERVICE', 'IN_SERVICE', 'FULFILLED']);
    expect(served.map((e) => e.demand.claimedBy?.id)).toEqual([orgId(second), orgId(second), orgId(second)]);
    expect(served.map((e) => e.demand.contact)).toEqual([CONTACT, CONTACT, CONTACT]);

    const all = await received(submitter, 7);
    expect(statuses(all)).toEqual([
      'CLAIMED',
      'IN_SERVICE',
      'OPEN',
      'CLAIMED',
      'IN_SERVICE',
      'IN_SERVICE',
      'FULFILLED',
    ]);
    expect(all.every((e) => e.demand.contact === CONTACT)).toBe(true);
    const cursors = all.map((e) => Number(e.cursor));
    expect(cursors.every((c, i) => Number.isInteger(c) && (i === 0 || c > (cursors[i - 1] ?? 0)))).toBe(true);
    // One event, one cursor: every subscriber sees the same position for the same change.
    expect(updates(member).map((e) => e.cursor)).toEqual(all.slice(1, 3).map((e) => e.cursor));
    expect(served.map((e) => e.cursor)).toEqual(all.slice(4).map((e) => e.cursor));

    // Nobody heard the rating: it wrote no event (seven changes, seven events).
    expect(
      await t.orm.em
        .fork()
        .count(HubEvent, { topic: Topic.DEMAND_UPDATED, entityId: parseIdOf('Demand', demand.id, 'id') }),
    ).toBe(7);
    // The first organization heard nothing of the second one's work.
    expect(updates(member)).toHaveLength(2);
    expect(updates(admin)).toHaveLength(2);
    expect(updates(next)).toHaveLength(3);
    expect(updates(submitter)).toHaveLength(7);
    [submitter, member, admin, next].forEach((r) => r.stop());
  });

  it('hides the contact from the claiming organization when the worker did not consent', async () => {
    const worker = await t.seed.worker();
    const org = await jinanOrganization();
    const demand = await submit(worker, false);
    await act('claimDemand', { demandId: demand.id, organizationId: orgId(org) }, org.token);
    const submitter = follow(worker.token, demand.id);
    const claimant = follow(org.token, demand.id);
    await subscriptionsReach(t, 2);
    await act('reportDemandProgress', { demandId: demand.id, note: '开始服务' }, org.token);
    const [mine] = await received(submitter, 1);
    const [theirs] = await received(claimant, 1);
    expect(mine?.demand).toMatchObject({ status: 'IN_SERVICE', contact: CONTACT });
    expect(theirs?.demand).toMatchObject({ status: 'IN_SERVICE', contact: null });
    expect(theirs?.cursor).toBe(mine?.cursor);
    submitter.stop();
    claimant.stop();
  });

  it('gives subscribers of different permission classes different views of the same event, even when their executions are shared', async () => {
    const worker = await t.seed.worker();
    const org = await jinanOrganization();
    const member = await t.seed.organizationMember(org.organization.id);
    const demand = await submit(worker, false, true); // anonymous, contact not shared
    await act('claimDemand', { demandId: demand.id, organizationId: orgId(org) }, org.token);
    const followWith = (token: string) => {
      const client = wsClient(t.wsUrl, token);
      clients.push(client);
      return record(client, { demandId: demand.id }, DEMAND_UPDATED_SHAREABLE, 'demandUpdated');
    };
    // Two members of the claiming organization (one class) and the submitter (another), same operation.
    const [submitter, admin, staff] = [
      followWith(worker.token),
      followWith(org.token),
      followWith(member.token),
    ];
    await subscriptionsReach(t, 3);
    await act('reportDemandProgress', { demandId: demand.id, note: '开始服务' }, org.token);
    const [mine, theirs, alsoTheirs] = (
      await Promise.all([submitter, admin, staff].map((r) => received(r, 1)))
    ).map((events) => events[0]);
    expect(mine?.demand).toMatchObject({
      status: 'IN_SERVICE',
      anonymous: true,
      contact: CONTACT,
      submittedBy: { id: userId(worker) },
    });
    expect(theirs?.demand).toMatchObject({ status: 'IN_SERVICE', contact: null, submittedBy: null });
    expect(alsoTheirs).toEqual(theirs);
    expect(theirs?.cursor).toBe(mine?.cursor);
    [submitter, admin, staff].forEach((r) => r.stop());
  });

  it('refuses other organizations’ members, unrelated workers and anonymous users, who receive nothing', async () => {
    const worker = await t.seed.worker();
    const claimant = await jinanOrganization();
    const other = await jinanOrganization(); // could serve it too, but did not claim it
    const otherMember = await t.seed.organizationMember(other.organization.id);
    const stranger = await t.seed.worker();
    const demand = await submit(worker, true);

    // While OPEN they may read the demand, but not follow its updates.
    expect(await refusal(follow(otherMember.token, demand.id))).toBe('FORBIDDEN');
    expect(await refusal(follow(stranger.token, demand.id))).toBe('FORBIDDEN');
    expect(await refusal(follow(claimant.token, demand.id))).toBe('FORBIDDEN'); // not claimed yet
    expect(await refusal(follow(null, demand.id))).toBe('UNAUTHENTICATED');

    await act('claimDemand', { demandId: demand.id, organizationId: orgId(claimant) }, claimant.token);
    // Once claimed they may not even read it.
    expect(await refusal(follow(otherMember.token, demand.id))).toBe('NOT_FOUND');
    expect(await refusal(follow(stranger.token, demand.id))).toBe('NOT_FOUND');

    const submitter = follow(worker.token, demand.id);
    await subscriptionsReach(t, 1);
    await act('reportDemandProgress', { demandId: demand.id, note: '进行中' }, claimant.token);
    await received(submitter, 1);
    submitter.stop();
  });
});
