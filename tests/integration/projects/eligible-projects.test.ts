import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { APPLY, PUBLISH, projectInput, seedPublisher } from './project-helpers.js';

/**
 * "Projects my organization may apply to": `projects(filter: { eligibleFor })` and
 * `Project.eligibilityFor(organizationId)`, judged by the rules `applyToProject` checks.
 *
 * The organization: verified, no grade, independent, serving Jinan (370100). Seven open projects, in
 * publication order: `open` (anyone), `graded` (4A at least), `unionOnly` (union-founded only),
 * `qingdao` (must serve Qingdao), `invited` (selective, it is invited), `notInvited` (selective,
 * another organization is), `enterprisesOnly` (caring enterprises only: it is a social organization).
 */
let t: TestApp;
let org: SeededOrganization;
let orgId: string;
let member: SeededUser;
let outsider: SeededOrganization;
const ids: Record<string, string> = {};

const LIST = `query ($eligibleFor: ID, $organizationId: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  projects(filter: { openForApplications: true, eligibleFor: $eligibleFor }, first: $first, after: $after,
           last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { id eligibilityFor(organizationId: $organizationId) { eligible reason } } }
  }
}`;

interface Listed {
  projects: {
    totalCount: number;
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      endCursor: string | null;
      startCursor: string | null;
    };
    edges: { node: { id: string; eligibilityFor: { eligible: boolean; reason: string | null } | null } }[];
  };
}

const list = (token: string | null, variables: Record<string, unknown> = {}) =>
  t.gql<Listed>(LIST, { eligibleFor: orgId, organizationId: orgId, ...variables }, token);

async function listed(token: string, variables: Record<string, unknown> = {}): Promise<Listed['projects']> {
  const res = await list(token, variables);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.projects;
}

const codeOf = (res: Awaited<ReturnType<typeof list>>) => res.body.errors?.[0]?.extensions?.code;
const pathsOf = (res: Awaited<ReturnType<typeof list>>) =>
  ((res.body.errors?.[0]?.extensions?.fields ?? []) as { path: string }[]).map((f) => f.path);

/** Ours only; other tests' projects may be open too. */
const ours = (page: Listed['projects']) =>
  page.edges.map((e) => e.node).filter((n) => Object.values(ids).includes(n.id));
const idsOf = (page: Listed['projects']) => ours(page).map((n) => n.id);

beforeAll(async () => {
  t = await startTestApp();
  org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
  orgId = org.organization.globalId();
  member = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_MEMBER);
  outsider = await t.seed.organization();
  const publisher = await seedPublisher(t, { regionCode: '370000' }); // Shandong: Jinan and Qingdao
  const publish = async (name: string, overrides: Record<string, unknown>) => {
    const { publishProject } = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput({ title: `项目 ${name}`, ...overrides }) },
      publisher.token,
    );
    ids[name] = publishProject.project.id;
  };
  await publish('open', {});
  await publish('graded', { eligibility: { minGrade: 'GRADE_4A' } });
  await publish('unionOnly', {
    eligibility: { allowedFoundingTypes: ['UNION_FOUNDED'] },
    fairnessRationale: '工会创办机构的专项试点',
  });
  await publish('qingdao', { regionCodes: ['370200'] });
  await publish('invited', { procurementMethod: 'SELECTIVE', invitedOrganizationIds: [orgId] });
  await publish('notInvited', {
    procurementMethod: 'SELECTIVE',
    invitedOrganizationIds: [outsider.organization.globalId()],
  });
  await publish('enterprisesOnly', { eligibility: { allowedProviderKinds: ['CARING_ENTERPRISE'] } });
});

afterAll(() => t.stop());

describe('projects(filter: { eligibleFor })', () => {
  it('keeps the projects the organization may apply to, newest first, and pages through them', async () => {
    const all = await listed(member.token, { first: 100 });
    expect(idsOf(all)).toEqual([ids.invited, ids.open]);
    expect(all.totalCount).toBe(2);

    const first = await listed(member.token, { first: 1 });
    expect(idsOf(first)).toEqual([ids.invited]);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await listed(member.token, { first: 1, after: first.pageInfo.endCursor });
    expect(idsOf(second)).toEqual([ids.open]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    const back = await listed(member.token, { first: null, last: 1, before: second.pageInfo.startCursor });
    expect(idsOf(back)).toEqual([ids.invited]);
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('names, for every other project, the rule applyToProject refuses it with', async () => {
    const page = await listed(org.token, { eligibleFor: null, first: 100 });
    const verdicts = Object.fromEntries(ours(page).map((n) => [n.id, n.eligibilityFor]));
    expect(verdicts).toEqual({
      [ids.open!]: { eligible: true, reason: null },
      [ids.graded!]: { eligible: false, reason: 'GRADE_TOO_LOW' },
      [ids.unionOnly!]: { eligible: false, reason: 'FOUNDING_TYPE_NOT_ALLOWED' },
      [ids.qingdao!]: { eligible: false, reason: 'DOES_NOT_SERVE_REGION' },
      [ids.invited!]: { eligible: true, reason: null },
      [ids.notInvited!]: { eligible: false, reason: 'NOT_INVITED' },
      [ids.enterprisesOnly!]: { eligible: false, reason: 'PROVIDER_KIND_NOT_ALLOWED' },
    });
    // The same rules as the application itself: each refusal's reason is the verdict's.
    for (const [projectId, verdict] of Object.entries(verdicts)) {
      const res = await t.gql(
        APPLY,
        { input: { projectId, organizationId: orgId, proposal: '服务方案', requestedFen: 100 } },
        org.token,
      );
      expect(res.body.errors?.[0]?.extensions?.reason ?? null).toBe(verdict!.reason);
    }
  });

  it('judges a page in a fixed number of statements, not one per project', async () => {
    const few = await t.sqlCount(() => listed(member.token, { eligibleFor: null, first: 2 }));
    const many = await t.sqlCount(() => listed(member.token, { eligibleFor: null, first: 6 }));
    expect(many).toBe(few);
    const filteredFew = await t.sqlCount(() => listed(member.token, { first: 1 }));
    const filteredMany = await t.sqlCount(() => listed(member.token, { first: 100 }));
    expect(filteredMany).toBe(filteredFew);
  });

  it('is for its members, admins and union staff in scope; refused to others, and to a member once removed', async () => {
    for (const token of [(await t.seed.admin()).token, (await t.seed.unionStaff('370100')).token])
      expect(idsOf(await listed(token))).toEqual([ids.invited, ids.open]);

    for (const token of [
      outsider.token,
      (await t.seed.worker()).token,
      (await t.seed.unionStaff('370200')).token,
      null,
    ]) {
      const res = await list(token);
      expect(codeOf(res)).toBe('FORBIDDEN');
      // Without the filter, the verdicts are simply not theirs to read.
      const plain = await list(token, { eligibleFor: null });
      expect(plain.body.errors).toBeUndefined();
      expect(ours(plain.body.data!.projects).every((n) => n.eligibilityFor === null)).toBe(true);
    }

    const leaving = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_MEMBER);
    expect(idsOf(await listed(leaving.token))).toEqual([ids.invited, ids.open]);
    await t.data(
      'mutation ($input: RemoveOrganizationMemberInput!) { removeOrganizationMember(input: $input) { removedUserId } }',
      { input: { organizationId: orgId, userId: leaving.user.globalId() } },
      org.token,
    );
    expect(codeOf(await list(leaving.token))).toBe('FORBIDDEN');
  });

  it('answers NOT_FOUND for an organization the caller may not see', async () => {
    const pending = await t.seed.organization({ verified: false });
    const res = await list(outsider.token, { eligibleFor: pending.organization.globalId() });
    expect(codeOf(res)).toBe('NOT_FOUND');
  });

  it('refuses an id that is not an organization’s, naming the argument', async () => {
    const res = await list(member.token, { eligibleFor: ids.open });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(pathsOf(res)).toEqual(['filter.eligibleFor']);
    const field = await list(member.token, { eligibleFor: null, organizationId: 'not-an-id' });
    expect(codeOf(field)).toBe('BAD_USER_INPUT');
    expect(pathsOf(field)).toEqual(['organizationId']);
  });
});
