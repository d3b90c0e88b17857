import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/core/roles.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { MemberRole, VerificationStatus } from '../../../src/modules/organizations/organization.enums.js';
import { AuditEntry } from '../../../src/modules/audit/audit-entry.entity.js';
import type { HsdsOrganization } from '../../../src/modules/opendata/hsds.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { seedPublisher } from '../projects/project-helpers.js';
import { seedDemand } from '../reports/report-helpers.js';

/**
 * The smaller permission holes an outside sweep found, each over real HTTP: users by id, organization
 * ids as arguments, FORBIDDEN versus NOT_FOUND, union staff's project regions, re-parenting regions,
 * ids in audit summaries, organization roles and endorsers, and the open-data exports.
 */
const PUBLIC_URL = 'https://hub.example.org/niudai';
let t: TestApp;
let admin: SeededUser;
let worker: SeededUser;
let staffJinan: SeededUser;
let staffQingdao: SeededUser;
let org: SeededOrganization;
let member: SeededUser;
let pending: SeededOrganization;

const gid = (o: { globalId(): string }) => o.globalId();
const code = (res: { body: { errors?: { extensions?: { code?: string } }[] } }) =>
  res.body.errors?.[0]?.extensions?.code ?? null;

beforeAll(async () => {
  t = await startTestApp({ PUBLIC_URL });
  admin = await t.seed.admin();
  worker = await t.seed.worker();
  staffJinan = await t.seed.unionStaff('370100');
  staffQingdao = await t.seed.unionStaff('370200');
  org = await t.seed.organization({ homeRegionCode: '370102' });
  member = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_MEMBER);
  pending = await t.seed.organization({ verified: false, homeRegionCode: '370102' });
});
afterAll(() => t.stop());

describe('users by id', () => {
  const USER = `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { displayName roles status createdAt email regionScope { code } } } }`;
  type Shown = {
    id: string;
    displayName: string;
    roles: string[] | null;
    status: string | null;
    createdAt: string | null;
    email: string | null;
  } | null;
  const nodes = async (ids: string[], token: string) =>
    (await t.data<{ nodes: Shown[] }>(USER, { ids }, token)).nodes;

  it('a self-registered worker sees herself only: everyone else is exactly an unknown id', async () => {
    const ids = [admin, staffJinan, org.admin, member].map((u) => gid(u.user));
    const unknown = toGlobalId('User', 987_654_321);
    const byWorker = await nodes([gid(worker.user), ...ids, unknown], worker.token);
    expect(byWorker[0]).toMatchObject({ id: gid(worker.user), email: worker.user.email });
    expect(byWorker.slice(1)).toEqual([null, null, null, null, null]);
    const one = await t.gql(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: gid(admin.user) },
      worker.token,
    );
    const none = await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: unknown }, worker.token);
    expect(one.body).toEqual(none.body);
    expect(one.body).toEqual({ data: { node: null } });
  });

  it('fellow members see each other’s name only', async () => {
    const [shown] = await nodes([gid(org.admin.user)], member.token);
    expect(shown).toEqual({
      id: gid(org.admin.user),
      displayName: org.admin.user.displayName,
      roles: null,
      status: null,
      createdAt: null,
      email: null,
      regionScope: null,
    });
  });

  it('union staff see the accounts in their scope (not email), admins see everything', async () => {
    const otherStaff = await t.seed.unionStaff('370102');
    const byStaff = await nodes(
      [gid(org.admin.user), gid(otherStaff.user), gid(staffQingdao.user), gid(admin.user), gid(worker.user)],
      staffJinan.token,
    );
    expect(byStaff[0]).toMatchObject({ status: 'ACTIVE', email: null });
    expect(byStaff[0]!.roles?.sort()).toEqual(['ORG_ADMIN', 'WORKER']);
    expect(byStaff[1]).toMatchObject({ roles: ['UNION_STAFF'], email: null });
    expect(byStaff.slice(2)).toEqual([null, null, null]);
    // A worker who submitted a demand in the scope is in it too (as the demand's submitter is).
    await seedDemand(t, worker.user.id, { regionCode: '370102', categoryCode: 'LIFE' });
    expect((await nodes([gid(worker.user)], staffJinan.token))[0]).toMatchObject({ status: 'ACTIVE' });
    const [byAdmin] = await nodes([gid(org.admin.user)], admin.token);
    expect(byAdmin).toMatchObject({ email: org.admin.user.email, status: 'ACTIVE' });
  });
});

describe('user ids as arguments', () => {
  it('addPublisherStaff answers a user the staff may not see as an unknown id (not her roles)', async () => {
    const publisher = await seedPublisher(t); // acting union staff of Jinan
    const ADD = `mutation($input: AddPublisherStaffInput!) { addPublisherStaff(input: $input) { user { id } } }`;
    const add = (userId: string) =>
      t.gql(ADD, { input: { publisherId: publisher.publisherId, userId } }, staffJinan.token);
    const hidden = await add(gid(admin.user));
    const unknown = await add(toGlobalId('User', 987_654_321));
    expect(code(hidden)).toBe('NOT_FOUND');
    expect(hidden.body.errors?.[0]?.message.replace(gid(admin.user), 'ID')).toBe(
      unknown.body.errors?.[0]?.message.replace(toGlobalId('User', 987_654_321), 'ID'),
    );
  });
});

describe('organization ids as arguments', () => {
  it('demands(filter: { matchingOrganization }) answers a pending organization as an unknown one', async () => {
    const DEMANDS = `query($org: ID!) { demands(filter: { matchingOrganization: $org }) { totalCount } }`;
    const hidden = await t.gql(DEMANDS, { org: gid(pending.organization) }, worker.token);
    const unknown = await t.gql(DEMANDS, { org: toGlobalId('Organization', 987_654_321) }, worker.token);
    expect(code(hidden)).toBe('BAD_USER_INPUT');
    expect(hidden.body).toEqual(unknown.body);
    // Its own admin sees it, so the filter works for her.
    const own = await t.gql(DEMANDS, { org: gid(pending.organization) }, pending.token);
    expect(own.body.errors).toBeUndefined();
  });

  it('organizations(filter: { hubId }) lists nothing for a hub the viewer may not see', async () => {
    const hub = await t.seed.organization({ isHub: true });
    await t.seed.organization({ hubId: hub.organization.id });
    await t.orm.em
      .fork()
      .nativeUpdate(
        'Organization',
        { id: hub.organization.id },
        { verificationStatus: VerificationStatus.SUSPENDED },
      );
    const LIST = `query($hub: ID!) { organizations(filter: { hubId: $hub }) { totalCount edges { node { id } } } }`;
    const hidden = await t.data(LIST, { hub: gid(hub.organization) }, worker.token);
    const unknown = await t.data(LIST, { hub: toGlobalId('Organization', 987_654_321) }, worker.token);
    expect(hidden).toEqual(unknown);
    expect(hidden).toEqual({ organizations: { totalCount: 0, edges: [] } });
    const byAdmin = await t.data<{ organizations: { totalCount: number } }>(
      LIST,
      { hub: gid(hub.organization) },
      admin.token,
    );
    expect(byAdmin.organizations.totalCount).toBe(1);
  });

  it('publishProject refuses to invite a pending organization exactly as an unknown one', async () => {
    const publisher = await seedPublisher(t); // union staff of Jinan: a pending Qingdao organization is unseen
    const elsewhere = await t.seed.organization({ verified: false, homeRegionCode: '370202' });
    const PUBLISH = `mutation($input: PublishProjectInput!) { publishProject(input: $input) { project { id } } }`;
    const input = (invited: string) => ({
      title: '定向项目',
      categoryCode: 'LIFE',
      regionCodes: ['370102'],
      budgetFen: 100_000,
      procurementMethod: 'DIRECT',
      invitedOrganizationIds: [invited],
      applicationOpensAt: new Date().toISOString(),
      applicationClosesAt: new Date(Date.now() + 86_400_000).toISOString(),
      publish: false,
    });
    const hidden = await t.gql(PUBLISH, { input: input(gid(elsewhere.organization)) }, publisher.token);
    const unknown = await t.gql(
      PUBLISH,
      { input: input(toGlobalId('Organization', 987_654_321)) },
      publisher.token,
    );
    expect(code(hidden)).toBe('BAD_USER_INPUT');
    expect(hidden.body).toEqual(unknown.body);
  });
});

describe('FORBIDDEN for what the viewer sees, NOT_FOUND for what they do not', () => {
  it('organizations: out-of-scope staff are FORBIDDEN on a verified one, NOT_FOUND on a pending one', async () => {
    const SUSPEND = `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`;
    const VERIFY = `mutation($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { id } } }`;
    const visible = await t.gql(
      SUSPEND,
      { input: { organizationId: gid(org.organization), reason: '测试' } },
      staffQingdao.token,
    );
    expect(code(visible)).toBe('FORBIDDEN');
    const invisible = await t.gql(
      VERIFY,
      { input: { organizationId: gid(pending.organization) } },
      staffQingdao.token,
    );
    expect(code(invisible)).toBe('NOT_FOUND');
    // Out-of-scope staff who belong to the pending organization see it: FORBIDDEN, not NOT_FOUND.
    await t.seed.organizationMember(pending.organization.id, MemberRole.ORG_MEMBER, staffQingdao);
    const asMember = await t.gql(
      VERIFY,
      { input: { organizationId: gid(pending.organization) } },
      staffQingdao.token,
    );
    expect(code(asMember)).toBe('FORBIDDEN');
  });

  it('projects: another publisher’s draft is NOT_FOUND unless the viewer may see it (admins), then FORBIDDEN', async () => {
    const mine = await seedPublisher(t);
    const theirs = await seedPublisher(t);
    const draft = await t.data<{ publishProject: { project: { id: string } } }>(
      `mutation($input: PublishProjectInput!) { publishProject(input: $input) { project { id } } }`,
      {
        input: {
          title: '草稿',
          categoryCode: 'LIFE',
          regionCodes: ['370102'],
          budgetFen: 100,
          applicationOpensAt: new Date().toISOString(),
          applicationClosesAt: new Date(Date.now() + 86_400_000).toISOString(),
          publish: false,
        },
      },
      theirs.token,
    );
    const UPDATE = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id } } }`;
    const input = { projectId: draft.publishProject.project.id, title: '改' };
    expect(code(await t.gql(UPDATE, { input }, mine.token))).toBe('NOT_FOUND');
    // The same staff account, also a platform admin, sees every draft: now it is FORBIDDEN.
    await t.orm.em
      .fork()
      .getConnection()
      .execute(`update app_user set roles = array[?, ?]::text[] where id = ?`, [
        Role.UNION_STAFF,
        Role.ADMIN,
        mine.staff.user.id,
      ]);
    expect(code(await t.gql(UPDATE, { input }, mine.token))).toBe('FORBIDDEN');
  });
});

describe("union staff's project regions", () => {
  const PUBLISH = `mutation($input: PublishProjectInput!) { publishProject(input: $input) { project { id } } }`;
  const UPDATE = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id } amendment { id } } }`;
  const fields = (regionCodes: string[], publish: boolean) => ({
    title: '区域项目',
    categoryCode: 'LIFE',
    regionCodes,
    budgetFen: 100_000,
    applicationOpensAt: new Date().toISOString(),
    applicationClosesAt: new Date(Date.now() + 86_400_000).toISOString(),
    publish,
  });

  it('publishProject and updateProject (amendments too) refuse regions outside the scope', async () => {
    const publisher = await seedPublisher(t); // union staff scoped to Jinan (370100)
    const outside = await t.gql(PUBLISH, { input: fields(['370102', '370202'], true) }, publisher.token);
    expect(code(outside)).toBe('FORBIDDEN');
    expect(outside.body.errors?.[0]?.extensions?.regionCode).toBe('370202');
    const published = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: fields(['370102'], true) },
      publisher.token,
    );
    const projectId = published.publishProject.project.id;
    const amend = await t.gql(
      UPDATE,
      { input: { projectId, regionCodes: ['370200'], rationale: '扩大范围' } },
      publisher.token,
    );
    expect(code(amend)).toBe('FORBIDDEN');
    const inside = await t.data<{ updateProject: { amendment: { id: string } | null } }>(
      UPDATE,
      { input: { projectId, regionCodes: ['370102', '370103'], rationale: '扩大范围' } },
      publisher.token,
    );
    expect(inside.updateProject.amendment).not.toBeNull();
  });
});

describe('importRegions', () => {
  const IMPORT = `mutation($input: ImportRegionsInput!) { importRegions(input: $input) { created updated } }`;
  it('refuses to re-parent an existing region (CONFLICT naming it) and still renames', async () => {
    const moved = await t.gql(
      IMPORT,
      { input: { csv: 'code,name,nameEn,parentCode\n370100,济南市,Jinan,370200\n' } },
      admin.token,
    );
    expect(code(moved)).toBe('CONFLICT');
    expect(moved.body.errors?.[0]?.message).toContain('370100');
    expect(moved.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const region = await t.data<{ region: { parent: { code: string } } }>(
      `{ region(code: "370100") { parent { code } } }`,
    );
    expect(region.region.parent.code).toBe('370000');
    const renamed = await t.data<{ importRegions: { updated: number } }>(
      IMPORT,
      { input: { csv: 'code,name,nameEn,parentCode\n370100,济南市,Jinan City,370000\n' } },
      admin.token,
    );
    expect(renamed.importRegions.updated).toBe(1);
  });
});

describe('audit summaries', () => {
  const TRAIL = `query($id: ID!) { auditTrail(subjectId: $id, first: 10) { edges { node { action summary } } } }`;
  it('name objects by global id, which node(id:) resolves; older numeric entries read the same', async () => {
    const demand = await seedDemand(t, worker.user.id, { regionCode: '370102', categoryCode: 'LIFE' });
    await t.data(
      `mutation($input: ClaimDemandInput!) { claimDemand(input: $input) { demand { status } } }`,
      { input: { demandId: gid(demand), organizationId: gid(org.organization) } },
      member.token,
    );
    const em = t.orm.em.fork();
    em.create(AuditEntry, {
      actor: null,
      actorRoles: [],
      action: 'demand.claimLapse',
      subjectId: gid(demand),
      subjectType: 'Demand',
      summary: {
        organizationId: org.organization.id,
        changes: { invitedOrganizationIds: { from: [org.organization.id], to: [] } },
      },
      requestId: null,
    });
    await em.flush();
    const trail = await t.data<{
      auditTrail: { edges: { node: { action: string; summary: Record<string, unknown> } }[] };
    }>(TRAIL, { id: gid(demand) }, admin.token);
    const byAction = new Map(trail.auditTrail.edges.map((e) => [e.node.action, e.node.summary]));
    expect(byAction.get('demand.claim')?.organizationId).toBe(gid(org.organization));
    expect(byAction.get('demand.claimLapse')).toEqual({
      organizationId: gid(org.organization),
      changes: { invitedOrganizationIds: { from: [gid(org.organization)], to: [] } },
    });
    const stored = await t.orm.em
      .fork()
      .findOneOrFail(AuditEntry, { subjectId: gid(demand), action: 'demand.claim' });
    expect(stored.summary.organizationId).toBe(gid(org.organization));
    const node = await t.data<{ node: { id: string } | null }>(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: byAction.get('demand.claim')?.organizationId },
      admin.token,
    );
    expect(node.node?.id).toBe(gid(org.organization));
  });
});

describe('roles and endorsers', () => {
  it('viewer.roles includes the organization roles from memberships', async () => {
    const mine = await t.data<{ viewer: { roles: string[] } }>(`{ viewer { roles } }`, {}, org.token);
    expect(mine.viewer.roles.sort()).toEqual(['ORG_ADMIN', 'WORKER']);
    const asMember = await t.data<{ viewer: { roles: string[] } }>(`{ viewer { roles } }`, {}, member.token);
    expect(asMember.viewer.roles.sort()).toEqual(['ORG_MEMBER', 'WORKER']);
  });

  it('an endorser keeps seeing the demand after it leaves OPEN: by id, by node and in the list, without contact or an anonymous submitter', async () => {
    const submitter = await t.seed.worker();
    const endorser = await t.seed.worker();
    const stranger = await t.seed.worker();
    const demand = await seedDemand(t, submitter.user.id, {
      regionCode: '370102',
      categoryCode: 'LIFE',
      contact: '13912345678 王女士',
    });
    await t.orm.em
      .fork()
      .getConnection()
      .execute(`update demand set anonymous = true, contact_consent = true where id = ?`, [demand.id]);
    await t.data(
      `mutation($input: EndorseDemandInput!) { endorseDemand(input: $input) { demand { id } } }`,
      { input: { demandId: gid(demand) } },
      endorser.token,
    );
    await t.data(
      `mutation($input: ClaimDemandInput!) { claimDemand(input: $input) { demand { status } } }`,
      { input: { demandId: gid(demand), organizationId: gid(org.organization) } },
      member.token,
    );
    const ONE = `query($id: ID!) {
      demand(id: $id) { id status contact submittedBy { id } }
      node(id: $id) { ... on Demand { id status contact submittedBy { id } } }
      demands(filter: { statuses: [CLAIMED] }, first: 100) { edges { node { id contact submittedBy { id } } } }
    }`;
    type One = {
      demand: { id: string; status: string; contact: string | null; submittedBy: unknown } | null;
      node: { id: string } | null;
      demands: { edges: { node: { id: string; contact: string | null; submittedBy: unknown } }[] };
    };
    const seen = await t.data<One>(ONE, { id: gid(demand) }, endorser.token);
    expect(seen.demand).toEqual({ id: gid(demand), status: 'CLAIMED', contact: null, submittedBy: null });
    expect(seen.node).toEqual(seen.demand);
    expect(seen.demands.edges.map((e) => e.node)).toContainEqual({
      id: gid(demand),
      contact: null,
      submittedBy: null,
    });
    const unseen = await t.data<One>(ONE, { id: gid(demand) }, stranger.token);
    expect(unseen.demand).toBeNull();
    expect(unseen.node).toBeNull();
    expect(unseen.demands.edges.map((e) => e.node.id)).not.toContain(gid(demand));
    // The endorser sees it, so a change she may not make is FORBIDDEN rather than NOT_FOUND.
    const withdraw = await t.gql(
      `mutation($input: WithdrawDemandInput!) { withdrawDemand(input: $input) { demand { id } } }`,
      { input: { demandId: gid(demand) } },
      endorser.token,
    );
    expect(code(withdraw)).toBe('FORBIDDEN');
    // Its status then moves on without the endorser losing it.
    await t.orm.em
      .fork()
      .getConnection()
      .execute(`update demand set status = ? where id = ?`, [DemandStatus.FULFILLED, demand.id]);
    expect((await t.data<One>(ONE, { id: gid(demand) }, endorser.token)).demand?.status).toBe('FULFILLED');
  });
});

describe('open-data exports', () => {
  function get(
    path: string,
    host: string,
  ): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
    const { port } = new URL(t.url);
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The organizations' open-data UUIDs, in the order asked. */
  async function openDataIds(ids: number[]): Promise<string[]> {
    const rows = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ id: string; open_data_id: string }[]>(
        `select id, open_data_id from organization where id in (${ids.map(() => '?').join(', ')})`,
        ids,
      );
    return ids.map((id) => rows.find((r) => Number(r.id) === id)!.open_data_id);
  }

  it('HSDS shows exactly what the anonymous API shows: no retired service, no unseen hub', async () => {
    const hub = await t.seed.organization({ isHub: true });
    const withServices = await t.seed.organization({
      hubId: hub.organization.id,
      services: [{ name: '在用服务' }, { name: '已停用服务' }],
    });
    const retired = withServices.services[1]!;
    await t.orm.em
      .fork()
      .getConnection()
      .execute(`update service set status = 'RETIRED' where id = ?`, [retired.id]);
    await t.orm.em
      .fork()
      .getConnection()
      .execute(`update organization set verification_status = 'SUSPENDED' where id = ?`, [
        hub.organization.id,
      ]);
    const res = await get('/opendata/hsds/organizations.ndjson', '127.0.0.1');
    const lines = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HsdsOrganization);
    const openIds = await openDataIds([withServices, hub, pending].map((o) => o.organization.id));
    const exported = lines.find((o) => o.id === openIds[0]);
    expect(exported?.services?.map((s) => s.name)).toEqual(['在用服务']);
    expect(exported).not.toHaveProperty('parent_organization_id');
    expect(lines.map((o) => o.id)).not.toContain(openIds[1]);
    expect(lines.map((o) => o.id)).not.toContain(openIds[2]);
    // The API answers the same for the anonymous reader.
    const api = await t.data<{ organization: { services: { name: string }[]; hub: unknown } }>(
      `query($id: ID!) { organization(id: $id) { services { name } hub { id } } }`,
      { id: gid(withServices.organization) },
    );
    expect(api.organization).toEqual({ services: [{ name: '在用服务' }], hub: null });
    const retiredByNode = await t.data(`query($id: ID!) { node(id: $id) { id } }`, { id: gid(retired) });
    expect(retiredByNode).toEqual({ node: null });
  });

  it('OCDS builds its URL from PUBLIC_URL, never from the Host header', async () => {
    const res = await get('/opendata/ocds/releases.json', 'evil.example');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { uri: string };
    expect(body.uri).toBe(`${PUBLIC_URL}/opendata/ocds/releases.json`);
    expect(res.text).not.toContain('evil.example');
  });
});
