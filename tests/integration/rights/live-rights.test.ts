/**
 * Rights end when they end, also on open subscriptions: every subscription type × every way rights
 * end, over real graphql-ws, with the subscribers on another process than the one that changes the
 * rights (they share only PostgreSQL).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { spawnServer, type ServerProcess } from '../../setup/server-process-client.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { record, type Recorder } from '../events/feed-client.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  projectInput,
  PUBLISH,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from '../projects/project-helpers.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';
import { subscriptionsReach } from '../../setup/probes.js';

const env = { JWT_SECRET: randomBytes(32).toString('base64url') };

let t: TestApp;
/** The process the subscribers connect to. */
let other: ServerProcess;
let admin: SeededUser;
let worker: SeededUser;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
const clients: Client[] = [];

beforeAll(async () => {
  t = await startTestApp(env);
  other = await spawnServer(t.config.databaseUrl ?? '', env);
  admin = await t.seed.admin();
  worker = await t.seed.worker();
  publisher = await seedPublisher(t);
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await other?.kill('SIGTERM');
  await t?.stop();
});

// Every test leaves no subscription behind on the other process, so each can wait for its own.
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await subscriptionsReach(other, 0);
});

/** A client of the other process; `closedWith` resolves with the socket's close code. */
function connect(token: string): { client: Client; closedWith: Promise<number> } {
  let closed: (code: number) => void = () => {};
  const closedWith = new Promise<number>((resolve) => (closed = resolve));
  const client = createClient({
    url: other.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    // Kept open when its subscriptions end, so the server's own close code is what we see.
    lazy: false,
    onNonLazyError: () => {}, // the close is what the test looks at
    connectionParams: { authorization: `Bearer ${token}` },
    on: { closed: (event) => closed((event as { code: number }).code) },
  });
  clients.push(client);
  return { client, closedWith };
}

const orgId = (o: SeededOrganization) => toGlobalId('Organization', o.organization.id);
const userId = (u: SeededUser) => toGlobalId('User', u.user.id);

async function submitDemand(): Promise<string> {
  const data = await t.data<{ submitDemand: { demand: { id: string } } }>(
    SUBMIT_DEMAND,
    {
      input: {
        title: `周末托管 ${randomBytes(3).toString('hex')}`,
        description: '双职工家庭周末需要托管孩子',
        categoryCode: 'LIFE.CHILDCARE',
        regionCode: '370102',
        contact: '13800138000',
        contactConsent: true,
      },
    },
    worker.token,
  );
  return data.submitDemand.demand.id;
}

async function demandMutation(mutation: string, input: Record<string, unknown>, token: string) {
  const type = `${mutation[0]?.toUpperCase()}${mutation.slice(1)}Input`;
  return t.gql(
    `mutation($input: ${type}!) { ${mutation}(input: $input) { demand { id status } } }`,
    { input },
    token,
  );
}

async function publishProject(): Promise<string> {
  const res = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput() },
    publisher.token,
  );
  return res.publishProject.project.id;
}

async function applyTo(projectId: string, org: SeededOrganization): Promise<string> {
  const res = await t.data<{ applyToProject: { application: { id: string } } }>(
    APPLY,
    { input: { projectId, organizationId: orgId(org), proposal: '服务方案', requestedFen: 3_000_000 } },
    org.token,
  );
  return res.applyToProject.application.id;
}

async function award(projectId: string, applicationId: string): Promise<void> {
  await closePeriod(t, projectId);
  await t.data(
    AWARD,
    {
      input: {
        projectId,
        fairnessRationale: SOLE_APPLICANT_RATIONALE,
        awards: [{ applicationId, amountFen: 2_000_000 }],
      },
    },
    publisher.token,
  );
}

/**
 * One subscription type: how a member of `org` subscribes, and how to make one more event it
 * would receive. `prepare` runs before subscribing and returns what `trigger` needs.
 */
interface SubscriptionCase {
  name: string;
  prepare(org: SeededOrganization): Promise<unknown>;
  subscribe(client: Client, org: SeededOrganization, prepared: unknown): Recorder;
  trigger(org: SeededOrganization, prepared: unknown, round: 1 | 2): Promise<void>;
}

const DEMAND_UPDATED = `subscription($demandId: ID!) {
  demandUpdated(demandId: $demandId) { cursor demand { id status contact } }
}`;
const PROJECT_PUBLISHED = `subscription($filter: ProjectSubscriptionFilter) {
  projectPublished(filter: $filter) { cursor project { id title } }
}`;
const APPLICATION_DECIDED = `subscription($organizationId: ID) {
  applicationDecided(organizationId: $organizationId) { cursor application { id status proposal } }
}`;

const cases: SubscriptionCase[] = [
  {
    name: 'demandPublished',
    prepare: async () => null,
    subscribe: (client) => record(client),
    trigger: async () => void (await submitDemand()),
  },
  {
    name: 'demandUpdated (a member of the claiming organization)',
    prepare: async (org) => {
      const demandId = await submitDemand();
      const claimed = await demandMutation(
        'claimDemand',
        { demandId, organizationId: orgId(org) },
        org.token,
      );
      expect(claimed.body.errors).toBeUndefined();
      return demandId;
    },
    subscribe: (client, _org, demandId) => record(client, { demandId }, DEMAND_UPDATED, 'demandUpdated'),
    // The organization's admin reports progress; after a suspension there is nothing it may
    // report, and the suspension's own release of the claim is the event the member must not get.
    trigger: async (org, demandId, round) => {
      const res = await demandMutation(
        'reportDemandProgress',
        { demandId, note: `第${round}次上门` },
        org.token,
      );
      if (round === 1) expect(res.body.errors).toBeUndefined();
    },
  },
  {
    name: 'projectPublished',
    prepare: async () => null,
    subscribe: (client, org) =>
      record(client, { filter: { organizationId: orgId(org) } }, PROJECT_PUBLISHED, 'projectPublished'),
    trigger: async () => void (await publishProject()),
  },
  {
    name: 'applicationDecided',
    // Two projects the organization applied to; each round decides one, by awarding it to a rival.
    prepare: async (org) => {
      const rival = await t.seed.organization();
      const projects = [];
      for (let i = 0; i < 2; i += 1) {
        const projectId = await publishProject();
        await applyTo(projectId, org);
        projects.push({ projectId, rivalApplication: await applyTo(projectId, rival) });
      }
      return projects;
    },
    subscribe: (client, org) =>
      record(client, { organizationId: orgId(org) }, APPLICATION_DECIDED, 'applicationDecided'),
    trigger: async (_org, prepared, round) => {
      const { projectId, rivalApplication } = (prepared as { projectId: string; rivalApplication: string }[])[
        round - 1
      ]!;
      await award(projectId, rivalApplication);
    },
  },
];

/** One way rights end, applied by someone else through the first process. */
interface Ending {
  name: string;
  end(org: SeededOrganization, member: SeededUser): Promise<void>;
  /** A suspended account's socket is closed with 4403 (the subscription ends with it). */
  closesSocket: boolean;
}

const endings: Ending[] = [
  {
    name: 'the member is removed from the organization',
    closesSocket: false,
    end: async (org, member) => {
      const res = await t.gql(
        `mutation($input: RemoveOrganizationMemberInput!) { removeOrganizationMember(input: $input) { removedUserId } }`,
        { input: { organizationId: orgId(org), userId: userId(member) } },
        org.token,
      );
      expect(res.body.errors).toBeUndefined();
    },
  },
  {
    name: 'the organization is suspended',
    closesSocket: false,
    end: async (org) => {
      const res = await t.gql(
        `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`,
        { input: { organizationId: orgId(org), reason: '年检不合格' } },
        admin.token,
      );
      expect(res.body.errors).toBeUndefined();
    },
  },
  {
    name: "the member's account is suspended",
    closesSocket: true,
    end: async (_org, member) => {
      const res = await t.gql(
        `mutation($input: SetAccountStatusInput!) { setAccountStatus(input: $input) { user { id status } } }`,
        { input: { userId: userId(member), status: 'SUSPENDED', reason: '冒用他人身份' } },
        admin.token,
      );
      expect(res.body.errors).toBeUndefined();
    },
  },
];

/** The code of what ended a subscription: a GraphQL error's code, or a socket's close code. */
function codeOf(error: unknown): unknown {
  const first = Array.isArray(error) ? error[0] : error;
  return (
    (first as { extensions?: { code?: string } })?.extensions?.code ?? (first as { code?: number })?.code
  );
}

describe('live rights: a subscription ends when its subscriber’s rights end', () => {
  for (const subscription of cases)
    for (const ending of endings)
      it(`${subscription.name}: ${ending.name}`, async () => {
        const org = await t.seed.organization();
        const member = await t.seed.organizationMember(org.organization.id);
        const prepared = await subscription.prepare(org);
        const { client, closedWith } = connect(member.token);
        const feed = subscription.subscribe(client, org, prepared);
        await subscriptionsReach(other, 1);

        await subscription.trigger(org, prepared, 1);
        await feed.waitFor(1);

        await ending.end(org, member);
        // Whatever the rights change set off, and one more event the member would have received:
        // none of it may arrive, and the subscription ends.
        await subscription.trigger(org, prepared, 2);
        const error = await feed.failed();
        if (ending.closesSocket) {
          expect(await closedWith).toBe(4403);
          expect([4403, 'FORBIDDEN']).toContain(codeOf(error));
        } else {
          expect(codeOf(error)).toBe('FORBIDDEN');
        }
        expect(feed.events).toHaveLength(1);
      }, 60_000);

  it('a subscription whose rights changed but did not end goes on (a member made admin)', async () => {
    const org = await t.seed.organization();
    const member = await t.seed.organizationMember(org.organization.id);
    const { client } = connect(member.token);
    const feed = record(client);
    await subscriptionsReach(other, 1);
    await submitDemand();
    await feed.waitFor(1);
    const res = await t.gql(
      `mutation($input: SetOrganizationMemberRoleInput!) { setOrganizationMemberRole(input: $input) { member { role } } }`,
      { input: { organizationId: orgId(org), userId: userId(member), role: MemberRole.ORG_ADMIN } },
      org.token,
    );
    expect(res.body.errors).toBeUndefined();
    await submitDemand();
    await feed.waitFor(2);
    expect(feed.errors).toEqual([]);
  }, 60_000);

  it('ends an idle subscription at once, without waiting for another event', async () => {
    const org = await t.seed.organization();
    const member = await t.seed.organizationMember(org.organization.id);
    const { client } = connect(member.token);
    const feed = record(client);
    await subscriptionsReach(other, 1);
    await endings[0]!.end(org, member);
    expect(codeOf(await feed.failed())).toBe('FORBIDDEN');
    await subscriptionsReach(other, 0);
  }, 60_000);

  it("a worker's own demandUpdated ends when her account is suspended", async () => {
    const own = await t.seed.worker();
    const demandId = (
      await t.data<{ submitDemand: { demand: { id: string } } }>(
        SUBMIT_DEMAND,
        {
          input: {
            title: '家门口的法律咨询',
            description: '想咨询劳动合同纠纷',
            categoryCode: 'LIFE.CHILDCARE',
            regionCode: '370102',
          },
        },
        own.token,
      )
    ).submitDemand.demand.id;
    const { client, closedWith } = connect(own.token);
    const feed = record(client, { demandId }, DEMAND_UPDATED, 'demandUpdated');
    await subscriptionsReach(other, 1);
    await endings[2]!.end(null as never, own);
    expect(await closedWith).toBe(4403);
    await feed.failed();
    expect(feed.events).toHaveLength(0);
    // And the account is refused from then on, over HTTP and WebSocket alike.
    const res = await t.gql('{ viewer { id } }', {}, own.token);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }, 60_000);
});
