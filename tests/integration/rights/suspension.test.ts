/**
 * A suspended organization loses what its claims gave it: its open claims return to OPEN (audited,
 * told to the worker, offered again to those who can serve the demand), and it reads no contact,
 * changes no demand and applies to no project.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { record } from '../events/feed-client.js';
import { APPLY, projectInput, PUBLISH, seedPublisher } from '../projects/project-helpers.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';
import { subscriptionsReach } from '../../setup/probes.js';

let t: TestApp;
let admin: SeededUser;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.seed.admin();
});
afterAll(() => t.stop());

const orgId = (o: SeededOrganization) => toGlobalId('Organization', o.organization.id);

async function submit(worker: SeededUser, title: string): Promise<string> {
  const data = await t.data<{ submitDemand: { demand: { id: string } } }>(
    SUBMIT_DEMAND,
    {
      input: {
        title,
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

async function act(mutation: string, input: Record<string, unknown>, token: string) {
  const type = `${mutation[0]?.toUpperCase()}${mutation.slice(1)}Input`;
  return t.gql<Record<string, { demand: { id: string; status: string } }>>(
    `mutation($input: ${type}!) { ${mutation}(input: $input) { demand { id status } } }`,
    { input },
    token,
  );
}

describe('suspending an organization', () => {
  it('returns its open claims to OPEN, tells the worker, offers them again, and hides every contact from it', async () => {
    const worker = await t.seed.worker();
    const org = await t.seed.organization();
    const member = await t.seed.organizationMember(org.organization.id);
    const rival = await t.seed.organization();
    const claimedId = await submit(worker, '周末托管一');
    const servedId = await submit(worker, '周末托管二');
    for (const demandId of [claimedId, servedId])
      expect(
        (await act('claimDemand', { demandId, organizationId: orgId(org) }, org.token)).body.errors,
      ).toBeUndefined();
    expect(
      (await act('reportDemandProgress', { demandId: claimedId, note: '已上门' }, member.token)).body.errors,
    ).toBeUndefined();
    expect(
      (await act('fulfilDemand', { demandId: servedId, note: '已完成' }, org.token)).body.errors,
    ).toBeUndefined();

    const contact = `query($id: ID!) { demand(id: $id) { status contact claimedBy { id } } }`;
    const before = await t.data<{ demand: { contact: string | null } }>(
      contact,
      { id: servedId },
      member.token,
    );
    expect(before.demand.contact).toBe('13800138000');

    const workerFeed = record(
      t.ws({ token: worker.token }),
      { demandId: claimedId },
      `subscription($demandId: ID!) { demandUpdated(demandId: $demandId) { cursor demand { id status } } }`,
      'demandUpdated',
    );
    const rivalFeed = record(t.ws({ token: rival.token }));
    await subscriptionsReach(t, 2);

    const suspended = await t.gql(
      `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { verificationStatus } } }`,
      { input: { organizationId: orgId(org), reason: '年检不合格' } },
      admin.token,
    );
    expect(suspended.body.errors).toBeUndefined();

    // The worker hears that her demand is OPEN again; an organization that can serve it is offered it.
    const [update] = await workerFeed.waitFor(1);
    expect((update as unknown as { demand: { status: string } }).demand.status).toBe('OPEN');
    const [offered] = await rivalFeed.waitFor(1);
    expect(offered?.demand.id).toBe(claimedId);

    const reopened = await t.data<{ demand: { status: string; claimedBy: unknown } }>(
      contact,
      { id: claimedId },
      worker.token,
    );
    expect(reopened.demand).toMatchObject({ status: 'OPEN', claimedBy: null });
    const trail = await t.data<{ auditTrail: { edges: { node: { action: string } }[] } }>(
      `query($id: ID!) { auditTrail(subjectId: $id) { edges { node { action } } } }`,
      { id: claimedId },
      admin.token,
    );
    expect(trail.auditTrail.edges.map((e) => e.node.action)).toContain('demand.claimEndedBySuspension');

    // The demand it served keeps its history, but the suspended organization reads no contact.
    const after = await t.data<{ demand: { status: string; contact: string | null } }>(
      contact,
      { id: servedId },
      member.token,
    );
    expect(after.demand).toMatchObject({ status: 'FULFILLED', contact: null });
    // It changes no demand: the claim it held is gone, and it cannot claim again.
    const progress = await act(
      'reportDemandProgress',
      { demandId: claimedId, note: '继续服务' },
      member.token,
    );
    expect(progress.body.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|CONFLICT|NOT_FOUND/);
    const reclaim = await act('claimDemand', { demandId: claimedId, organizationId: orgId(org) }, org.token);
    expect(reclaim.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }, 60_000);

  it('refuses its applications to projects', async () => {
    const publisher = await seedPublisher(t);
    const org = await t.seed.organization();
    const project = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput() },
      publisher.token,
    );
    await t.data(
      `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: orgId(org), reason: '年检不合格' } },
      admin.token,
    );
    const res = await t.gql(
      APPLY,
      {
        input: {
          projectId: project.publishProject.project.id,
          organizationId: orgId(org),
          proposal: '服务方案',
          requestedFen: 3_000_000,
        },
      },
      org.token,
    );
    expect(res.body.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|CONFLICT/);
  }, 60_000);
});
