import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/core/roles.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import { PublisherKind } from '../../../src/modules/projects/project.enums.js';
import type { SeededUser } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  idOf,
  PUBLISH,
  projectInput,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from '../projects/project-helpers.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/**
 * Ownership and scope, per caller (docs/SECURITY.md, "Who sees what"): the gate test
 * (authorization-matrix.test.ts) checks roles only; this one runs every ownership- or scope-sensitive
 * mutation and read against real objects with valid inputs, for every kind of caller, and checks the
 * exact answer. Each cell gets a fresh copy of its object (a new organization A administered by
 * `ownerAdmin`, a new demand of `submitter`, a new project of the Jinan union publisher…), so a
 * success in one cell never changes what another sees. A refused mutation must leave its object's
 * row exactly as it was; a success must change it.
 *
 * Callers: `ownerMember`/`ownerAdmin` belong to organization A (Jinan, the owner in every row);
 * `otherAdmin` administers organization B (Qingdao); `unionInScope` is Jinan union staff who does not
 * act for the publisher; `publisher` is Jinan union staff acting for the project's publisher;
 * `unionOutOfScope` is Qingdao union staff.
 */
const CALLERS = [
  'anonymous',
  'worker',
  'submitter',
  'ownerMember',
  'ownerAdmin',
  'otherAdmin',
  'unionInScope',
  'unionOutOfScope',
  'publisher',
  'gov',
  'enterprise',
  'admin',
] as const;
type Caller = (typeof CALLERS)[number];
type Signed = Exclude<Caller, 'anonymous'>;

/** 'ok', an error code, or (for reads) what the caller got to see. */
type Outcome = string;
type Expected = Record<Caller, Outcome>;

/** A full row of the table: `rest` for every caller not named, UNAUTHENTICATED for anonymous unless named. */
function cells(rest: Outcome, named: Partial<Expected>): Expected {
  const out = {} as Expected;
  for (const caller of CALLERS)
    out[caller] = named[caller] ?? (caller === 'anonymous' ? 'UNAUTHENTICATED' : rest);
  return out;
}

interface Row<F> {
  name: string;
  /** Builds the object(s) one cell acts on. */
  setup: () => Promise<F>;
  call: (fixture: F, token: string | null) => Promise<GqlResponse>;
  /** For reads: what the answer shows (errors still answer with their code). */
  read?: (data: Record<string, unknown>) => Outcome;
  /** For mutations: the object's rows, to show that a refusal changed nothing and a success something. */
  state?: (fixture: F) => Promise<unknown>;
  expected: Expected;
}

const SECRET_CONTACT = '13987654321';
const ANY = `{ __typename }`;

let t: TestApp;
const users = {} as Record<Signed, SeededUser>;
let publisherId: string;

beforeAll(async () => {
  t = await startTestApp();
  const union = await seedPublisher(t, { kind: PublisherKind.UNION, regionCode: '370100' });
  publisherId = union.publisherId;
  const ownerAdmin = await t.seed.worker();
  const other = await t.seed.organization({ homeRegionCode: '370200', regionCodes: ['370200'] });
  Object.assign(users, {
    worker: await t.seed.worker(),
    submitter: await t.seed.worker(),
    ownerAdmin,
    ownerMember: await t.seed.worker(),
    otherAdmin: other.admin,
    unionInScope: await t.seed.unionStaff('370100'),
    unionOutOfScope: await t.seed.unionStaff('370200'),
    publisher: union.staff,
    gov: await t.seed.user([Role.GOV_STAFF], { regionCode: '370100' }),
    enterprise: await t.seed.user([Role.ENTERPRISE_STAFF]),
    admin: await t.seed.admin(),
  });
});
afterAll(() => t.stop());

// ------------------------------------------------------------------ builders of fresh objects

/** A fresh organization A in Jinan: `ownerAdmin` its ORG_ADMIN, `ownerMember` its ORG_MEMBER. */
async function ownerOrg(options: { verified?: boolean; isHub?: boolean; withService?: boolean } = {}) {
  const seeded = await t.seed.organization({
    admin: users.ownerAdmin,
    verified: options.verified ?? true,
    isHub: options.isHub,
    regionCodes: ['370100'],
    categoryCodes: ['LIFE'],
    services: options.withService ? [{ name: '职工子女托管' }] : [],
  });
  await t.seed.organizationMember(seeded.organization.id, MemberRole.ORG_MEMBER, users.ownerMember);
  return {
    dbId: seeded.organization.id,
    orgId: toGlobalId('Organization', seeded.organization.id),
    serviceId: seeded.services[0] ? toGlobalId('Service', seeded.services[0].id) : '',
    serviceDbId: seeded.services[0]?.id ?? 0,
  };
}

/** A fresh OPEN demand of `submitter` in Lixia, Jinan, with a private contact the submitter lets the claimant see. */
async function openDemand(): Promise<{ demandId: string; demandDbId: number }> {
  const res = await t.data<{ submitDemand: { demand: { id: string } } }>(
    SUBMIT_DEMAND,
    {
      input: {
        title: '夜班职工子女托管',
        description: '夜班期间孩子无人照看。',
        categoryCode: 'LIFE',
        regionCode: '370102',
        contact: SECRET_CONTACT,
        contactConsent: true,
      },
    },
    users.submitter.token,
  );
  const demandId = res.submitDemand.demand.id;
  return { demandId, demandDbId: idOf(demandId) };
}

/** A fresh demand CLAIMED by a fresh organization A (and FULFILLED when asked). */
async function claimedDemand(fulfilled = false) {
  const org = await ownerOrg();
  const demand = await openDemand();
  await t.data(
    `mutation($input: ClaimDemandInput!) { claimDemand(input: $input) ${ANY} }`,
    { input: { demandId: demand.demandId, organizationId: org.orgId } },
    users.ownerAdmin.token,
  );
  if (fulfilled)
    await t.data(
      `mutation($input: FulfilDemandInput!) { fulfilDemand(input: $input) ${ANY} }`,
      { input: { demandId: demand.demandId } },
      users.ownerAdmin.token,
    );
  return { ...org, ...demand };
}

/** A fresh PUBLISHED project of the Jinan union publisher; with an application of a fresh A when asked. */
async function project(options: { application?: boolean; evaluating?: boolean } = {}) {
  const published = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput() },
    users.publisher.token,
  );
  const projectId = published.publishProject.project.id;
  const org = await ownerOrg();
  let applicationId = '';
  if (options.application || options.evaluating) {
    const applied = await t.data<{ applyToProject: { application: { id: string } } }>(
      APPLY,
      {
        input: { projectId, organizationId: org.orgId, proposal: '课后辅导方案', requestedFen: 5_000_000 },
      },
      users.ownerAdmin.token,
    );
    applicationId = applied.applyToProject.application.id;
  }
  if (options.evaluating) await closePeriod(t, projectId);
  return { ...org, projectId, projectDbId: idOf(projectId), applicationId };
}

/** Rows of `sql`, for "nothing changed". */
function rows(sql: string, params: unknown[]): Promise<unknown> {
  return t.orm.em.getConnection().execute(sql, params);
}

const orgRow = (id: number) =>
  rows(
    `select name, verification_status, is_hub, hub_id, category_codes, updated_at from organization where id = ?`,
    [id],
  );
const demandRow = (id: number) =>
  rows(`select status, claimed_by_id, rating, updated_at from demand where id = ?`, [id]);
const projectRow = (id: number) => rows(`select status, title, updated_at from project where id = ?`, [id]);
const applicationRows = (projectId: number) =>
  rows(
    `select id, organization_id, status, updated_at from project_application where project_id = ? order by id`,
    [projectId],
  );

function mutation(name: string, inputType: string) {
  return (input: Record<string, unknown>, token: string | null) =>
    t.gql(`mutation($input: ${inputType}!) { ${name}(input: $input) ${ANY} }`, { input }, token);
}

// ------------------------------------------------------------------ the table

/** A row whose fixture type is inferred from its `setup`. */
function row<F>(r: Row<F>): Row<unknown> {
  return r as unknown as Row<unknown>;
}

const ROWS: Row<unknown>[] = [
  // ---------------------------------------------------------------- organizations
  row({
    name: 'updateOrganization (A, verified)',
    setup: () => ownerOrg(),
    call: (f, token) =>
      mutation('updateOrganization', 'UpdateOrganizationInput')(
        { organizationId: f.orgId, name: '改过的名称' },
        token,
      ),
    state: (f) => orgRow(f.dbId),
    expected: cells('FORBIDDEN', { ownerAdmin: 'ok', admin: 'ok' }),
  }),
  row({
    name: 'addService (A)',
    setup: () => ownerOrg(),
    call: (f, token) =>
      mutation('addService', 'AddServiceInput')(
        { organizationId: f.orgId, name: '心理咨询', categoryCodes: ['LIFE'], mode: 'ON_SITE', fee: 'FREE' },
        token,
      ),
    state: async (f) => [
      await orgRow(f.dbId),
      await rows(`select id from service where organization_id = ?`, [f.dbId]),
    ],
    expected: cells('FORBIDDEN', { ownerAdmin: 'ok', admin: 'ok' }),
  }),
  row({
    name: 'updateService (a service of A)',
    setup: () => ownerOrg({ withService: true }),
    call: (f, token) =>
      mutation('updateService', 'UpdateServiceInput')({ serviceId: f.serviceId, name: '改过的服务' }, token),
    state: (f) => rows(`select name, updated_at from service where id = ?`, [f.serviceDbId]),
    expected: cells('FORBIDDEN', { ownerAdmin: 'ok', admin: 'ok' }),
  }),
  row({
    name: 'removeService (a service of A)',
    setup: () => ownerOrg({ withService: true }),
    call: (f, token) => mutation('removeService', 'RemoveServiceInput')({ serviceId: f.serviceId }, token),
    state: (f) => rows(`select id, name, updated_at from service where id = ?`, [f.serviceDbId]),
    expected: cells('FORBIDDEN', { ownerAdmin: 'ok', admin: 'ok' }),
  }),
  row({
    name: 'addOrganizationMember (to A)',
    setup: async () => ({ ...(await ownerOrg()), newcomer: await t.seed.worker() }),
    call: (f, token) =>
      mutation('addOrganizationMember', 'AddOrganizationMemberInput')(
        { organizationId: f.orgId, login: f.newcomer.user.email, role: 'ORG_MEMBER' },
        token,
      ),
    state: (f) =>
      rows(`select user_id, role from organization_member where organization_id = ? order by user_id`, [
        f.dbId,
      ]),
    expected: cells('FORBIDDEN', { ownerAdmin: 'ok', admin: 'ok' }),
  }),
  row({
    // A PENDING organization is seen only by its members, union staff in scope and admins.
    name: 'verifyOrganization (A, pending)',
    setup: () => ownerOrg({ verified: false }),
    call: (f, token) =>
      mutation('verifyOrganization', 'VerifyOrganizationInput')(
        { organizationId: f.orgId, reason: '材料齐全' },
        token,
      ),
    state: (f) => orgRow(f.dbId),
    expected: cells('NOT_FOUND', {
      ownerMember: 'FORBIDDEN',
      ownerAdmin: 'FORBIDDEN',
      unionInScope: 'ok',
      publisher: 'ok',
      admin: 'ok',
    }),
  }),
  row({
    name: 'suspendOrganization (A, verified)',
    setup: () => ownerOrg(),
    call: (f, token) =>
      mutation('suspendOrganization', 'SuspendOrganizationInput')(
        { organizationId: f.orgId, reason: '年检未通过' },
        token,
      ),
    state: (f) => orgRow(f.dbId),
    expected: cells('FORBIDDEN', { unionInScope: 'ok', publisher: 'ok', admin: 'ok' }),
  }),
  row({
    // Hub A decides on organization C's request (both in Jinan): seen by either side's members,
    // union staff in scope and admins; decided by the hub's admins (and platform admins).
    name: 'decideHubMembership (a request to hub A)',
    setup: async () => {
      const hub = await ownerOrg({ isHub: true });
      const joiner = await t.seed.organization({ regionCodes: ['370100'] });
      const requested = await t.data<{ requestHubMembership: { request: { id: string } } }>(
        `mutation($input: RequestHubMembershipInput!) { requestHubMembership(input: $input) { request { id } } }`,
        { input: { organizationId: toGlobalId('Organization', joiner.organization.id), hubId: hub.orgId } },
        joiner.token,
      );
      return {
        ...hub,
        requestId: requested.requestHubMembership.request.id,
        joinerDbId: joiner.organization.id,
      };
    },
    call: (f, token) =>
      mutation('decideHubMembership', 'DecideHubMembershipInput')(
        { requestId: f.requestId, accept: true },
        token,
      ),
    state: async (f) => [
      await rows(`select status, decided_at from hub_membership_request where id = ?`, [idOf(f.requestId)]),
      await orgRow(f.joinerDbId),
    ],
    expected: cells('NOT_FOUND', {
      ownerMember: 'FORBIDDEN',
      ownerAdmin: 'ok',
      unionInScope: 'FORBIDDEN',
      publisher: 'FORBIDDEN',
      admin: 'ok',
    }),
  }),
  row({
    name: 'registerWebhook (for A)',
    setup: () => ownerOrg(),
    call: (f, token) =>
      mutation('registerWebhook', 'RegisterWebhookInput')(
        { organizationId: f.orgId, url: 'https://hooks.example.cn/niudai', topics: ['DEMAND_PUBLISHED'] },
        token,
      ),
    state: (f) => rows(`select id from webhook_endpoint where organization_id = ?`, [f.dbId]),
    expected: cells('FORBIDDEN', { ownerAdmin: 'ok', admin: 'ok' }),
  }),

  // ---------------------------------------------------------------- demands
  row({
    // OPEN demands are seen by workers (every seeded organization user is a worker too) and union
    // staff in scope; the others get NOT_FOUND. Only the submitter withdraws, not even an admin.
    name: 'withdrawDemand (OPEN, of submitter)',
    setup: () => openDemand(),
    call: (f, token) => mutation('withdrawDemand', 'WithdrawDemandInput')({ demandId: f.demandId }, token),
    state: (f) => demandRow(f.demandDbId),
    expected: cells('FORBIDDEN', {
      submitter: 'ok',
      unionOutOfScope: 'NOT_FOUND',
      gov: 'NOT_FOUND',
      enterprise: 'NOT_FOUND',
    }),
  }),
  row({
    // Members of A (and admins) claim. Callers who cannot see the demand get NOT_FOUND, as everywhere
    // else (the service used to skip the visibility check for everyone here: FORBIDDEN told a
    // government or out-of-scope caller that the demand id exists).
    name: 'claimDemand (OPEN, for A)',
    setup: async () => ({ ...(await ownerOrg()), ...(await openDemand()) }),
    call: (f, token) =>
      mutation('claimDemand', 'ClaimDemandInput')({ demandId: f.demandId, organizationId: f.orgId }, token),
    state: (f) => demandRow(f.demandDbId),
    expected: cells('FORBIDDEN', {
      ownerMember: 'ok',
      ownerAdmin: 'ok',
      admin: 'ok',
      unionOutOfScope: 'NOT_FOUND',
      gov: 'NOT_FOUND',
      enterprise: 'NOT_FOUND',
    }),
  }),
  row({
    // A CLAIMED demand is seen by its submitter, the claimant's members, union staff in scope, admins.
    name: 'releaseDemand (CLAIMED by A)',
    setup: () => claimedDemand(),
    call: (f, token) =>
      mutation('releaseDemand', 'ReleaseDemandInput')({ demandId: f.demandId, reason: '人手不足' }, token),
    state: (f) => demandRow(f.demandDbId),
    expected: cells('NOT_FOUND', {
      submitter: 'FORBIDDEN',
      ownerMember: 'ok',
      ownerAdmin: 'ok',
      unionInScope: 'FORBIDDEN',
      publisher: 'FORBIDDEN',
      admin: 'ok',
    }),
  }),
  row({
    name: 'fulfilDemand (CLAIMED by A)',
    setup: () => claimedDemand(),
    call: (f, token) =>
      mutation('fulfilDemand', 'FulfilDemandInput')({ demandId: f.demandId, note: '已完成托管' }, token),
    state: (f) => demandRow(f.demandDbId),
    expected: cells('NOT_FOUND', {
      submitter: 'FORBIDDEN',
      ownerMember: 'ok',
      ownerAdmin: 'ok',
      unionInScope: 'FORBIDDEN',
      publisher: 'FORBIDDEN',
      admin: 'ok',
    }),
  }),
  row({
    name: 'rateDemand (FULFILLED by A)',
    setup: () => claimedDemand(true),
    call: (f, token) => mutation('rateDemand', 'RateDemandInput')({ demandId: f.demandId, rating: 5 }, token),
    state: async (f) => [
      await demandRow(f.demandDbId),
      await rows(`select rating_sum, rating_count from organization where id = ?`, [f.dbId]),
    ],
    expected: cells('NOT_FOUND', {
      submitter: 'ok',
      ownerMember: 'FORBIDDEN',
      ownerAdmin: 'FORBIDDEN',
      unionInScope: 'FORBIDDEN',
      publisher: 'FORBIDDEN',
      admin: 'FORBIDDEN',
    }),
  }),
  row({
    name: 'closeDemand (OPEN, in Jinan)',
    setup: () => openDemand(),
    call: (f, token) =>
      mutation('closeDemand', 'CloseDemandInput')({ demandId: f.demandId, reason: '重复提交' }, token),
    state: (f) => demandRow(f.demandDbId),
    expected: cells('FORBIDDEN', {
      unionInScope: 'ok',
      unionOutOfScope: 'NOT_FOUND',
      publisher: 'ok',
      admin: 'ok',
    }),
  }),

  // ---------------------------------------------------------------- projects
  row({
    // Only the publisher's staff change a project: union staff in scope who do not act for it, and
    // admins, are refused (ADMIN is not among the publishing roles of the gate).
    name: 'updateProject (PUBLISHED, amendment)',
    setup: () => project(),
    call: (f, token) =>
      mutation('updateProject', 'UpdateProjectInput')(
        { projectId: f.projectId, title: '改过的项目名称', rationale: '更正标题' },
        token,
      ),
    state: (f) => projectRow(f.projectDbId),
    expected: cells('FORBIDDEN', { publisher: 'ok' }),
  }),
  row({
    name: 'awardProject (EVALUATING, to A’s application)',
    setup: () => project({ evaluating: true }),
    call: (f, token) =>
      t.gql(
        AWARD,
        {
          input: {
            projectId: f.projectId,
            fairnessRationale: SOLE_APPLICANT_RATIONALE,
            awards: [{ applicationId: f.applicationId, amountFen: 5_000_000 }],
          },
        },
        token,
      ),
    state: async (f) => [await projectRow(f.projectDbId), await applicationRows(f.projectDbId)],
    expected: cells('FORBIDDEN', { publisher: 'ok' }),
  }),
  row({
    name: 'shortlistApplication (A’s, PUBLISHED project)',
    setup: () => project({ application: true }),
    call: (f, token) =>
      mutation('shortlistApplication', 'ShortlistApplicationInput')(
        { applicationId: f.applicationId },
        token,
      ),
    state: (f) => applicationRows(f.projectDbId),
    expected: cells('FORBIDDEN', { publisher: 'ok' }),
  }),
  row({
    name: 'withdrawApplication (A’s)',
    setup: () => project({ application: true }),
    call: (f, token) =>
      mutation('withdrawApplication', 'WithdrawApplicationInput')({ applicationId: f.applicationId }, token),
    state: (f) => applicationRows(f.projectDbId),
    expected: cells('FORBIDDEN', { ownerAdmin: 'ok' }),
  }),
  row({
    name: 'applyToProject (PUBLISHED, for A)',
    setup: () => project(),
    call: (f, token) =>
      t.gql(
        APPLY,
        {
          input: {
            projectId: f.projectId,
            organizationId: f.orgId,
            proposal: '方案',
            requestedFen: 1_000_000,
          },
        },
        token,
      ),
    state: (f) => applicationRows(f.projectDbId),
    expected: cells('FORBIDDEN', { ownerAdmin: 'ok' }),
  }),
  row({
    // Only staff acting for the (union) publisher named, with the demands in their scope.
    name: 'createProjectFromDemands (an OPEN Jinan demand, the Jinan union publisher)',
    setup: () => openDemand(),
    call: (f, token) =>
      mutation('createProjectFromDemands', 'CreateProjectFromDemandsInput')(
        { demandIds: [f.demandId], publisherId },
        token,
      ),
    state: (f) => rows(`select project_id from project_demand where demand_id = ?`, [f.demandDbId]),
    expected: cells('FORBIDDEN', { publisher: 'ok' }),
  }),

  // ---------------------------------------------------------------- reads
  row({
    name: 'organization(id) { members } (A)',
    setup: () => ownerOrg(),
    call: (f, token) =>
      t.gql(`query($id: ID!) { organization(id: $id) { id members { role } } }`, { id: f.orgId }, token),
    read: (data) => {
      const org = data.organization as { members: unknown[] | null } | null;
      return org === null ? 'null' : org.members === null ? 'hidden' : `members:${org.members.length}`;
    },
    expected: cells('hidden', {
      anonymous: 'hidden',
      ownerMember: 'members:2',
      ownerAdmin: 'members:2',
      unionInScope: 'members:2',
      publisher: 'members:2',
      admin: 'members:2',
    }),
  }),
  row({
    // Claimed by A, the worker consented: the claimant's members see the contact; union staff and
    // admins see the demand but not the contact; the rest do not see the demand at all.
    name: 'demand(id) { contact } (CLAIMED by A, consent given)',
    setup: () => claimedDemand(),
    call: (f, token) =>
      t.gql(`query($id: ID!) { demand(id: $id) { id contact } }`, { id: f.demandId }, token),
    read: (data) => {
      const demand = data.demand as { contact: string | null } | null;
      if (demand === null) return 'null';
      return demand.contact === SECRET_CONTACT ? 'contact' : demand.contact === null ? 'hidden' : 'other';
    },
    expected: cells('null', {
      submitter: 'contact',
      ownerMember: 'contact',
      ownerAdmin: 'contact',
      unionInScope: 'hidden',
      publisher: 'hidden',
      admin: 'hidden',
    }),
  }),
  row({
    // An organization's claims: its members, union staff in scope and admins; null for the rest.
    name: 'organization(id) { claimedDemands } (A claimed a Jinan demand)',
    setup: () => claimedDemand(),
    call: (f, token) =>
      t.gql(
        `query($id: ID!) { organization(id: $id) { id claimedDemands { totalCount } } }`,
        { id: f.orgId },
        token,
      ),
    read: (data) => {
      const org = data.organization as { claimedDemands: { totalCount: number } | null } | null;
      if (org === null) return 'null';
      return org.claimedDemands === null ? 'hidden' : `claimed:${org.claimedDemands.totalCount}`;
    },
    expected: cells('hidden', {
      anonymous: 'hidden',
      ownerMember: 'claimed:1',
      ownerAdmin: 'claimed:1',
      unionInScope: 'claimed:1',
      publisher: 'claimed:1',
      admin: 'claimed:1',
    }),
  }),
  row({
    // An organization's applications: its members and admins all; a publisher's staff those to
    // their own projects; null for the rest.
    name: 'organization(id) { applications } (A applied to the Jinan union publisher)',
    setup: () => project({ application: true }),
    call: (f, token) =>
      t.gql(
        `query($id: ID!) { organization(id: $id) { id applications { totalCount } } }`,
        { id: f.orgId },
        token,
      ),
    read: (data) => {
      const org = data.organization as { applications: { totalCount: number } | null } | null;
      if (org === null) return 'null';
      return org.applications === null ? 'hidden' : `applications:${org.applications.totalCount}`;
    },
    expected: cells('hidden', {
      anonymous: 'hidden',
      ownerMember: 'applications:1',
      ownerAdmin: 'applications:1',
      publisher: 'applications:1',
      admin: 'applications:1',
    }),
  }),
  row({
    // The notes of a demand's service: whoever sees the claimed demand reads the claimant's note.
    name: 'demand(id) { progressNotes } (CLAIMED by A, one progress note)',
    setup: async () => {
      const claimed = await claimedDemand();
      await t.data(
        `mutation($input: ReportDemandProgressInput!) { reportDemandProgress(input: $input) ${ANY} }`,
        { input: { demandId: claimed.demandId, note: '已上门' } },
        users.ownerMember.token,
      );
      return claimed;
    },
    call: (f, token) =>
      t.gql(`query($id: ID!) { demand(id: $id) { id progressNotes { note } } }`, { id: f.demandId }, token),
    read: (data) => {
      const demand = data.demand as { progressNotes: unknown[] } | null;
      return demand === null ? 'null' : `notes:${demand.progressNotes.length}`;
    },
    expected: cells('null', {
      submitter: 'notes:1',
      ownerMember: 'notes:1',
      ownerAdmin: 'notes:1',
      unionInScope: 'notes:1',
      publisher: 'notes:1',
      admin: 'notes:1',
    }),
  }),
  row({
    // Applications are the publisher's (and admins') to read, and each applicant's own.
    name: 'project(id) { applications } (PUBLISHED, A applied)',
    setup: () => project({ application: true }),
    call: (f, token) =>
      t.gql(
        `query($id: ID!) { project(id: $id) { id applications(first: 10) { totalCount } } }`,
        { id: f.projectId },
        token,
      ),
    read: (data) => {
      const p = data.project as { applications: { totalCount: number } } | null;
      return p === null ? 'null' : `applications:${p.applications.totalCount}`;
    },
    expected: cells('applications:0', {
      anonymous: 'applications:0',
      ownerMember: 'applications:1',
      ownerAdmin: 'applications:1',
      publisher: 'applications:1',
      admin: 'applications:1',
    }),
  }),
  row({
    // The full trail (here: an updateOrganization entry) for A's members, union staff in scope and
    // admins; everyone else reads only the public decisions.
    name: 'auditTrail(subjectId: A)',
    setup: async () => {
      const org = await ownerOrg();
      await t.data(
        `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) ${ANY} }`,
        { input: { organizationId: org.orgId, description: '更新简介' } },
        users.ownerAdmin.token,
      );
      return org;
    },
    call: (f, token) =>
      t.gql(
        `query($id: ID!) { auditTrail(subjectId: $id, first: 20) { edges { node { action } } } }`,
        { id: f.orgId },
        token,
      ),
    read: (data) => {
      const trail = data.auditTrail as { edges: { node: { action: string } }[] };
      return trail.edges.some((e) => e.node.action === 'updateOrganization') ? 'full' : 'public';
    },
    expected: cells('public', {
      anonymous: 'public',
      ownerMember: 'full',
      ownerAdmin: 'full',
      unionInScope: 'full',
      publisher: 'full',
      admin: 'full',
    }),
  }),
];

function tokenOf(caller: Caller): string | null {
  return caller === 'anonymous' ? null : users[caller].token;
}

/** One cell: a fresh object, the call, the answer, and whether the object's rows changed as they should. */
async function runCell(row: Row<unknown>, caller: Caller): Promise<string | null> {
  const fixture = await row.setup();
  const before = row.state ? JSON.stringify(await row.state(fixture)) : null;
  const { body } = await row.call(fixture, tokenOf(caller));
  const error = body.errors?.[0];
  const got: Outcome = error
    ? String(error.extensions?.code ?? 'NO_CODE')
    : row.read
      ? row.read(body.data ?? {})
      : 'ok';
  const want = row.expected[caller];
  if (got !== want)
    return `${row.name} × ${caller}: expected ${want}, got ${got}${error ? ` (${error.message})` : ''}`;
  if (row.state) {
    const after = JSON.stringify(await row.state(fixture));
    if (got === 'ok' && after === before) return `${row.name} × ${caller}: answered ok but changed nothing`;
    if (got !== 'ok' && after !== before)
      return `${row.name} × ${caller}: refused (${got}) but changed ${before} → ${after}`;
  }
  return null;
}

describe('the ownership and scope matrix', () => {
  it('covers every caller in every row', () => {
    for (const row of ROWS) expect(Object.keys(row.expected).sort(), row.name).toEqual([...CALLERS].sort());
  });

  for (const row of ROWS) {
    it(
      row.name,
      async () => {
        const problems = (await Promise.all(CALLERS.map((caller) => runCell(row, caller)))).filter(
          (p): p is string => p !== null,
        );
        expect(problems).toEqual([]);
      },
      30_000,
    );
  }
});
