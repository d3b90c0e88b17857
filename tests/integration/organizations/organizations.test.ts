import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { makeCreditCode } from '../../../src/modules/organizations/credit-code.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import { Organization } from '../../../src/modules/organizations/organization.entity.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const REGISTER = `mutation($input: RegisterOrganizationInput!) {
  registerOrganization(input: $input) { organization { id name creditCode verification { status } regionsServed { code } members { role user { displayName } } } } }`;
const ORG = `query($id: ID) { organization(id: $id) { id name publicContact members { role } services { name } } }`;
const UPDATE = `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { name description } } }`;
const ADD_SERVICE = `mutation($input: AddServiceInput!) { addService(input: $input) { service { id name categories { code } } organization { categories { code } } } }`;

const gid = (o: { id: number }) => toGlobalId('Organization', o.id);
let serial = 9000;
const registration = (overrides: Record<string, unknown> = {}) => ({
  name: '济南市历下区阳光职工服务中心',
  creditCode: makeCreditCode('SOCIAL_SERVICE_AGENCY', ++serial, '370102'),
  kind: 'SOCIAL_SERVICE_AGENCY',
  foundingType: 'INDEPENDENT',
  homeRegionCode: '370102',
  categoryCodes: ['LIFE.CHILDCARE'],
  ...overrides,
});

async function nameInDb(id: number): Promise<string> {
  const org = await t.orm.em.fork().findOneOrFail(Organization, { id });
  return org.name;
}

describe('registerOrganization', () => {
  it('makes the caller ORG_ADMIN of a PENDING organization serving its home region by default', async () => {
    const worker = await t.seed.worker();
    const input = registration({
      creditCode: ` ${makeCreditCode('SOCIAL_SERVICE_AGENCY', 1, '370102').toLowerCase()} `,
    });
    const res = await t.data<{ registerOrganization: { organization: Record<string, unknown> } }>(
      REGISTER,
      { input },
      worker.token,
    );
    expect(res.registerOrganization.organization).toMatchObject({
      name: '济南市历下区阳光职工服务中心',
      creditCode: makeCreditCode('SOCIAL_SERVICE_AGENCY', 1, '370102'),
      verification: { status: 'PENDING' },
      regionsServed: [{ code: '370102' }],
      members: [{ role: 'ORG_ADMIN' }],
    });
  });

  it.each([
    ['LENGTH', '5237010212345'],
    ['ALPHABET', '52370102MJD12345I'.padEnd(18, 'O')],
    ['CHECK_CHARACTER', makeCreditCode('SOCIAL_SERVICE_AGENCY', 77, '370102').slice(0, 17) + '0'],
    ['NOT_CIVIL_AFFAIRS', null],
    ['KIND_MISMATCH', makeCreditCode('FOUNDATION', 78, '370102')],
  ])('rejects a credit code failing %s as BAD_USER_INPUT on input.creditCode', async (reason, code) => {
    const worker = await t.seed.worker();
    let creditCode = code;
    if (reason === 'NOT_CIVIL_AFFAIRS') {
      // A valid code of another registration authority (9 = market regulation).
      const body = makeCreditCode('SOCIAL_GROUP', 79, '370102').slice(1, 17);
      const { creditCodeCheckChar } = await import('../../../src/modules/organizations/credit-code.js');
      creditCode = '9' + body + creditCodeCheckChar('9' + body);
    }
    const { body } = await t.gql(REGISTER, { input: registration({ creditCode }) }, worker.token);
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason,
      fields: [{ path: 'input.creditCode' }],
    });
  });

  it('answers CONFLICT for a credit code already registered, and names unknown regions and categories', async () => {
    const worker = await t.seed.worker();
    const input = registration();
    await t.data(REGISTER, { input }, worker.token);
    const again = await t.gql(REGISTER, { input }, (await t.seed.worker()).token);
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const badRegion = await t.gql(
      REGISTER,
      { input: registration({ homeRegionCode: '990000' }) },
      worker.token,
    );
    expect(badRegion.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.homeRegionCode' }],
    });
    const badCategory = await t.gql(
      REGISTER,
      { input: registration({ categoryCodes: ['NOPE'] }) },
      worker.token,
    );
    expect(badCategory.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.categoryCodes' }],
    });
  });

  it('refuses anonymous callers', async () => {
    const { body } = await t.gql(REGISTER, { input: registration() });
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('permissions', () => {
  let a: SeededOrganization;
  let pendingA: SeededOrganization;
  let b: SeededOrganization;
  let memberOfA: SeededUser;
  const who: Record<string, string | null> = {};

  beforeAll(async () => {
    a = await t.seed.organization({ name: '甲组织', homeRegionCode: '370102' });
    pendingA = await t.seed.organization({
      name: '甲待审组织',
      verified: false,
      homeRegionCode: '370102',
      admin: a.admin,
    });
    b = await t.seed.organization({ name: '乙组织', homeRegionCode: '370202' });
    memberOfA = await t.seed.organizationMember(pendingA.organization.id, MemberRole.ORG_MEMBER);
    await t.seed.organizationMember(a.organization.id, MemberRole.ORG_MEMBER, memberOfA);
    Object.assign(who, {
      anonymous: null,
      worker: (await t.seed.worker()).token,
      memberOfA: memberOfA.token,
      adminOfA: a.token,
      adminOfB: b.token,
      staffInScope: (await t.seed.unionStaff('370100')).token,
      staffOutOfScope: (await t.seed.unionStaff('370200')).token,
      admin: (await t.seed.admin()).token,
    });
  });

  it.each([
    ['anonymous', false, false],
    ['worker', false, false],
    ['memberOfA', true, true],
    ['adminOfA', true, true],
    ['adminOfB', false, false],
    ['staffInScope', true, true],
    ['staffOutOfScope', false, false],
    ['admin', true, true],
  ])('%s: sees the pending organization %s, its members %s', async (role, seesPending, seesMembers) => {
    const res = await t.data<{ organization: { members: unknown[] | null; publicContact: string } | null }>(
      ORG,
      { id: gid(pendingA.organization) },
      who[role],
    );
    expect(res.organization !== null).toBe(seesPending);
    if (res.organization) expect(res.organization.members !== null).toBe(seesMembers);
    const viaNode = await t.data<{ node: { id: string } | null }>(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: gid(pendingA.organization) },
      who[role],
    );
    expect(viaNode.node !== null).toBe(seesPending);
    const verified = await t.data<{ organization: { members: unknown[] | null; publicContact: string } }>(
      ORG,
      { id: gid(a.organization) },
      who[role],
    );
    expect(verified.organization.publicContact).toBeTruthy();
    expect(verified.organization.members !== null).toBe(seesMembers);
  });

  it.each([
    ['anonymous', 'UNAUTHENTICATED'],
    ['worker', 'FORBIDDEN'],
    ['memberOfA', 'FORBIDDEN'],
    ['adminOfB', 'FORBIDDEN'],
    ['staffInScope', 'FORBIDDEN'],
    ['adminOfA', null],
    ['admin', null],
  ])("%s changing A's profile and services by id: %s", async (role, code) => {
    const before = await nameInDb(a.organization.id);
    const update = await t.gql(
      UPDATE,
      { input: { organizationId: gid(a.organization), name: `改名-${role}` } },
      who[role],
    );
    const add = await t.gql(
      ADD_SERVICE,
      {
        input: {
          organizationId: gid(a.organization),
          name: `服务-${role}`,
          categoryCodes: ['LIFE'],
          mode: 'ONLINE',
          fee: 'FREE',
        },
      },
      who[role],
    );
    expect(update.body.errors?.[0]?.extensions?.code ?? null).toBe(code);
    expect(add.body.errors?.[0]?.extensions?.code ?? null).toBe(code);
    if (code) expect(await nameInDb(a.organization.id)).toBe(before);
    else expect(await nameInDb(a.organization.id)).toBe(`改名-${role}`);
  });

  it("refuses B's admin changing or removing A's service by id, and leaves it as it was", async () => {
    const added = await t.data<{ addService: { service: { id: string } } }>(
      ADD_SERVICE,
      {
        input: {
          organizationId: gid(a.organization),
          name: '心理咨询',
          categoryCodes: ['WORK.PSYCHOLOGY'],
          mode: 'BOTH',
          fee: 'FREE',
        },
      },
      a.token,
    );
    const serviceId = added.addService.service.id;
    const upd = await t.gql(
      `mutation($input: UpdateServiceInput!) { updateService(input: $input) { service { name } } }`,
      { input: { serviceId, name: '被篡改' } },
      b.token,
    );
    const rem = await t.gql(
      `mutation($input: RemoveServiceInput!) { removeService(input: $input) { removedServiceId } }`,
      { input: { serviceId } },
      b.token,
    );
    expect(upd.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(rem.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const node = await t.data<{ node: { name: string } }>(
      `query($id: ID!) { node(id: $id) { ... on Service { name } } }`,
      { id: serviceId },
    );
    expect(node.node.name).toBe('心理咨询');
    const removed = await t.data<{ removeService: { organization: { services: { name: string }[] } } }>(
      `mutation($input: RemoveServiceInput!) { removeService(input: $input) { organization { services { name } } } }`,
      { input: { serviceId } },
      a.token,
    );
    expect(removed.removeService.organization.services.map((s) => s.name)).not.toContain('心理咨询');
  });

  it.each([
    // Out-of-scope staff cannot even see a pending organization elsewhere.
    ['staffOutOfScope', 'NOT_FOUND'],
    ['its own admin', 'FORBIDDEN'],
    ['worker', 'NOT_FOUND'],
    ['staffInScope', null],
  ])('%s verifying a pending organization: %s', async (role, code) => {
    const org = await t.seed.organization({ verified: false, homeRegionCode: '370102' });
    const res = await t.gql(
      `mutation($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { verification { status reason decidedAt } } } }`,
      { input: { organizationId: gid(org.organization), reason: '材料齐全' } },
      role === 'its own admin' ? org.token : who[role],
    );
    expect(res.body.errors?.[0]?.extensions?.code ?? null).toBe(code);
    if (!code)
      expect(res.body.data).toMatchObject({
        verifyOrganization: { organization: { verification: { status: 'VERIFIED', reason: '材料齐全' } } },
      });
  });

  it('suspending with a reason takes it out of the public directory and records who decided', async () => {
    const org = await t.seed.organization({ name: '将被暂停的组织', homeRegionCode: '370102' });
    const staff = await t.seed.unionStaff('370000');
    const outOfScope = await t.gql(
      `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: gid(org.organization), reason: '越权' } },
      who.staffOutOfScope,
    );
    expect(outOfScope.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await t.data(
      `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: gid(org.organization), reason: '年检未通过' } },
      staff.token,
    );
    expect(
      (await t.data<{ organization: unknown }>(ORG, { id: gid(org.organization) })).organization,
    ).toBeNull();
    const trail = await t.data<{ auditTrail: { edges: { node: { action: string } }[] } }>(
      `query($id: ID!) { auditTrail(subjectId: $id) { edges { node { action } } } }`,
      { id: gid(org.organization) },
      staff.token,
    );
    expect(trail.auditTrail.edges.map((e) => e.node.action)).toContain('suspendOrganization');
  });

  it('members: admins add by login and remove, but never the last admin', async () => {
    const org = await t.seed.organization();
    const newcomer = await t.seed.worker();
    const email = newcomer.user.email!;
    const add = await t.data<{ addOrganizationMember: { member: { role: string; user: { id: string } } } }>(
      `mutation($input: AddOrganizationMemberInput!) { addOrganizationMember(input: $input) { member { role user { id } } } }`,
      { input: { organizationId: gid(org.organization), login: email, role: 'ORG_MEMBER' } },
      org.token,
    );
    expect(add.addOrganizationMember.member.role).toBe('ORG_MEMBER');
    const dup = await t.gql(
      `mutation($input: AddOrganizationMemberInput!) { addOrganizationMember(input: $input) { member { role } } }`,
      { input: { organizationId: gid(org.organization), login: email, role: 'ORG_MEMBER' } },
      org.token,
    );
    expect(dup.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const REMOVE = `mutation($input: RemoveOrganizationMemberInput!) { removeOrganizationMember(input: $input) { removedUserId } }`;
    await t.data(
      REMOVE,
      { input: { organizationId: gid(org.organization), userId: add.addOrganizationMember.member.user.id } },
      org.token,
    );
    const last = await t.gql(
      REMOVE,
      { input: { organizationId: gid(org.organization), userId: toGlobalId('User', org.admin.user.id) } },
      org.token,
    );
    expect(last.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it("members: admins change a member's role, but the last admin cannot step down, and others cannot", async () => {
    const org = await t.seed.organization();
    const member = await t.seed.organizationMember(org.organization.id);
    const SET = `mutation($input: SetOrganizationMemberRoleInput!) { setOrganizationMemberRole(input: $input) { member { role } } }`;
    const set = (userId: number, role: string, token: string) =>
      t.gql<{ setOrganizationMemberRole: { member: { role: string } } }>(
        SET,
        { input: { organizationId: gid(org.organization), userId: toGlobalId('User', userId), role } },
        token,
      );
    // A plain member may not promote herself.
    expect((await set(member.user.id, 'ORG_ADMIN', member.token)).body.errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
    // The only admin cannot step down; once there is another, she can.
    expect((await set(org.admin.user.id, 'ORG_MEMBER', org.token)).body.errors?.[0]?.extensions?.code).toBe(
      'CONFLICT',
    );
    const promoted = await set(member.user.id, 'ORG_ADMIN', org.token);
    expect(promoted.body.data?.setOrganizationMemberRole.member.role).toBe('ORG_ADMIN');
    const stepDown = await set(org.admin.user.id, 'ORG_MEMBER', org.token);
    expect(stepDown.body.data?.setOrganizationMemberRole.member.role).toBe('ORG_MEMBER');
    // A stranger's account is not a member: NOT_FOUND.
    const stranger = await t.seed.worker();
    expect((await set(stranger.user.id, 'ORG_ADMIN', member.token)).body.errors?.[0]?.extensions?.code).toBe(
      'NOT_FOUND',
    );
    const trail = await t.data<{ auditTrail: { edges: { node: { action: string } }[] } }>(
      `query($id: ID!) { auditTrail(subjectId: $id) { edges { node { action } } } }`,
      { id: gid(org.organization) },
      member.token,
    );
    expect(trail.auditTrail.edges.filter((e) => e.node.action === 'setOrganizationMemberRole')).toHaveLength(
      2,
    );
  });
});

describe('hubs', () => {
  const REQUEST = `mutation($input: RequestHubMembershipInput!) { requestHubMembership(input: $input) { request { id status } } }`;
  const DECIDE = `mutation($input: DecideHubMembershipInput!) { decideHubMembership(input: $input) { request { status organization { hub { name } } } } }`;

  it('lets an organization join a verified hub when the hub admin accepts', async () => {
    const hub = await t.seed.organization({ name: '济南市社会组织联合会', isHub: true });
    const org = await t.seed.organization({ name: '成员组织' });
    const notHub = await t.seed.organization();
    const refused = await t.gql(
      REQUEST,
      { input: { organizationId: gid(org.organization), hubId: gid(notHub.organization) } },
      org.token,
    );
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.hubId' }],
    });
    const req = await t.data<{ requestHubMembership: { request: { id: string; status: string } } }>(
      REQUEST,
      { input: { organizationId: gid(org.organization), hubId: gid(hub.organization) } },
      org.token,
    );
    expect(req.requestHubMembership.request.status).toBe('REQUESTED');
    const byMember = await t.gql(
      DECIDE,
      { input: { requestId: req.requestHubMembership.request.id, accept: true } },
      org.token,
    );
    expect(byMember.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const decided = await t.data<{
      decideHubMembership: { request: { status: string; organization: { hub: { name: string } } } };
    }>(DECIDE, { input: { requestId: req.requestHubMembership.request.id, accept: true } }, hub.token);
    expect(decided.decideHubMembership.request).toMatchObject({
      status: 'ACCEPTED',
      organization: { hub: { name: '济南市社会组织联合会' } },
    });
    const members = await t.data<{ organization: { memberOrganizations: { name: string }[] } }>(
      `query($id: ID) { organization(id: $id) { memberOrganizations { name } } }`,
      { id: gid(hub.organization) },
    );
    expect(members.organization.memberOrganizations.map((m) => m.name)).toEqual(['成员组织']);
    const again = await t.gql(
      DECIDE,
      { input: { requestId: req.requestHubMembership.request.id, accept: false } },
      hub.token,
    );
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});
