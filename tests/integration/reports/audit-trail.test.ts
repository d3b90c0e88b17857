import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { makeCreditCode } from '../../../src/modules/organizations/credit-code.js';
import { OrganizationKind } from '../../../src/modules/organizations/organization.enums.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  projectInput,
  PUBLISH,
  seedPublisher,
} from '../projects/project-helpers.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/**
 * Audit completeness: representative mutations of every module each leave an entry with the actor,
 * the action, the subject and the request id of the HTTP request, and no secret or contact data.
 */
let t: TestApp;
let admin: SeededUser;
let worker: SeededUser;
let otherWorker: SeededUser;
let jinanStaff: SeededUser;
let org: SeededOrganization;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
const PASSWORD = 'a secret passphrase 42';
const CONTACT = '微信 wx_secret_contact 13712345678';

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.seed.admin();
  worker = await t.seed.worker();
  otherWorker = await t.seed.worker();
  jinanStaff = await t.seed.unionStaff('370100');
  org = await t.seed.organization({ categoryCodes: ['LIFE'] });
  publisher = await seedPublisher(t);
});
afterAll(() => t.stop());

interface Entry {
  action: string;
  actor_id: string | null;
  subject_id: string;
  subject_type: string;
  request_id: string;
  summary: Record<string, unknown>;
}

/** Runs a mutation with its own request id and returns its data and the audit entries it wrote. */
async function mutate<T>(
  query: string,
  input: Record<string, unknown>,
  token: string | null,
): Promise<{ data: T; entries: Entry[] }> {
  const clientRequestId = `audit-${randomUUID()}`;
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': clientRequestId,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables: { input } }),
  });
  const body = (await response.json()) as GqlResponse<T>['body'];
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  // The entries carry the server's id of the request (the one it answers with), not the client's.
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const entries = await t.orm.em
    .fork()
    .getConnection()
    .execute<Entry[]>(
      'select action, actor_id, subject_id, subject_type, request_id, summary from audit_entry where request_id = ?',
      [requestId],
    );
  return { data: body.data as T, entries };
}

/** The one entry of `action`, checked for actor, subject and absence of secrets. */
function expectEntry(entries: Entry[], action: string, actorId: number, subjectType: string): Entry {
  const entry = entries.find((e) => e.action === action);
  expect(entry, `an audit entry for ${action}`).toBeDefined();
  expect(Number(entry!.actor_id)).toBe(actorId);
  expect(entry!.subject_type).toBe(subjectType);
  expect(entry!.subject_id).toMatch(/^[A-Za-z0-9_-]+$/);
  const summary = JSON.stringify(entry!.summary);
  for (const secret of [PASSWORD, CONTACT, '@example.test', 'passwordHash', 'password', 'mobile', 'contact'])
    expect(summary, `${action} summary`).not.toContain(secret);
  return entry!;
}

const ids: { demand?: string; project?: string; application?: string } = {};

describe('every mutation records an audit entry', () => {
  it('accounts: signUp (acted by the new account) and createStaffAccount', async () => {
    const email = `audit-${randomUUID().slice(0, 8)}@example.test`;
    const signUp = await mutate<{ signUp: { viewer: { id: string } } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { viewer { id } } }`,
      { email, password: PASSWORD, displayName: '新职工' },
      null,
    );
    const userId = Number(Buffer.from(signUp.data.signUp.viewer.id, 'base64url').toString().split(':')[1]);
    expect(expectEntry(signUp.entries, 'signUp', userId, 'User').subject_id).toBe(
      signUp.data.signUp.viewer.id,
    );

    const staff = await mutate(
      `mutation($input: CreateStaffAccountInput!) { createStaffAccount(input: $input) { user { id } } }`,
      {
        email: `staff-${randomUUID().slice(0, 8)}@example.test`,
        password: PASSWORD,
        displayName: '区总工会',
        role: 'UNION_STAFF',
        regionScopeCode: '370102',
      },
      admin.token,
    );
    expect(expectEntry(staff.entries, 'createStaffAccount', admin.user.id, 'User').summary).toMatchObject({
      roles: ['UNION_STAFF'],
      regionScopeCode: '370102',
    });
  });

  it('regions: importRegions', async () => {
    const { entries } = await mutate(
      `mutation($input: ImportRegionsInput!) { importRegions(input: $input) { created updated } }`,
      { csv: 'code,name,nameEn,parentCode\n370102,历下区,Lixia District,370100\n' },
      admin.token,
    );
    expectEntry(entries, 'importRegions', admin.user.id, 'Region');
  });

  it('organizations: register, verify, add a service, update', async () => {
    const registered = await mutate<{ registerOrganization: { organization: { id: string } } }>(
      `mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { organization { id } } }`,
      {
        name: '审计测试社工中心',
        creditCode: makeCreditCode('SOCIAL_SERVICE_AGENCY', 987_654, '370100'),
        kind: OrganizationKind.SOCIAL_SERVICE_AGENCY,
        foundingType: 'INDEPENDENT',
        homeRegionCode: '370100',
        categoryCodes: ['LIFE'],
        publicContact: '0531-12345678',
      },
      worker.token,
    );
    const organizationId = registered.data.registerOrganization.organization.id;
    expectEntry(registered.entries, 'registerOrganization', worker.user.id, 'Organization');
    const verified = await mutate(
      `mutation($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { id } } }`,
      { organizationId, reason: '材料齐全' },
      jinanStaff.token,
    );
    expectEntry(verified.entries, 'verifyOrganization', jinanStaff.user.id, 'Organization');
    const service = await mutate(
      `mutation($input: AddServiceInput!) { addService(input: $input) { service { id } } }`,
      { organizationId, name: '法律咨询', categoryCodes: ['LIFE'], mode: 'ON_SITE', fee: 'FREE' },
      worker.token,
    );
    expectEntry(service.entries, 'addService', worker.user.id, 'Organization');
    const updated = await mutate(
      `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { id } } }`,
      { organizationId, description: '新的简介' },
      worker.token,
    );
    expectEntry(updated.entries, 'updateOrganization', worker.user.id, 'Organization');
  });

  it('demands: submit (with a private contact), endorse, claim', async () => {
    const submitted = await mutate<{ submitDemand: { demand: { id: string } } }>(
      SUBMIT_DEMAND,
      {
        title: '希望开设周末托管班',
        description: '双职工家庭孩子周末无人照看',
        categoryCode: 'LIFE',
        regionCode: '370102',
        contact: CONTACT,
        contactConsent: true,
      },
      worker.token,
    );
    ids.demand = submitted.data.submitDemand.demand.id;
    expectEntry(submitted.entries, 'demand.submit', worker.user.id, 'Demand');
    const endorsed = await mutate(
      `mutation($input: EndorseDemandInput!) { endorseDemand(input: $input) { demand { id } } }`,
      { demandId: ids.demand },
      otherWorker.token,
    );
    expectEntry(endorsed.entries, 'demand.endorse', otherWorker.user.id, 'Demand');
    const claimed = await mutate(
      `mutation($input: ClaimDemandInput!) { claimDemand(input: $input) { demand { id } } }`,
      { demandId: ids.demand, organizationId: org.organization.globalId() },
      org.token,
    );
    expectEntry(claimed.entries, 'demand.claim', org.admin.user.id, 'Demand');
  });

  it('projects: createPublisher, publish, apply, award', async () => {
    const created = await mutate(
      `mutation($input: CreatePublisherInput!) { createPublisher(input: $input) { publisher { id } } }`,
      { kind: 'ENTERPRISE', name: '某企业工会', regionCode: '370100' },
      admin.token,
    );
    expectEntry(created.entries, 'createPublisher', admin.user.id, 'Publisher');
    const published = await mutate<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      projectInput({ categoryCode: 'LIFE' }),
      publisher.token,
    );
    ids.project = published.data.publishProject.project.id;
    expectEntry(published.entries, 'publishProject', publisher.staff.user.id, 'Project');
    const applied = await mutate<{ applyToProject: { application: { id: string } } }>(
      APPLY,
      {
        projectId: ids.project,
        organizationId: org.organization.globalId(),
        proposal: '方案',
        requestedFen: 1_000_000,
      },
      org.token,
    );
    ids.application = applied.data.applyToProject.application.id;
    expectEntry(applied.entries, 'applyToProject', org.admin.user.id, 'ProjectApplication');
    await closePeriod(t, ids.project);
    const awarded = await mutate(
      AWARD,
      { projectId: ids.project, awards: [{ applicationId: ids.application, amountFen: 900_000 }] },
      publisher.token,
    );
    expectEntry(awarded.entries, 'awardProject', publisher.staff.user.id, 'Project');
  });

  it('notifications: a person’s own preference and an organization’s default for its members', async () => {
    const own = await mutate(
      `mutation($input: UpdateNotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { topic } }`,
      { topic: 'DEMAND_MATCHED', channel: 'EMAIL', frequency: 'OFF' },
      worker.token,
    );
    const ownEntry = expectEntry(own.entries, 'updateNotificationPreferences', worker.user.id, 'User');
    expect(ownEntry.subject_id).toBe(worker.user.globalId());
    expect(ownEntry.summary).toEqual({ topic: 'DEMAND_MATCHED', channel: 'EMAIL', frequency: 'OFF' });
    const defaults = await mutate(
      `mutation($input: UpdateOrganizationNotificationDefaultsInput!) { updateOrganizationNotificationDefaults(input: $input) { topic } }`,
      {
        organizationId: org.organization.globalId(),
        topic: 'PROJECT_ELIGIBLE',
        channel: 'EMAIL',
        frequency: 'DAILY_DIGEST',
      },
      org.token,
    );
    const entry = expectEntry(
      defaults.entries,
      'updateOrganizationNotificationDefaults',
      org.admin.user.id,
      'Organization',
    );
    expect(entry.subject_id).toBe(org.organization.globalId());
    expect(entry.summary).toEqual({ topic: 'PROJECT_ELIGIBLE', channel: 'EMAIL', frequency: 'DAILY_DIGEST' });
  });
});

const TRAIL = `query($id: ID!) { auditTrail(subjectId: $id, first: 50) { totalCount edges { node { action requestId actor { id } } } } }`;
async function trail(id: string, token: string | null): Promise<string[]> {
  const res = await t.data<{ auditTrail: { edges: { node: { action: string } }[] } }>(TRAIL, { id }, token);
  return res.auditTrail.edges.map((e) => e.node.action).sort();
}

describe('who reads the audit trail', () => {
  it('union staff read the full trail of demands in their region; claimants only public decisions', async () => {
    expect(await trail(ids.demand!, jinanStaff.token)).toEqual([
      'demand.claim',
      'demand.endorse',
      'demand.submit',
    ]);
    expect(await trail(ids.demand!, org.token)).toEqual([]);
  });

  it('union staff in scope read a project’s full trail; anyone reads its award', async () => {
    // The close of the application period is written by the award, the first mutation after it.
    const full = ['awardProject', 'project.applicationPeriodClose', 'publishProject'];
    expect(await trail(ids.project!, jinanStaff.token)).toEqual(full);
    expect(await trail(ids.project!, publisher.token)).toEqual(full);
    expect(await trail(ids.project!, null)).toEqual(['awardProject']);
    const qingdao = await t.seed.unionStaff('370200');
    expect(await trail(ids.project!, qingdao.token)).toEqual(['awardProject']);
  });

  it('an organization’s admins read their own application’s and organization’s trail', async () => {
    expect(await trail(ids.application!, org.token)).toEqual(['applyToProject']);
    expect(await trail(ids.application!, publisher.token)).toEqual(['applyToProject']);
    const res = await t.gql(
      TRAIL,
      { id: toGlobalId('Organization', org.organization.id) },
      otherWorker.token,
    );
    expect(res.body.errors).toBeUndefined();
  });
});
