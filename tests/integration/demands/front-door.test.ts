import { ref } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/core/roles.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { Organization } from '../../../src/modules/organizations/organization.entity.js';
import { User } from '../../../src/modules/accounts/user.entity.js';
import { Demand, DemandProgress } from '../../../src/modules/demands/demand.entity.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import { ProjectApplication } from '../../../src/modules/projects/application.entity.js';
import { Project } from '../../../src/modules/projects/project.entity.js';
import {
  ApplicationStatus,
  ProjectStatus,
  PublisherKind,
} from '../../../src/modules/projects/project.enums.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { seedPublisher } from '../projects/project-helpers.js';

/**
 * What a signed-in person's front door reads: her own demands and endorsements, her organizations
 * and roles, an organization's claims and applications, and the notes of a demand's service, for
 * every kind of caller, through the real mutations that write them.
 *
 * Demand `served` (Jinan): submitted by `submitter`, endorsed by `endorser`, claimed by A, one
 * progress report and a fulfilment note by A. Demand `handedOn` (Jinan): claimed by A, released with
 * a reason (OPEN again), then claimed by B, which reports progress.
 */
let t: TestApp;
let submitter: SeededUser;
let endorser: SeededUser;
let otherWorker: SeededUser;
let orgA: SeededOrganization;
let orgB: SeededOrganization;
let memberA: SeededUser;
let memberB: SeededUser;
let dual: SeededUser;
let unionIn: SeededUser;
let unionOut: SeededUser;
let admin: SeededUser;
let gov: SeededUser;
let served: string;
let handedOn: string;
const CONTACT = '13711112222';

const gid = (type: string, id: number) => toGlobalId(type, id);
const orgId = (o: SeededOrganization) => gid('Organization', o.organization.id);
const userId = (u: SeededUser) => gid('User', u.user.id);

async function act(name: string, inputType: string, input: Record<string, unknown>, token: string) {
  const res = await t.gql(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { __typename } }`,
    { input },
    token,
  );
  expect(res.body.errors, `${name}: ${JSON.stringify(res.body.errors)}`).toBeUndefined();
}

async function submit(token: string, title: string): Promise<string> {
  const data = await t.data<{ submitDemand: { demand: { id: string } } }>(
    `mutation($input: SubmitDemandInput!) { submitDemand(input: $input) { demand { id } } }`,
    {
      input: {
        title,
        description: '夜班期间孩子无人照看。',
        categoryCode: 'LIFE',
        regionCode: '370102',
        contact: CONTACT,
        contactConsent: true,
      },
    },
    token,
  );
  return data.submitDemand.demand.id;
}

beforeAll(async () => {
  t = await startTestApp();
  submitter = await t.seed.worker();
  endorser = await t.seed.worker();
  otherWorker = await t.seed.worker();
  orgA = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
  // B is at home in Qingdao and serves Jinan too.
  orgB = await t.seed.organization({
    homeRegionCode: '370200',
    categoryCodes: ['LIFE'],
    regionCodes: ['370100', '370200'],
  });
  memberA = await t.seed.organizationMember(orgA.organization.id, MemberRole.ORG_MEMBER);
  memberB = await t.seed.organizationMember(orgB.organization.id, MemberRole.ORG_MEMBER);
  // A member of A who administers B.
  dual = await t.seed.organizationMember(orgA.organization.id, MemberRole.ORG_MEMBER);
  await t.seed.organizationMember(orgB.organization.id, MemberRole.ORG_ADMIN, dual);
  unionIn = await t.seed.unionStaff('370100');
  unionOut = await t.seed.unionStaff('370200');
  admin = await t.seed.admin();
  gov = await t.seed.user([Role.GOV_STAFF], { regionCode: '370100' });

  served = await submit(submitter.token, '夜班职工子女托管');
  await act('endorseDemand', 'EndorseDemandInput', { demandId: served }, endorser.token);
  await act(
    'claimDemand',
    'ClaimDemandInput',
    { demandId: served, organizationId: orgId(orgA) },
    memberA.token,
  );
  await act(
    'reportDemandProgress',
    'ReportDemandProgressInput',
    { demandId: served, note: '已上门了解' },
    memberA.token,
  );
  await act('fulfilDemand', 'FulfilDemandInput', { demandId: served, note: '托管班已开班' }, memberA.token);

  handedOn = await submit(submitter.token, '周末职工子女托管');
  await act('endorseDemand', 'EndorseDemandInput', { demandId: handedOn }, endorser.token);
  await act(
    'claimDemand',
    'ClaimDemandInput',
    { demandId: handedOn, organizationId: orgId(orgA) },
    memberA.token,
  );
  await act(
    'releaseDemand',
    'ReleaseDemandInput',
    { demandId: handedOn, reason: '本月人手不足' },
    memberA.token,
  );
});
afterAll(() => t.stop());

type Note = { note: string; kind: string; organization: { id: string } | null };
const NOTES = `query($id: ID!) { demand(id: $id) { id contact progressNotes { note kind createdAt organization { id } } } }`;

async function notesSeen(demandId: string, token: string): Promise<Note[] | null> {
  const data = await t.data<{ demand: { progressNotes: Note[] } | null }>(NOTES, { id: demandId }, token);
  return (
    data.demand?.progressNotes.map(({ note, kind, organization }) => ({ note, kind, organization })) ?? null
  );
}

describe('Demand.progressNotes', () => {
  it('stores progress, fulfilment and release notes with their kind, and shows them oldest first', async () => {
    const a = { id: orgId(orgA) };
    expect(await notesSeen(served, submitter.token)).toEqual([
      { note: '已上门了解', kind: 'PROGRESS', organization: a },
      { note: '托管班已开班', kind: 'FULFILMENT', organization: a },
    ]);
    expect(await notesSeen(handedOn, submitter.token)).toEqual([
      { note: '本月人手不足', kind: 'RELEASE', organization: a },
    ]);
  });

  it('while released and OPEN: the releasing organization reads its note, another organization and a browsing worker none', async () => {
    expect(await notesSeen(handedOn, memberA.token)).toHaveLength(1);
    expect(await notesSeen(handedOn, orgA.token)).toHaveLength(1);
    expect(await notesSeen(handedOn, memberB.token)).toEqual([]);
    expect(await notesSeen(handedOn, otherWorker.token)).toEqual([]);
    expect(await notesSeen(handedOn, endorser.token)).toHaveLength(1);
  });

  it('after another organization claims it: each organization its own notes; submitter, endorser, staff in scope and admins all', async () => {
    await act(
      'claimDemand',
      'ClaimDemandInput',
      { demandId: handedOn, organizationId: orgId(orgB) },
      memberB.token,
    );
    await act(
      'reportDemandProgress',
      'ReportDemandProgressInput',
      { demandId: handedOn, note: 'B 已接手' },
      memberB.token,
    );
    const all = [
      { note: '本月人手不足', kind: 'RELEASE', organization: { id: orgId(orgA) } },
      { note: 'B 已接手', kind: 'PROGRESS', organization: { id: orgId(orgB) } },
    ];
    for (const token of [submitter.token, endorser.token, unionIn.token, admin.token])
      expect(await notesSeen(handedOn, token)).toEqual(all);
    expect(await notesSeen(handedOn, memberB.token)).toEqual([all[1]]);
    // No longer OPEN and not theirs: A's members and other workers do not see the demand at all.
    expect(await notesSeen(handedOn, memberA.token)).toBeNull();
    expect(await notesSeen(handedOn, otherWorker.token)).toBeNull();
    expect(await notesSeen(handedOn, unionOut.token)).toBeNull();
  });

  it('an endorser keeps seeing a demand she endorsed once it left OPEN, with its notes and without its contact', async () => {
    const data = await t.data<{ demand: { id: string; contact: string | null; progressNotes: Note[] } }>(
      NOTES,
      { id: served },
      endorser.token,
    );
    expect(data.demand.id).toBe(served);
    expect(data.demand.contact).toBeNull();
    expect(data.demand.progressNotes).toHaveLength(2);
    const own = await t.data<{ demand: { contact: string | null } }>(NOTES, { id: served }, submitter.token);
    expect(own.demand.contact).toBe(CONTACT);
  });
});

describe('User.submittedDemands and User.endorsedDemands', () => {
  const MINE = `query($status: DemandStatus, $first: Int, $after: String) { viewer {
    submittedDemands(status: $status, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status contact } } }
    endorsedDemands(status: $status, first: $first, after: $after) { totalCount edges { node { id status contact } } }
  } }`;
  type Lists = {
    viewer: {
      submittedDemands: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: { id: string; status: string; contact: string | null } }[];
      } | null;
      endorsedDemands: {
        totalCount: number;
        edges: { node: { id: string; status: string; contact: string | null } }[];
      } | null;
    };
  };

  it('the submitter reads her demands newest first, with their contact, filtered by status and paged by cursor', async () => {
    const all = await t.data<Lists>(MINE, {}, submitter.token);
    expect(all.viewer.submittedDemands!.edges.map((e) => e.node.id)).toEqual([handedOn, served]);
    expect(all.viewer.submittedDemands!.totalCount).toBe(2);
    expect(all.viewer.submittedDemands!.edges[0]!.node.contact).toBe(CONTACT);
    expect(all.viewer.endorsedDemands!.edges).toEqual([]);
    const fulfilled = await t.data<Lists>(MINE, { status: 'FULFILLED' }, submitter.token);
    expect(fulfilled.viewer.submittedDemands!.edges.map((e) => e.node.id)).toEqual([served]);
    const first = await t.data<Lists>(MINE, { first: 1 }, submitter.token);
    expect(first.viewer.submittedDemands!.pageInfo.hasNextPage).toBe(true);
    const next = await t.data<Lists>(
      MINE,
      { first: 1, after: first.viewer.submittedDemands!.pageInfo.endCursor },
      submitter.token,
    );
    expect(next.viewer.submittedDemands!.edges.map((e) => e.node.id)).toEqual([served]);
  });

  it('the endorser reads what she endorsed whatever its status, never its contact', async () => {
    const data = await t.data<Lists>(MINE, {}, endorser.token);
    expect(data.viewer.endorsedDemands!.edges.map((e) => e.node)).toEqual([
      { id: handedOn, status: 'IN_SERVICE', contact: null },
      { id: served, status: 'FULFILLED', contact: null },
    ]);
    expect(data.viewer.submittedDemands!.edges).toEqual([]);
    const fulfilled = await t.data<Lists>(MINE, { status: 'FULFILLED' }, endorser.token);
    expect(fulfilled.viewer.endorsedDemands!.edges.map((e) => e.node.id)).toEqual([served]);
  });

  it('nobody else reads them: null for admins, staff in scope, fellow members and the claimant', async () => {
    const OF = `query($id: ID!) { node(id: $id) { ... on User { id submittedDemands { totalCount } endorsedDemands { totalCount } } } }`;
    for (const [viewer, shown] of [
      [admin, submitter],
      [admin, endorser],
      [unionIn, submitter],
      [orgA.admin, memberA],
    ] as const) {
      const data = await t.data<{
        node: { id: string; submittedDemands: unknown; endorsedDemands: unknown } | null;
      }>(OF, { id: userId(shown) }, viewer.token);
      expect(data.node?.id).toBe(userId(shown));
      expect(data.node).toMatchObject({ submittedDemands: null, endorsedDemands: null });
    }
    // Reached through a demand: its submitter's lists stay hers.
    const viaDemand = await t.data<{ demand: { submittedBy: { submittedDemands: unknown } } }>(
      `query($id: ID!) { demand(id: $id) { submittedBy { submittedDemands { totalCount } } } }`,
      { id: handedOn },
      memberB.token,
    );
    expect(viaDemand.demand.submittedBy.submittedDemands).toBeNull();
  });

  it('refuses a page beyond the maximum and a cursor that is not one', async () => {
    const big = await t.gql(
      `{ viewer { submittedDemands(first: 101) { totalCount } } }`,
      {},
      submitter.token,
    );
    expect(big.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const bad = await t.gql(
      `{ viewer { endorsedDemands(after: "bm9wZQ") { totalCount } } }`,
      {},
      endorser.token,
    );
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('Organization.claimedDemands and Organization.applications', () => {
  const ORG = `query($id: ID!, $status: DemandStatus) { organization(id: $id) {
    claimedDemands(status: $status) { totalCount edges { node { id status } } }
    applications { totalCount edges { node { id status project { id } } } }
  } }`;
  type Shown = {
    organization: {
      claimedDemands: { totalCount: number; edges: { node: { id: string; status: string } }[] } | null;
      applications: { totalCount: number; edges: { node: { id: string; project: { id: string } } }[] } | null;
    } | null;
  };
  let unionPublisher: Awaited<ReturnType<typeof seedPublisher>>;
  let govPublisher: Awaited<ReturnType<typeof seedPublisher>>;
  let toUnion: string;
  let toGov: string;

  beforeAll(async () => {
    unionPublisher = await seedPublisher(t, { regionCode: '370100' });
    govPublisher = await seedPublisher(t, { kind: PublisherKind.GOVERNMENT, regionCode: '370100' });
    const em = t.orm.em.fork();
    const apply = async (publisherId: number): Promise<string> => {
      const project = await t.seed.project(publisherId, { status: ProjectStatus.PUBLISHED });
      const application = em.create(ProjectApplication, {
        project: ref(em.getReference(Project, project.id)),
        organization: ref(em.getReference(Organization, orgA.organization.id)),
        proposal: '课后托管服务方案',
        requestedFen: 500_000,
      });
      await em.flush();
      return gid('ProjectApplication', application.id);
    };
    toUnion = await apply(unionPublisher.publisher.id);
    toGov = await apply(govPublisher.publisher.id);
  });

  const shownTo = async (token: string, org = orgA, status?: string) =>
    (await t.data<Shown>(ORG, { id: orgId(org), status }, token)).organization!;

  it('its members and admins read its claims and all its applications, newest first', async () => {
    for (const token of [memberA.token, orgA.token, dual.token, admin.token]) {
      const shown = await shownTo(token);
      expect(shown.claimedDemands!.edges.map((e) => e.node)).toEqual([{ id: served, status: 'FULFILLED' }]);
      expect(shown.applications!.edges.map((e) => e.node.id)).toEqual([toGov, toUnion]);
      expect(shown.applications!.totalCount).toBe(2);
    }
    expect((await shownTo(memberA.token, orgA, 'IN_SERVICE')).claimedDemands!.edges).toEqual([]);
    expect((await shownTo(memberB.token, orgB)).claimedDemands!.edges.map((e) => e.node.id)).toEqual([
      handedOn,
    ]);
  });

  it('union staff whose scope covers it read its claims they may see; out of scope, null', async () => {
    expect((await shownTo(unionIn.token)).claimedDemands!.edges.map((e) => e.node.id)).toEqual([served]);
    expect((await shownTo(unionOut.token)).claimedDemands).toBeNull();
    // B is at home in Qingdao, its claim is in Jinan: Qingdao staff oversee B but not that demand.
    expect((await shownTo(unionOut.token, orgB)).claimedDemands).toEqual({ totalCount: 0, edges: [] });
    expect((await shownTo(unionIn.token, orgB)).claimedDemands).toBeNull();
  });

  it("a publisher's staff read its applications to their own projects only; other staff null", async () => {
    const byUnion = await shownTo(unionPublisher.token);
    expect(byUnion.applications!.edges.map((e) => e.node.id)).toEqual([toUnion]);
    const byGov = await shownTo(govPublisher.token);
    expect(byGov.applications!.edges.map((e) => e.node.id)).toEqual([toGov]);
    expect(byGov.claimedDemands).toBeNull();
    for (const token of [unionIn.token, gov.token]) expect((await shownTo(token)).applications).toBeNull();
  });

  it('filters applications by status', async () => {
    await t.orm.em.fork().nativeUpdate(
      ProjectApplication,
      { id: Number(Buffer.from(toGov, 'base64url').toString().split(':')[1]) },
      {
        status: ApplicationStatus.WITHDRAWN,
      },
    );
    const shown = await t.data<{ organization: { applications: { edges: { node: { id: string } }[] } } }>(
      `query($id: ID!) { organization(id: $id) { applications(status: WITHDRAWN) { edges { node { id } } } } }`,
      { id: orgId(orgA) },
      memberA.token,
    );
    expect(shown.organization.applications.edges.map((e) => e.node.id)).toEqual([toGov]);
  });

  it('other organizations, workers and government staff without a publisher read neither', async () => {
    for (const token of [memberB.token, orgB.token, otherWorker.token, submitter.token, gov.token]) {
      const shown = await shownTo(token);
      expect(shown).toEqual({ claimedDemands: null, applications: null });
    }
  });

  it('a removed member stops reading them at once', async () => {
    const gone = await t.seed.organizationMember(orgA.organization.id, MemberRole.ORG_MEMBER);
    expect((await shownTo(gone.token)).claimedDemands!.totalCount).toBe(1);
    await act(
      'removeOrganizationMember',
      'RemoveOrganizationMemberInput',
      { organizationId: orgId(orgA), userId: userId(gone) },
      orgA.token,
    );
    expect(await shownTo(gone.token)).toEqual({ claimedDemands: null, applications: null });
    expect(await notesSeen(served, gone.token)).toBeNull();
  });
});

describe('User.memberships and viewer.roles', () => {
  type Membership = { organization: { id: string }; role: string };
  const ME = `{ viewer { roles memberships { organization { id } role } } }`;

  it('the viewer reads her organizations with her role in each, and her roles include the organization roles', async () => {
    const me = await t.data<{ viewer: { roles: string[]; memberships: Membership[] } }>(ME, {}, dual.token);
    expect(me.viewer.memberships).toHaveLength(2);
    expect(me.viewer.memberships).toEqual(
      expect.arrayContaining([
        { organization: { id: orgId(orgA) }, role: 'ORG_MEMBER' },
        { organization: { id: orgId(orgB) }, role: 'ORG_ADMIN' },
      ]),
    );
    expect([...me.viewer.roles].sort()).toEqual(['ORG_ADMIN', 'ORG_MEMBER', 'WORKER']);
    const member = await t.data<{ viewer: { roles: string[]; memberships: Membership[] } }>(
      ME,
      {},
      memberA.token,
    );
    expect([...member.viewer.roles].sort()).toEqual(['ORG_MEMBER', 'WORKER']);
    expect(member.viewer.memberships).toEqual([{ organization: { id: orgId(orgA) }, role: 'ORG_MEMBER' }]);
    const worker = await t.data<{ viewer: { roles: string[]; memberships: Membership[] } }>(
      ME,
      {},
      otherWorker.token,
    );
    expect(worker.viewer).toEqual({ roles: ['WORKER'], memberships: [] });
  });

  it('signing in answers the same roles and memberships', async () => {
    const data = await t.data<{ signIn: { viewer: { roles: string[]; memberships: Membership[] } } }>(
      `mutation($input: SignInInput!) { signIn(input: $input) { viewer { roles memberships { organization { id } role } } } }`,
      { input: { login: dual.user.email, password: dual.password } },
      null,
    );
    expect([...data.signIn.viewer.roles].sort()).toEqual(['ORG_ADMIN', 'ORG_MEMBER', 'WORKER']);
    expect(data.signIn.viewer.memberships).toHaveLength(2);
  });

  it("an organization's admin reads a member's membership of that organization only; fellow members and staff nothing", async () => {
    const MEMBERS = `query($id: ID!) { organization(id: $id) { members { user { id memberships { organization { id } role } } } } }`;
    const seen = async (token: string) =>
      (
        await t.data<{ organization: { members: { user: { id: string; memberships: Membership[] } }[] } }>(
          MEMBERS,
          { id: orgId(orgA) },
          token,
        )
      ).organization.members.find((m) => m.user.id === userId(dual))!.user.memberships;
    expect(await seen(orgA.token)).toEqual([{ organization: { id: orgId(orgA) }, role: 'ORG_MEMBER' }]);
    expect(await seen(memberA.token)).toEqual([]);
    expect(await seen(unionIn.token)).toEqual([]);
    expect(await seen(admin.token)).toHaveLength(2);
  });
});

describe('reading the lists', () => {
  it('sends the same statements for 2 demands as for 8, with their notes and the notes’ organizations', async () => {
    const worker = await t.seed.worker();
    const em = t.orm.em.fork();
    for (let i = 0; i < 8; i++) {
      const demand = await t.seed.demand(worker.user.id, {
        status: DemandStatus.IN_SERVICE,
        claimedById: orgA.organization.id,
      });
      em.create(DemandProgress, {
        demand: ref(em.getReference(Demand, demand.id)),
        organization: ref(em.getReference(Organization, orgA.organization.id)),
        author: ref(em.getReference(User, orgA.admin.user.id)),
        note: `第${i}次进展`,
      });
    }
    await em.flush();
    const LIST = `query($first: Int) { viewer { submittedDemands(first: $first) { edges { node { id
      progressNotes { note kind organization { name } } } } } } }`;
    type Listed = { viewer: { submittedDemands: { edges: { node: { progressNotes: unknown[] } }[] } } };
    let small: Listed | undefined;
    let large: Listed | undefined;
    const few = await t.sqlCount(
      async () => (small = await t.data<Listed>(LIST, { first: 2 }, worker.token)),
    );
    const many = await t.sqlCount(
      async () => (large = await t.data<Listed>(LIST, { first: 8 }, worker.token)),
    );
    expect(small!.viewer.submittedDemands.edges).toHaveLength(2);
    expect(large!.viewer.submittedDemands.edges.every((e) => e.node.progressNotes.length === 1)).toBe(true);
    expect(large!.viewer.submittedDemands.edges).toHaveLength(8);
    expect(many).toBe(few);
  });
});
