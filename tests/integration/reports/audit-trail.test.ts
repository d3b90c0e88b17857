import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { makeCreditCode } from '../../../src/modules/organizations/credit-code.js';
import { OrganizationKind } from '../../../src/modules/organizations/organization.enums.js';
import { Webhook } from '../../../src/modules/webhooks/webhook.entity.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  idOf,
  projectInput,
  PUBLISH,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from '../projects/project-helpers.js';
import { demandInput, SUBMIT_DEMAND } from '../../setup/operations.js';
import { startReceiver, WEBHOOK_ENV, type Receiver } from '../webhooks/helpers.js';

/**
 * Audit completeness: every mutation of the schema is run here over HTTP and must leave an entry with
 * the actor, the action, the subject and the request id of that request, and no secret or contact
 * data; the last test fails for a mutation of the schema that no test here saw write its entry.
 */

/** Mutations that change nothing and so record nothing. */
const EXEMPT: Record<string, string> = {
  signIn: 'issues a token; changes no data (sign-in attempts are rate-limited, not audited)',
  markNotificationsRead: 'marks the caller’s own inbox read; nobody else reads it, so no one audits it',
};

/**
 * The demand module names its actions `demand.<verb>` and a sponsor's decision on a community group
 * is `verifySponsoredGroup` or `declineSponsoredGroup`; every other action is its mutation's name.
 */
const ACTION_OF: Record<string, string> = {
  submitDemand: 'demand.submit',
  endorseDemand: 'demand.endorse',
  withdrawDemand: 'demand.withdraw',
  claimDemand: 'demand.claim',
  releaseDemand: 'demand.release',
  reportDemandProgress: 'demand.progress',
  fulfilDemand: 'demand.fulfil',
  rateDemand: 'demand.rate',
  closeDemand: 'demand.close',
  // A sponsor's decision is recorded as what it decided; the test below verifies the group.
  decideSponsoredGroup: 'verifySponsoredGroup',
};

/** The actions whose entry a test below found written by its own request. */
const written = new Set<string>();
let t: TestApp;
let admin: SeededUser;
let worker: SeededUser;
let otherWorker: SeededUser;
let jinanStaff: SeededUser;
let org: SeededOrganization;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
const PASSWORD = 'a secret passphrase 42';
const CONTACT = '微信 wx_secret_contact 13712345678';

let receiver: Receiver;

beforeAll(async () => {
  // Webhooks may target the loopback receiver (pingWebhook delivers to it).
  t = await startTestApp(WEBHOOK_ENV);
  receiver = await startReceiver();
  admin = await t.seed.admin();
  worker = await t.seed.worker();
  otherWorker = await t.seed.worker();
  jinanStaff = await t.seed.unionStaff('370100');
  org = await t.seed.organization({ categoryCodes: ['LIFE'] });
  publisher = await seedPublisher(t);
});
afterAll(async () => {
  await t.stop();
  await receiver.close();
});

interface Entry {
  action: string;
  actor_id: string | null;
  subject_id: string;
  subject_type: string;
  request_id: string;
  summary: Record<string, unknown>;
}

/** Runs a mutation on `{ input }` with its own request id and returns its data and the audit entries it wrote. */
function mutate<T>(
  query: string,
  input: Record<string, unknown>,
  token: string | null,
): Promise<{ data: T; entries: Entry[] }> {
  return mutateWith<T>(query, { input }, token);
}

/** {@link mutate} with any variables (the webhook mutations take an `id`). */
async function mutateWith<T>(
  query: string,
  variables: Record<string, unknown>,
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
    body: JSON.stringify({ query, variables }),
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
  written.add(action);
  return entry!;
}

const ids: {
  demand?: string;
  project?: string;
  application?: string;
  organization?: string;
  service?: string;
  /** The project planned, published with criteria and scored, then awarded and complained of. */
  scoredProject?: string;
  winning?: string;
  losing?: string;
  rival?: SeededOrganization;
} = {};

/** Award criteria, declared when the planned project is published. */
const CRITERIA = [
  { name: '服务方案', description: '需求分析与活动设计', weight: 50 },
  { name: '团队经验', weight: 30 },
  { name: '报价', weight: 20 },
];

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
    ids.organization = organizationId;
    expectEntry(registered.entries, 'registerOrganization', worker.user.id, 'Organization');
    const verified = await mutate(
      `mutation($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { id } } }`,
      { organizationId, reason: '材料齐全' },
      jinanStaff.token,
    );
    expectEntry(verified.entries, 'verifyOrganization', jinanStaff.user.id, 'Organization');
    const service = await mutate<{ addService: { service: { id: string } } }>(
      `mutation($input: AddServiceInput!) { addService(input: $input) { service { id } } }`,
      { organizationId, name: '法律咨询', categoryCodes: ['LIFE'], mode: 'ON_SITE', fee: 'FREE' },
      worker.token,
    );
    expectEntry(service.entries, 'addService', worker.user.id, 'Organization');
    ids.service = service.data.addService.service.id;
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
      {
        projectId: ids.project,
        fairnessRationale: SOLE_APPLICANT_RATIONALE,
        awards: [{ applicationId: ids.application, amountFen: 900_000 }],
      },
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

  it('accounts: setAccountStatus', async () => {
    const someone = await t.seed.worker();
    const { entries } = await mutate(
      `mutation($input: SetAccountStatusInput!) { setAccountStatus(input: $input) { __typename } }`,
      { userId: someone.user.globalId(), status: 'SUSPENDED', reason: '冒用他人身份' },
      admin.token,
    );
    expectEntry(entries, 'setAccountStatus', admin.user.id, 'User');
  });

  it('organizations: members added, re-roled and removed; services updated and removed', async () => {
    const member = await t.seed.worker();
    const added = await mutate(
      `mutation($input: AddOrganizationMemberInput!) { addOrganizationMember(input: $input) { __typename } }`,
      { organizationId: ids.organization, login: member.user.email, role: 'ORG_MEMBER' },
      worker.token,
    );
    expectEntry(added.entries, 'addOrganizationMember', worker.user.id, 'Organization');
    const reRoled = await mutate(
      `mutation($input: SetOrganizationMemberRoleInput!) { setOrganizationMemberRole(input: $input) { __typename } }`,
      { organizationId: ids.organization, userId: member.user.globalId(), role: 'ORG_ADMIN' },
      worker.token,
    );
    expectEntry(reRoled.entries, 'setOrganizationMemberRole', worker.user.id, 'Organization');
    const removed = await mutate(
      `mutation($input: RemoveOrganizationMemberInput!) { removeOrganizationMember(input: $input) { __typename } }`,
      { organizationId: ids.organization, userId: member.user.globalId() },
      worker.token,
    );
    expectEntry(removed.entries, 'removeOrganizationMember', worker.user.id, 'Organization');
    const updated = await mutate(
      `mutation($input: UpdateServiceInput!) { updateService(input: $input) { __typename } }`,
      { serviceId: ids.service, name: '劳动法律咨询' },
      worker.token,
    );
    expectEntry(updated.entries, 'updateService', worker.user.id, 'Service');
    const removedService = await mutate(
      `mutation($input: RemoveServiceInput!) { removeService(input: $input) { __typename } }`,
      { serviceId: ids.service },
      worker.token,
    );
    expectEntry(removedService.entries, 'removeService', worker.user.id, 'Organization');
  });

  it('organizations: hub status, a hub membership requested and decided, a suspension', async () => {
    const hub = await t.seed.organization({ name: '审计测试联合会' });
    const member = await t.seed.organization({ name: '审计测试成员组织' });
    const hubId = hub.organization.globalId();
    const made = await mutate(
      `mutation($input: SetHubStatusInput!) { setHubStatus(input: $input) { __typename } }`,
      { organizationId: hubId, isHub: true },
      jinanStaff.token,
    );
    expectEntry(made.entries, 'setHubStatus', jinanStaff.user.id, 'Organization');
    const requested = await mutate<{ requestHubMembership: { request: { id: string } } }>(
      `mutation($input: RequestHubMembershipInput!) { requestHubMembership(input: $input) { request { id } } }`,
      { organizationId: member.organization.globalId(), hubId },
      member.token,
    );
    expectEntry(requested.entries, 'requestHubMembership', member.admin.user.id, 'Organization');
    const decided = await mutate(
      `mutation($input: DecideHubMembershipInput!) { decideHubMembership(input: $input) { __typename } }`,
      { requestId: requested.data.requestHubMembership.request.id, accept: true },
      hub.token,
    );
    expectEntry(decided.entries, 'decideHubMembership', hub.admin.user.id, 'Organization');
    const suspended = await mutate(
      `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { __typename } }`,
      { organizationId: member.organization.globalId(), reason: '年检未通过' },
      jinanStaff.token,
    );
    expectEntry(suspended.entries, 'suspendOrganization', jinanStaff.user.id, 'Organization');
  });

  it('demands: progress, release, fulfil, rate, withdraw, close', async () => {
    const submit = async () =>
      (
        await t.data<{ submitDemand: { demand: { id: string } } }>(
          SUBMIT_DEMAND,
          { input: demandInput({ categoryCode: 'LIFE' }) },
          worker.token,
        )
      ).submitDemand.demand.id;
    const demandId = await submit();
    const claim = () =>
      t.data(
        `mutation($input: ClaimDemandInput!) { claimDemand(input: $input) { __typename } }`,
        { input: { demandId, organizationId: org.organization.globalId() } },
        org.token,
      );
    await claim();
    const progress = await mutate(
      `mutation($input: ReportDemandProgressInput!) { reportDemandProgress(input: $input) { __typename } }`,
      { demandId, note: '已联系职工，安排首次服务' },
      org.token,
    );
    expectEntry(progress.entries, 'demand.progress', org.admin.user.id, 'Demand');
    const released = await mutate(
      `mutation($input: ReleaseDemandInput!) { releaseDemand(input: $input) { __typename } }`,
      { demandId, reason: '人手不足' },
      org.token,
    );
    expectEntry(released.entries, 'demand.release', org.admin.user.id, 'Demand');
    await claim();
    const fulfilled = await mutate(
      `mutation($input: FulfilDemandInput!) { fulfilDemand(input: $input) { __typename } }`,
      { demandId, note: '服务完成' },
      org.token,
    );
    expectEntry(fulfilled.entries, 'demand.fulfil', org.admin.user.id, 'Demand');
    const rated = await mutate(
      `mutation($input: RateDemandInput!) { rateDemand(input: $input) { __typename } }`,
      { demandId, rating: 5, comment: '很满意' },
      worker.token,
    );
    expectEntry(rated.entries, 'demand.rate', worker.user.id, 'Demand');
    const withdrawn = await mutate(
      `mutation($input: WithdrawDemandInput!) { withdrawDemand(input: $input) { __typename } }`,
      { demandId: await submit() },
      worker.token,
    );
    expectEntry(withdrawn.entries, 'demand.withdraw', worker.user.id, 'Demand');
    const closed = await mutate(
      `mutation($input: CloseDemandInput!) { closeDemand(input: $input) { __typename } }`,
      { demandId: await submit(), reason: '重复提交' },
      jinanStaff.token,
    );
    expectEntry(closed.entries, 'demand.close', jinanStaff.user.id, 'Demand');
  });

  it('projects: staff added; updated, cancelled; an application withdrawn', async () => {
    const colleague = await t.seed.unionStaff('370100');
    const staffed = await mutate(
      `mutation($input: AddPublisherStaffInput!) { addPublisherStaff(input: $input) { __typename } }`,
      { publisherId: publisher.publisherId, userId: colleague.user.globalId() },
      admin.token,
    );
    expectEntry(staffed.entries, 'addPublisherStaff', admin.user.id, 'Publisher');
    const projectId = (
      await t.data<{ publishProject: { project: { id: string } } }>(
        PUBLISH,
        { input: projectInput({ categoryCode: 'LIFE' }) },
        publisher.token,
      )
    ).publishProject.project.id;
    const updated = await mutate(
      `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { __typename } }`,
      { projectId, budgetFen: 12_000_000, rationale: '追加预算' },
      publisher.token,
    );
    expectEntry(updated.entries, 'updateProject', publisher.staff.user.id, 'Project');
    const applicationId = (
      await t.data<{ applyToProject: { application: { id: string } } }>(
        APPLY,
        {
          input: {
            projectId,
            organizationId: org.organization.globalId(),
            proposal: '方案',
            requestedFen: 1_000_000,
          },
        },
        org.token,
      )
    ).applyToProject.application.id;
    const withdrawn = await mutate(
      `mutation($input: WithdrawApplicationInput!) { withdrawApplication(input: $input) { __typename } }`,
      { applicationId },
      org.token,
    );
    expectEntry(withdrawn.entries, 'withdrawApplication', org.admin.user.id, 'ProjectApplication');
    const cancelled = await mutate(
      `mutation($input: CancelProjectInput!) { cancelProject(input: $input) { __typename } }`,
      { projectId, reason: '预算调整' },
      publisher.token,
    );
    expectEntry(cancelled.entries, 'cancelProject', publisher.staff.user.id, 'Project');
  });

  it('projects: made from demands, shortlisted, started, its demands reported, completed', async () => {
    const demandId = (
      await t.data<{ submitDemand: { demand: { id: string } } }>(
        SUBMIT_DEMAND,
        { input: demandInput() },
        otherWorker.token,
      )
    ).submitDemand.demand.id;
    const created = await mutate<{ createProjectFromDemands: { project: { id: string } } }>(
      `mutation($input: CreateProjectFromDemandsInput!) { createProjectFromDemands(input: $input) { project { id } } }`,
      { demandIds: [demandId], publisherId: publisher.publisherId, budgetFen: 1_000_000 },
      publisher.token,
    );
    const projectId = created.data.createProjectFromDemands.project.id;
    expectEntry(created.entries, 'createProjectFromDemands', publisher.staff.user.id, 'Project');
    await t.data(PUBLISH, { input: { projectId } }, publisher.token);
    const childcare = await t.seed.organization({ categoryCodes: ['LIFE'] });
    const applicationId = (
      await t.data<{ applyToProject: { application: { id: string } } }>(
        APPLY,
        {
          input: {
            projectId,
            organizationId: childcare.organization.globalId(),
            proposal: '托育服务方案',
            requestedFen: 800_000,
          },
        },
        childcare.token,
      )
    ).applyToProject.application.id;
    await closePeriod(t, projectId);
    const shortlisted = await mutate(
      `mutation($input: ShortlistApplicationInput!) { shortlistApplication(input: $input) { __typename } }`,
      { applicationId },
      publisher.token,
    );
    expectEntry(shortlisted.entries, 'shortlistApplication', publisher.staff.user.id, 'ProjectApplication');
    await t.data(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [{ applicationId, amountFen: 800_000 }],
        },
      },
      publisher.token,
    );
    const started = await mutate(
      `mutation($input: StartProjectInput!) { startProject(input: $input) { __typename } }`,
      { projectId },
      publisher.token,
    );
    expectEntry(started.entries, 'startProject', publisher.staff.user.id, 'Project');
    const reported = await mutate(
      `mutation($input: ReportProjectDemandsInput!) { reportProjectDemands(input: $input) { __typename } }`,
      { projectId, organizationId: childcare.organization.globalId(), fulfilledDemandIds: [demandId] },
      childcare.token,
    );
    expectEntry(reported.entries, 'reportProjectDemands', childcare.admin.user.id, 'Project');
    const completed = await mutate(
      `mutation($input: CompleteProjectInput!) { completeProject(input: $input) { __typename } }`,
      { projectId, outcome: '服务完成', evaluationScore: 5 },
      publisher.token,
    );
    expectEntry(completed.entries, 'completeProject', publisher.staff.user.id, 'Project');
  });

  it('webhooks: registered, pinged, enabled, deleted', async () => {
    const registered = await mutate<{ registerWebhook: { webhook: { id: string } } }>(
      `mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { webhook { id } } }`,
      { organizationId: org.organization.globalId(), url: receiver.url, topics: ['DEMAND_PUBLISHED'] },
      org.token,
    );
    const id = registered.data.registerWebhook.webhook.id;
    expectEntry(registered.entries, 'registerWebhook', org.admin.user.id, 'Organization');
    const pinged = await mutateWith(
      `mutation($id: ID!) { pingWebhook(id: $id) { __typename } }`,
      { id },
      org.token,
    );
    expectEntry(pinged.entries, 'pingWebhook', org.admin.user.id, 'Organization');
    // As the hub leaves an endpoint after repeated failed deliveries (enabling an enabled one changes nothing).
    await t.orm.em
      .fork()
      .nativeUpdate(
        Webhook,
        { id: idOf(id) },
        { enabled: false, consecutiveFailures: 3, disabledAt: new Date(), disabledReason: 'HTTP 500' },
      );
    const enabled = await mutateWith(
      `mutation($id: ID!) { enableWebhook(id: $id) { __typename } }`,
      { id },
      org.token,
    );
    expectEntry(enabled.entries, 'enableWebhook', org.admin.user.id, 'Organization');
    const deleted = await mutateWith(
      `mutation($id: ID!) { deleteWebhook(id: $id) { __typename } }`,
      { id },
      org.token,
    );
    expectEntry(deleted.entries, 'deleteWebhook', org.admin.user.id, 'Organization');
  });

  it('organization documents: uploaded over HTTP, removed', async () => {
    const query = new URLSearchParams({
      organizationId: org.organization.globalId(),
      kind: 'CHARTER',
      fileName: 'charter.pdf',
    });
    const uploaded = await fetch(`${t.url}/organization-documents?${query.toString()}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${org.token}` },
      body: Buffer.from('%PDF-1.4\n%%EOF\n'),
    });
    expect(uploaded.status).toBe(201);
    const { document } = (await uploaded.json()) as { document: { id: string } };
    const removed = await mutate<{ removeOrganizationDocument: { documentId: string } }>(
      `mutation($input: RemoveOrganizationDocumentInput!) { removeOrganizationDocument(input: $input) { documentId } }`,
      { documentId: document.id },
      org.token,
    );
    expectEntry(removed.entries, 'removeOrganizationDocument', org.admin.user.id, 'OrganizationDocument');
  });

  it('projects: planned, published with criteria, a question asked and answered while open, an application scored', async () => {
    const day = 86_400_000;
    const planned = await mutate<{ planProject: { project: { id: string } } }>(
      `mutation($input: PlanProjectInput!) { planProject(input: $input) { project { id } } }`,
      projectInput({
        title: '2027年职工心理关爱服务（采购意向）',
        applicationOpensAt: new Date(Date.now() + 30 * day).toISOString(),
        applicationClosesAt: new Date(Date.now() + 44 * day).toISOString(),
        documents: [],
      }),
      publisher.token,
    );
    const projectId = planned.data.planProject.project.id;
    ids.scoredProject = projectId;
    expectEntry(planned.entries, 'planProject', publisher.staff.user.id, 'Project');
    await t.data(
      PUBLISH,
      {
        input: {
          projectId,
          applicationOpensAt: new Date(Date.now() - 60_000).toISOString(),
          applicationClosesAt: new Date(Date.now() + 7 * day).toISOString(),
          criteria: CRITERIA,
        },
      },
      publisher.token,
    );
    const rival = await t.seed.organization({ categoryCodes: ['LIFE'] });
    ids.rival = rival;
    const apply = async (applicant: SeededOrganization) =>
      (
        await t.data<{ applyToProject: { application: { id: string } } }>(
          APPLY,
          {
            input: {
              projectId,
              organizationId: applicant.organization.globalId(),
              proposal: '心理关爱服务方案',
              requestedFen: 3_000_000,
            },
          },
          applicant.token,
        )
      ).applyToProject.application.id;
    ids.winning = await apply(org);
    ids.losing = await apply(rival);
    const asked = await mutate<{ askProjectQuestion: { question: { id: string } } }>(
      `mutation($input: AskProjectQuestionInput!) { askProjectQuestion(input: $input) { question { id } } }`,
      { projectId, organizationId: org.organization.globalId(), question: '是否接受联合申报？' },
      org.token,
    );
    expectEntry(asked.entries, 'askProjectQuestion', org.admin.user.id, 'ProjectQuestion');
    const answered = await mutate(
      `mutation($input: AnswerProjectQuestionInput!) { answerProjectQuestion(input: $input) { question { id } } }`,
      {
        questionId: asked.data.askProjectQuestion.question.id,
        answer: '不接受联合申报。',
        changesTerms: false,
      },
      publisher.token,
    );
    // The answer is the project's: it may amend its terms, so its entry is on the project.
    expectEntry(answered.entries, 'answerProjectQuestion', publisher.staff.user.id, 'Project');
    await closePeriod(t, projectId);
    const scores = (...numbers: number[]) =>
      CRITERIA.map((c, i) => ({ criterion: c.name, score: numbers[i] }));
    const SCORE = `mutation($input: ScoreApplicationInput!) { scoreApplication(input: $input) { application { id } } }`;
    const scored = await mutate(
      SCORE,
      { applicationId: ids.winning, scores: scores(90, 80, 70) },
      publisher.token,
    );
    expectEntry(scored.entries, 'scoreApplication', publisher.staff.user.id, 'ProjectApplication');
    await t.data(
      SCORE,
      { input: { applicationId: ids.losing, scores: scores(60, 60, 60) } },
      publisher.token,
    );
  });

  it('projects: awarded with a justification, a complaint filed, answered, given a reviewer and ruled on', async () => {
    const projectId = ids.scoredProject!;
    await t.data(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          justification: '综合得分最高',
          awards: [{ applicationId: ids.winning, amountFen: 2_500_000 }],
        },
      },
      publisher.token,
    );
    const rival = ids.rival!;
    const filed = await mutate<{ fileComplaint: { complaint: { id: string } } }>(
      `mutation($input: FileComplaintInput!) { fileComplaint(input: $input) { complaint { id } } }`,
      { projectId, organizationId: rival.organization.globalId(), grounds: '评审未按公告的评分标准进行。' },
      rival.token,
    );
    const complaintId = filed.data.fileComplaint.complaint.id;
    expectEntry(filed.entries, 'fileComplaint', rival.admin.user.id, 'ProjectComplaint');
    const responded = await mutate(
      `mutation($input: RespondToComplaintInput!) { respondToComplaint(input: $input) { complaint { id } } }`,
      { complaintId, response: '评分记录已公开。' },
      publisher.token,
    );
    expectEntry(responded.entries, 'respondToComplaint', publisher.staff.user.id, 'ProjectComplaint');
    const reviewer = await seedPublisher(t, { name: '另一个工会' });
    const designated = await mutate(
      `mutation($input: DesignateComplaintReviewerInput!) { designateComplaintReviewer(input: $input) { complaint { id } } }`,
      { complaintId, reviewerId: reviewer.staff.user.globalId() },
      admin.token,
    );
    expectEntry(designated.entries, 'designateComplaintReviewer', admin.user.id, 'ProjectComplaint');
    const ruled = await mutate(
      `mutation($input: RuleOnComplaintInput!) { ruleOnComplaint(input: $input) { complaint { id outcome } } }`,
      { complaintId, outcome: 'DISMISSED', reasoning: '评审符合公告。' },
      reviewer.token,
    );
    expectEntry(ruled.entries, 'ruleOnComplaint', reviewer.staff.user.id, 'ProjectComplaint');
  });

  it('projects: a contract signed, milestones reported, returned, accepted and paid, the outcome confirmed by a worker', async () => {
    const day = 86_400_000;
    const demandId = (
      await t.data<{ submitDemand: { demand: { id: string } } }>(
        SUBMIT_DEMAND,
        { input: demandInput() },
        otherWorker.token,
      )
    ).submitDemand.demand.id;
    const projectId = (
      await t.data<{ createProjectFromDemands: { project: { id: string } } }>(
        `mutation($input: CreateProjectFromDemandsInput!) { createProjectFromDemands(input: $input) { project { id } } }`,
        { input: { demandIds: [demandId], publisherId: publisher.publisherId, budgetFen: 1_000_000 } },
        publisher.token,
      )
    ).createProjectFromDemands.project.id;
    await t.data(PUBLISH, { input: { projectId } }, publisher.token);
    const provider = await t.seed.organization({ categoryCodes: ['LIFE'] });
    const applicationId = (
      await t.data<{ applyToProject: { application: { id: string } } }>(
        APPLY,
        {
          input: {
            projectId,
            organizationId: provider.organization.globalId(),
            proposal: '托育服务方案',
            requestedFen: 800_000,
          },
        },
        provider.token,
      )
    ).applyToProject.application.id;
    await closePeriod(t, projectId);
    await t.data(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [{ applicationId, amountFen: 800_000 }],
        },
      },
      publisher.token,
    );
    const signed = await mutate<{ signContract: { contract: { id: string; milestones: { id: string }[] } } }>(
      `mutation($input: SignContractInput!) { signContract(input: $input) { contract { id milestones { id } } } }`,
      {
        projectId,
        applicationId,
        valueFen: 800_000,
        periodStart: new Date(Date.now() - day).toISOString(),
        periodEnd: new Date(Date.now() + 90 * day).toISOString(),
        documents: [{ title: '服务合同', url: 'https://example.cn/contract.pdf' }],
        milestones: [
          {
            title: '开班',
            deliverables: '完成报名与开班',
            dueAt: new Date(Date.now() + 10 * day).toISOString(),
            paymentFen: 500_000,
          },
          {
            title: '结项',
            deliverables: '结项报告',
            dueAt: new Date(Date.now() + 85 * day).toISOString(),
            paymentFen: 300_000,
          },
        ],
      },
      publisher.token,
    );
    expectEntry(signed.entries, 'signContract', publisher.staff.user.id, 'Project');
    const milestoneId = signed.data.signContract.contract.milestones[0]!.id;
    const REPORT = `mutation($input: ReportMilestoneInput!) { reportMilestone(input: $input) { milestone { id } } }`;
    const reported = await mutate(REPORT, { milestoneId, report: '已完成开班，报名 42 人' }, provider.token);
    expectEntry(reported.entries, 'reportMilestone', provider.admin.user.id, 'Project');
    const returned = await mutate(
      `mutation($input: ReturnMilestoneInput!) { returnMilestone(input: $input) { milestone { id } } }`,
      { milestoneId, reason: '缺少签到表' },
      publisher.token,
    );
    expectEntry(returned.entries, 'returnMilestone', publisher.staff.user.id, 'Project');
    await mutate(REPORT, { milestoneId, report: '已补签到表' }, provider.token);
    const accepted = await mutate(
      `mutation($input: AcceptMilestoneInput!) { acceptMilestone(input: $input) { milestone { id } } }`,
      { milestoneId },
      publisher.token,
    );
    expectEntry(accepted.entries, 'acceptMilestone', publisher.staff.user.id, 'Project');
    const paid = await mutate(
      `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { contract { id } } }`,
      { milestoneId, amountFen: 500_000, paidAt: new Date().toISOString() },
      publisher.token,
    );
    expectEntry(paid.entries, 'recordPayment', publisher.staff.user.id, 'Project');
    // The worker whose demand the project was made from says whether she was served.
    const confirmed = await mutate(
      `mutation($input: ConfirmProjectOutcomeInput!) { confirmProjectOutcome(input: $input) { project { id } } }`,
      { projectId, demandId, served: true, rating: 5 },
      otherWorker.token,
    );
    expect(
      expectEntry(confirmed.entries, 'confirmProjectOutcome', otherWorker.user.id, 'Demand').subject_id,
    ).toBe(demandId);
  });

  it('organizations: a community group registered under a verified hub, verified by the hub’s admin', async () => {
    const hub = await t.seed.organization({ isHub: true, name: '审计测试社会组织服务中心' });
    const registered = await mutate<{ registerOrganization: { organization: { id: string } } }>(
      `mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { organization { id } } }`,
      {
        name: '审计测试社区志愿队',
        providerKind: 'COMMUNITY_GROUP',
        sponsorOrganizationId: hub.organization.globalId(),
        foundingType: 'INDEPENDENT',
        homeRegionCode: '370102',
        categoryCodes: ['LIFE'],
      },
      otherWorker.token,
    );
    const organizationId = registered.data.registerOrganization.organization.id;
    expectEntry(registered.entries, 'registerOrganization', otherWorker.user.id, 'Organization');
    const decided = await mutate(
      `mutation($input: DecideSponsoredGroupInput!) { decideSponsoredGroup(input: $input) { organization { id } } }`,
      { organizationId, accept: true, reason: '社区备案材料齐全' },
      hub.token,
    );
    expect(
      expectEntry(decided.entries, 'verifySponsoredGroup', hub.admin.user.id, 'Organization').subject_id,
    ).toBe(organizationId);
  });

  it('covers every mutation of the schema: each one above saw its own entry written', () => {
    const schema = readFileSync(path.resolve(import.meta.dirname, '../../../schema/schema.graphql'), 'utf8');
    const block = /type Mutation \{([\s\S]*?)\n\}/.exec(schema)?.[1] ?? '';
    const mutations = [...block.matchAll(/^ {2}([a-zA-Z]+)\(/gm)].map((m) => m[1]!);
    expect(mutations.length).toBeGreaterThan(40);
    const unchecked = mutations.filter((m) => !(m in EXEMPT) && !written.has(ACTION_OF[m] ?? m));
    expect(unchecked).toEqual([]);
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
