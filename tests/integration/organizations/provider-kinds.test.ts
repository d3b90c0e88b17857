import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  creditCodeCheckChar,
  makeCreditCode,
  makeProviderCreditCode,
} from '../../../src/modules/organizations/credit-code.js';
import { MemberRole, VerificationStatus } from '../../../src/modules/organizations/organization.enums.js';
import { Organization } from '../../../src/modules/organizations/organization.entity.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { Conformance, loadStandards } from '../../setup/standards.js';
import { APPLY, idOf, projectInput, PUBLISH, seedPublisher } from '../projects/project-helpers.js';

/**
 * Every kind of provider (docs/domain.md, "Providers"): social organizations (5…), caring
 * enterprises (9…) and public institutions (1…) register with a credit code whose first character
 * is their kind's; community groups register without one, naming a verified hub that sponsors them,
 * whose admins verify or decline them (`decideSponsoredGroup`). The directory filters by kind, and a
 * project may restrict the kinds that apply, judged like every other eligibility rule.
 */
// Compiled once, before the tests: the official HSDS schemas, when present (tests/setup/standards.ts).
const { standards } = loadStandards();

let t: TestApp;
let hub: SeededOrganization;
let hubId: string;
let hubMember: SeededUser;
let unionStaff: SeededUser;

const REGISTER = `mutation ($input: RegisterOrganizationInput!) {
  registerOrganization(input: $input) {
    organization { id providerKind kind creditCode verification { status } sponsor { id }
      creditCodeCheck { checksumValid authorityCode problem } }
  }
}`;
const DECIDE = `mutation ($input: DecideSponsoredGroupInput!) {
  decideSponsoredGroup(input: $input) { organization { id verification { status reason } } }
}`;
const SPONSORED = `query ($id: ID!) { organization(id: $id) { sponsoredGroups { id providerKind verification { status } } } }`;
const ORG = `query ($id: ID!) { organization(id: $id) { id providerKind sponsor { id } } }`;
const AUDIT = `query ($id: ID!) { auditTrail(subjectId: $id) { edges { node { action } } } }`;

interface Registered {
  id: string;
  providerKind: string;
  kind: string | null;
  creditCode: string | null;
  verification: { status: string };
  sponsor: { id: string } | null;
  creditCodeCheck: { checksumValid: boolean; authorityCode: string | null; problem: string | null } | null;
}

let serial = 0;
const registration = (overrides: Record<string, unknown> = {}) => ({
  name: `服务主体${++serial}`,
  foundingType: 'INDEPENDENT',
  homeRegionCode: '370102',
  categoryCodes: ['LIFE.CHILDCARE'],
  ...overrides,
});
/** A valid input of each kind. */
const inputOf: Record<string, () => Record<string, unknown>> = {
  SOCIAL_ORGANIZATION: () =>
    registration({
      providerKind: 'SOCIAL_ORGANIZATION',
      kind: 'SOCIAL_SERVICE_AGENCY',
      creditCode: makeCreditCode('SOCIAL_SERVICE_AGENCY', 700 + serial, '370102'),
    }),
  CARING_ENTERPRISE: () =>
    registration({
      providerKind: 'CARING_ENTERPRISE',
      creditCode: makeProviderCreditCode('CARING_ENTERPRISE', 700 + serial, '370102'),
    }),
  PUBLIC_INSTITUTION: () =>
    registration({
      providerKind: 'PUBLIC_INSTITUTION',
      creditCode: makeProviderCreditCode('PUBLIC_INSTITUTION', 700 + serial, '370102'),
    }),
  COMMUNITY_GROUP: () => registration({ providerKind: 'COMMUNITY_GROUP', sponsorOrganizationId: hubId }),
};

const register = (input: Record<string, unknown>, token: string) =>
  t.gql<{ registerOrganization: { organization: Registered } }>(REGISTER, { input }, token);

async function registered(input: Record<string, unknown>, token?: string): Promise<Registered> {
  const res = await register(input, token ?? (await t.seed.worker()).token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.registerOrganization.organization;
}

const decide = (token: string, organizationId: string, accept: boolean, reason?: string) =>
  t.gql<{ decideSponsoredGroup: { organization: { verification: { status: string; reason: string } } } }>(
    DECIDE,
    { input: { organizationId, accept, reason } },
    token,
  );

const codeOf = (res: GqlResponse<unknown>) => res.body.errors?.[0]?.extensions?.code;
const fieldsOf = (res: GqlResponse<unknown>) =>
  ((res.body.errors?.[0]?.extensions?.fields ?? []) as { path: string }[]).map((f) => f.path);
const organizationCount = () => t.orm.em.fork().count(Organization, {});

/** Replaces the first character of a code and fixes its check character, so only the authority is wrong. */
function withAuthority(code: string, authority: string): string {
  const first17 = authority + code.slice(1, 17);
  return first17 + creditCodeCheckChar(first17);
}

/** The same code with a wrong check character. */
function withBadCheck(code: string): string {
  return code.slice(0, 17) + (code.charAt(17) === '0' ? '1' : '0');
}

beforeAll(async () => {
  t = await startTestApp();
  hub = await t.seed.organization({ isHub: true, name: '历下区社会组织服务中心' });
  hubId = hub.organization.globalId();
  hubMember = await t.seed.organizationMember(hub.organization.id, MemberRole.ORG_MEMBER);
  unionStaff = await t.seed.unionStaff('370100');
});

afterAll(() => t.stop());

describe('registerOrganization per provider kind', () => {
  it('registers each coded kind with a valid code, PENDING, with its check stored and audited', async () => {
    for (const kind of ['SOCIAL_ORGANIZATION', 'CARING_ENTERPRISE', 'PUBLIC_INSTITUTION']) {
      const input = inputOf[kind]!();
      const org = await registered(input);
      expect(org).toMatchObject({
        providerKind: kind,
        kind: kind === 'SOCIAL_ORGANIZATION' ? 'SOCIAL_SERVICE_AGENCY' : null,
        creditCode: input.creditCode,
        verification: { status: 'PENDING' },
        sponsor: null,
        creditCodeCheck: { checksumValid: true, problem: null },
      });
      expect(org.creditCodeCheck!.authorityCode).toBe((input.creditCode as string).charAt(0));
      const trail = await t.data<{ auditTrail: { edges: { node: { action: string } }[] } }>(
        AUDIT,
        { id: org.id },
        (await t.seed.admin()).token,
      );
      expect(trail.auditTrail.edges.map((e) => e.node.action)).toContain('registerOrganization');
    }
  });

  it('without a provider kind registers a social organization, as before', async () => {
    const { providerKind: _, ...input } = inputOf.SOCIAL_ORGANIZATION!();
    expect((await registered(input)).providerKind).toBe('SOCIAL_ORGANIZATION');
  });

  it('refuses a wrong first character or a wrong check character per kind, naming creditCode, writing nothing', async () => {
    const worker = await t.seed.worker();
    const before = await organizationCount();
    const cases: [string, string, string][] = [
      ['SOCIAL_ORGANIZATION', '9', 'NOT_CIVIL_AFFAIRS'],
      ['CARING_ENTERPRISE', '5', 'AUTHORITY_MISMATCH'],
      ['PUBLIC_INSTITUTION', '9', 'AUTHORITY_MISMATCH'],
    ];
    for (const [kind, wrongAuthority, reason] of cases) {
      const input = inputOf[kind]!();
      const code = input.creditCode as string;
      const wrongFirst = await register(
        { ...input, creditCode: withAuthority(code, wrongAuthority) },
        worker.token,
      );
      expect(codeOf(wrongFirst)).toBe('BAD_USER_INPUT');
      expect(fieldsOf(wrongFirst)).toEqual(['input.creditCode']);
      expect(wrongFirst.body.errors![0]!.extensions!.reason).toBe(reason);

      const badCheck = await register({ ...input, creditCode: withBadCheck(code) }, worker.token);
      expect(codeOf(badCheck)).toBe('BAD_USER_INPUT');
      expect(fieldsOf(badCheck)).toEqual(['input.creditCode']);
      expect(badCheck.body.errors![0]!.extensions!.reason).toBe('CHECK_CHARACTER');

      const none = await register({ ...input, creditCode: null }, worker.token);
      expect(fieldsOf(none)).toEqual(['input.creditCode']);
    }
    expect(await organizationCount()).toBe(before);
  });

  it('names kind when a social organization omits its legal form or another kind gives one', async () => {
    const worker = await t.seed.worker();
    const social = await register({ ...inputOf.SOCIAL_ORGANIZATION!(), kind: null }, worker.token);
    expect(codeOf(social)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(social)).toEqual(['input.kind']);
    const enterprise = await register(
      { ...inputOf.CARING_ENTERPRISE!(), kind: 'SOCIAL_GROUP' },
      worker.token,
    );
    expect(fieldsOf(enterprise)).toEqual(['input.kind']);
    const sponsored = await register(
      { ...inputOf.CARING_ENTERPRISE!(), sponsorOrganizationId: hubId },
      worker.token,
    );
    expect(fieldsOf(sponsored)).toEqual(['input.sponsorOrganizationId']);
  });

  it('registers a community group without a code under a verified hub; refuses no sponsor, a code, or a sponsor that is not a verified hub', async () => {
    const worker = await t.seed.worker();
    const pendingHub = await t.seed.organization({ isHub: true, verified: false });
    const plainOrg = await t.seed.organization();
    const before = await organizationCount();
    const refusals: [Record<string, unknown>, string][] = [
      [{ sponsorOrganizationId: null }, 'input.sponsorOrganizationId'],
      [{ sponsorOrganizationId: pendingHub.organization.globalId() }, 'input.sponsorOrganizationId'],
      [{ sponsorOrganizationId: plainOrg.organization.globalId() }, 'input.sponsorOrganizationId'],
      [{ creditCode: makeProviderCreditCode('CARING_ENTERPRISE', 1) }, 'input.creditCode'],
      [{ kind: 'SOCIAL_GROUP' }, 'input.kind'],
    ];
    for (const [overrides, path] of refusals) {
      const res = await register({ ...inputOf.COMMUNITY_GROUP!(), ...overrides }, worker.token);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(fieldsOf(res)).toEqual([path]);
    }
    // The pending hub's own admin sees it, and is refused all the same: it is not verified.
    const own = await register(
      { ...inputOf.COMMUNITY_GROUP!(), sponsorOrganizationId: pendingHub.organization.globalId() },
      pendingHub.token,
    );
    expect(fieldsOf(own)).toEqual(['input.sponsorOrganizationId']);
    expect(await organizationCount()).toBe(before);

    const group = await registered(inputOf.COMMUNITY_GROUP!(), worker.token);
    expect(group).toMatchObject({
      providerKind: 'COMMUNITY_GROUP',
      kind: null,
      creditCode: null,
      creditCodeCheck: null,
      verification: { status: 'PENDING' },
      sponsor: { id: hubId },
    });
  });
});

describe('a community group verified by its sponsor', () => {
  it('is listed to the hub’s admins and platform admins, not to its plain members or union staff', async () => {
    const group = await registered(inputOf.COMMUNITY_GROUP!());
    const listed = async (token: string | null) =>
      (
        await t.data<{ organization: { sponsoredGroups: { id: string }[] | null } }>(
          SPONSORED,
          { id: hubId },
          token,
        )
      ).organization.sponsoredGroups;
    expect((await listed(hub.token))!.map((g) => g.id)).toContain(group.id);
    expect((await listed((await t.seed.admin()).token))!.map((g) => g.id)).toContain(group.id);
    for (const token of [hubMember.token, unionStaff.token, null]) expect(await listed(token)).toBeNull();
    // The pending group itself is visible to the hub's admin (to decide), unknown to its plain member.
    const asAdmin = await t.gql(ORG, { id: group.id }, hub.token);
    expect(asAdmin.body.data).toEqual({
      organization: { id: group.id, providerKind: 'COMMUNITY_GROUP', sponsor: { id: hubId } },
    });
    expect((await t.gql(ORG, { id: group.id }, hubMember.token)).body.data).toEqual({ organization: null });
    // The directory's SQL twin of the rule agrees.
    const directory = async (token: string) =>
      (
        await t.data<{ organizations: { edges: { node: { id: string } }[] } }>(
          `{ organizations(first: 100, filter: { verificationStatus: PENDING, providerKinds: [COMMUNITY_GROUP] }) { edges { node { id } } } }`,
          {},
          token,
        )
      ).organizations.edges.map((e) => e.node.id);
    expect(await directory(hub.token)).toContain(group.id);
    expect(await directory(hubMember.token)).not.toContain(group.id);
  });

  it('is decided by the hub’s admin, not by its members, union staff or another hub; declining needs a reason; audited', async () => {
    const group = await registered(inputOf.COMMUNITY_GROUP!());
    const otherHub = await t.seed.organization({ isHub: true });
    for (const token of [hubMember.token, unionStaff.token, otherHub.token])
      expect(['FORBIDDEN', 'NOT_FOUND']).toContain(codeOf(await decide(token, group.id, true)));
    // Union staff in scope verify coded kinds, not community groups: the hub vouches for those.
    const byStaff = await t.gql(
      `mutation ($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: group.id } },
      unionStaff.token,
    );
    expect(codeOf(byStaff)).toBe('FORBIDDEN');
    const noReason = await decide(hub.token, group.id, false);
    expect(codeOf(noReason)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(noReason)).toEqual(['input.reason']);
    const coded = await registered(inputOf.CARING_ENTERPRISE!());
    expect(codeOf(await decide((await t.seed.admin()).token, coded.id, true))).toBe('BAD_USER_INPUT');

    const verified = await decide(hub.token, group.id, true, '社区备案材料齐全');
    expect(verified.body.errors).toBeUndefined();
    expect(verified.body.data!.decideSponsoredGroup.organization.verification).toEqual({
      status: 'VERIFIED',
      reason: '社区备案材料齐全',
    });
    const declinedGroup = await registered(inputOf.COMMUNITY_GROUP!());
    const declined = await decide(hub.token, declinedGroup.id, false, '未在社区备案');
    expect(declined.body.data!.decideSponsoredGroup.organization.verification.status).toBe('SUSPENDED');
    const admin = await t.seed.admin();
    for (const [id, action] of [
      [group.id, 'verifySponsoredGroup'],
      [declinedGroup.id, 'declineSponsoredGroup'],
    ] as const) {
      const trail = await t.data<{ auditTrail: { edges: { node: { action: string } }[] } }>(
        AUDIT,
        { id },
        admin.token,
      );
      expect(trail.auditTrail.edges.map((e) => e.node.action)).toContain(action);
    }
  });

  it('of two decisions at once, one wins and the other gets CONFLICT', async () => {
    const group = await registered(inputOf.COMMUNITY_GROUP!());
    const second = await t.seed.organizationMember(hub.organization.id, MemberRole.ORG_ADMIN);
    const results = await Promise.all([
      decide(hub.token, group.id, true, '同意'),
      decide(second.token, group.id, false, '不同意'),
    ]);
    const codes = results.map((r) => codeOf(r) ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'OK']);
    const row = await t.orm.em.fork().findOneOrFail(Organization, { id: idOf(group.id) });
    expect([VerificationStatus.VERIFIED, VerificationStatus.SUSPENDED]).toContain(row.verificationStatus);
  });

  it('refuses a hub admin removed mid-way, and every hub admin once the hub is no longer verified', async () => {
    const first = await registered(inputOf.COMMUNITY_GROUP!());
    const later = await registered(inputOf.COMMUNITY_GROUP!());
    const leaving = await t.seed.organizationMember(hub.organization.id, MemberRole.ORG_ADMIN);
    expect((await decide(leaving.token, first.id, true, '同意')).body.errors).toBeUndefined();
    await t.data(
      'mutation ($input: RemoveOrganizationMemberInput!) { removeOrganizationMember(input: $input) { removedUserId } }',
      { input: { organizationId: hubId, userId: leaving.user.globalId() } },
      hub.token,
    );
    // No longer its sponsor's admin: the pending group is again an unknown id to her.
    expect(codeOf(await decide(leaving.token, later.id, true, '同意'))).toBe('NOT_FOUND');

    // The hub suspended: its admins no longer vouch for anyone; a platform admin still decides.
    await t.data(
      `mutation ($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: hubId, reason: '年检未通过' } },
      unionStaff.token,
    );
    try {
      expect(codeOf(await decide(hub.token, later.id, true, '同意'))).toBe('FORBIDDEN');
      const admin = await t.seed.admin();
      expect((await decide(admin.token, later.id, true, '平台核实')).body.errors).toBeUndefined();
    } finally {
      await t.data(
        `mutation ($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { id } } }`,
        { input: { organizationId: hubId } },
        unionStaff.token,
      );
    }
  });
});

describe('the directory and eligibility by kind', () => {
  let enterpriseId: string;
  let enterpriseOrg: { token: string };
  let social: SeededOrganization;

  beforeAll(async () => {
    const admin = await t.seed.worker();
    enterpriseOrg = admin;
    enterpriseId = (
      await registered(
        { ...inputOf.CARING_ENTERPRISE!(), name: '爱心企业甲', regionCodes: ['370100'] },
        admin.token,
      )
    ).id;
    await t.data(
      `mutation ($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: enterpriseId } },
      unionStaff.token,
    );
    social = await t.seed.organization({ regionCodes: ['370100'] });
  });

  it('filters organizations by provider kind', async () => {
    const list = async (providerKinds: string[]) =>
      (
        await t.data<{ organizations: { edges: { node: { id: string; providerKind: string } }[] } }>(
          `query ($kinds: [ProviderKind!]) { organizations(first: 100, filter: { providerKinds: $kinds }) { edges { node { id providerKind } } } }`,
          { kinds: providerKinds },
          null,
        )
      ).organizations.edges.map((e) => e.node);
    const enterprises = await list(['CARING_ENTERPRISE']);
    expect(enterprises.map((n) => n.id)).toEqual([enterpriseId]);
    const socials = await list(['SOCIAL_ORGANIZATION']);
    expect(socials.map((n) => n.id)).toContain(social.organization.globalId());
    expect(socials.every((n) => n.providerKind === 'SOCIAL_ORGANIZATION')).toBe(true);
    const both = await list(['SOCIAL_ORGANIZATION', 'CARING_ENTERPRISE']);
    expect(both.length).toBe(socials.length + 1);
  });

  it('a project’s allowed kinds (all by default) give the verdict applyToProject gives', async () => {
    const publisher = await seedPublisher(t);
    const publish = async (eligibility: Record<string, unknown>) =>
      (
        await t.data<{ publishProject: { project: { id: string } } }>(
          PUBLISH,
          { input: projectInput({ eligibility }) },
          publisher.token,
        )
      ).publishProject.project.id;
    const open = await publish({});
    const enterprisesOnly = await publish({ allowedProviderKinds: ['CARING_ENTERPRISE', 'COMMUNITY_GROUP'] });
    const shown = await t.data<{ project: { eligibility: { allowedProviderKinds: string[] } } }>(
      `query ($id: ID!) { project(id: $id) { eligibility { allowedProviderKinds } } }`,
      { id: enterprisesOnly },
    );
    expect(shown.project.eligibility.allowedProviderKinds).toEqual(['CARING_ENTERPRISE', 'COMMUNITY_GROUP']);

    const applicants = [
      { id: enterpriseId, token: enterpriseOrg.token },
      { id: social.organization.globalId(), token: social.token },
    ];
    const expected: Record<string, Record<string, string | null>> = {
      [open]: { [enterpriseId]: null, [social.organization.globalId()]: null },
      [enterprisesOnly]: {
        [enterpriseId]: null,
        [social.organization.globalId()]: 'PROVIDER_KIND_NOT_ALLOWED',
      },
    };
    for (const projectId of [open, enterprisesOnly]) {
      for (const applicant of applicants) {
        const verdict = await t.data<{
          project: { eligibilityFor: { eligible: boolean; reason: string | null } };
        }>(
          `query ($id: ID!, $org: ID!) { project(id: $id) { eligibilityFor(organizationId: $org) { eligible reason } } }`,
          { id: projectId, org: applicant.id },
          applicant.token,
        );
        const want = expected[projectId]![applicant.id]!;
        expect(verdict.project.eligibilityFor).toEqual({ eligible: want === null, reason: want });
        const applied = await t.gql(
          APPLY,
          { input: { projectId, organizationId: applicant.id, proposal: '服务方案', requestedFen: 100 } },
          applicant.token,
        );
        expect(applied.body.errors?.[0]?.extensions?.reason ?? null).toBe(want);
        if (want !== null) expect(codeOf(applied)).toBe('FORBIDDEN');
      }
    }
  });

  it('exports each kind in HSDS: the kind as a provider_kind attribute and legal status, a community group without an identifier', async () => {
    const group = await registered(inputOf.COMMUNITY_GROUP!());
    expect((await decide(hub.token, group.id, true, '社区备案材料齐全')).body.errors).toBeUndefined();
    const em = t.orm.em.fork();
    const openDataIdOf = async (id: string) =>
      (await em.findOneOrFail(Organization, { id: idOf(id) })).openDataId;
    const c = new Conformance();
    const expected: [string, string, string, boolean][] = [
      [enterpriseId, 'CARING_ENTERPRISE', '爱心企业 (caring enterprise)', true],
      [
        group.id,
        'COMMUNITY_GROUP',
        '备案的社区社会组织 (community group filed with a sponsoring hub)',
        false,
      ],
      [social.organization.globalId(), 'SOCIAL_ORGANIZATION', '社会服务机构 (social service agency)', true],
    ];
    for (const [id, kind, legalStatus, identified] of expected) {
      const openDataId = await openDataIdOf(id);
      const res = await fetch(`${t.url}/opendata/hsds/organizations/${openDataId}`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as {
        legal_status: string;
        organization_identifiers?: { identifier: string }[];
        attributes: { link_type: string; taxonomy_term: { code: string } }[];
      };
      expect(doc.legal_status).toBe(legalStatus);
      expect(
        doc.attributes.filter((a) => a.link_type === 'provider_kind').map((a) => a.taxonomy_term.code),
      ).toEqual([kind]);
      expect((doc.organization_identifiers ?? []).length).toBe(identified ? 1 : 0);
      if (standards) c.check(`/organizations/${openDataId}`, standards.hsds.organization, doc);
    }
    expect(c.errors).toEqual([]);
  });
});
