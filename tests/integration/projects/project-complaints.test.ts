import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { loadStandards } from '../../setup/standards.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { awardedProject, AWARD, SOLE_APPLICANT_RATIONALE, idOf, seedPublisher } from './project-helpers.js';

/**
 * Complaints against an award (docs/domain.md, "Clarifications and complaints"): filed by an
 * applicant within COMPLAINT_PERIOD_DAYS, answered by the publisher, ruled on once by an admin or a
 * designated reviewer; an upheld ruling reopens the evaluation, an open complaint keeps the project
 * from starting, and the public outcome names no one.
 */
let t: TestApp;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
let otherPublisher: Awaited<ReturnType<typeof seedPublisher>>;
let admin: SeededUser;
let winner: SeededOrganization;
let loser: SeededOrganization;
let outsider: SeededOrganization;

beforeAll(async () => {
  t = await startTestApp({ COMPLAINT_PERIOD_DAYS: '7' });
  publisher = await seedPublisher(t);
  // Union staff acting for another publisher: who an admin may designate as a reviewer.
  otherPublisher = await seedPublisher(t, { name: '另一个工会' });
  admin = await t.seed.admin();
  const serving = { categoryCodes: ['LIFE'], regionCodes: ['370100'] };
  winner = await t.seed.organization({
    ...serving,
    name: '中标社工服务中心',
    publicContact: '0531-88001111',
  });
  loser = await t.seed.organization({ ...serving, name: '落选社工服务中心', publicContact: '0531-88002222' });
  outsider = await t.seed.organization(serving);
});
afterAll(() => t.stop());

const FILE = `mutation($input: FileComplaintInput!) {
  fileComplaint(input: $input) { complaint { id grounds outcome filedAt } project { id status } } }`;
const RESPOND = `mutation($input: RespondToComplaintInput!) {
  respondToComplaint(input: $input) { complaint { id response respondedAt } } }`;
const DESIGNATE = `mutation($input: DesignateComplaintReviewerInput!) {
  designateComplaintReviewer(input: $input) { complaint { id } } }`;
const RULE = `mutation($input: RuleOnComplaintInput!) {
  ruleOnComplaint(input: $input) { complaint { id outcome reasoning ruledAt } project { id status } } }`;
const START = `mutation($input: StartProjectInput!) { startProject(input: $input) { project { id status } } }`;
const PUBLIC_VIEW = `query($id: ID!) { project(id: $id) {
  status awards { id }
  complaints { id grounds response outcome reasoning filedAt respondedAt ruledAt }
  applications { edges { node { id status } } } } }`;

type Res = { body: { errors?: { message: string; extensions?: Record<string, unknown> }[] } };
const codeOf = (res: Res) => res.body.errors?.[0]?.extensions?.code;

/** A project awarded to `winner`, with `loser`'s application rejected. */
async function awarded(): Promise<{ projectId: string; winning: string; losing: string }> {
  const { projectId, applicationId, otherApplicationIds } = await awardedProject(t, publisher.token, winner, {
    budgetFen: 10_000_000,
    requestedFen: 3_000_000,
    awardFen: 2_500_000,
    others: [loser],
  });
  return { projectId, winning: applicationId, losing: otherApplicationIds[0]! };
}

function file(
  projectId: string,
  org: SeededOrganization,
  token: string,
  extra: Record<string, unknown> = {},
) {
  return t.gql<{ fileComplaint: { complaint: { id: string } } }>(
    FILE,
    {
      input: {
        projectId,
        organizationId: org.organization.globalId(),
        grounds: '评审未按公告的评分标准进行。',
        ...extra,
      },
    },
    token,
  );
}

async function filed(projectId: string, grounds?: string): Promise<string> {
  const res = await file(projectId, loser, loser.token, grounds ? { grounds } : {});
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.fileComplaint.complaint.id;
}

const rule = (complaintId: string, token: string, outcome = 'DISMISSED', reasoning = '评审符合公告。') =>
  t.gql<{ ruleOnComplaint: { complaint: { outcome: string }; project: { status: string } } }>(
    RULE,
    { input: { complaintId, outcome, reasoning } },
    token,
  );

const start = (projectId: string) => t.gql(START, { input: { projectId } }, publisher.token);

async function actionsOn(subjectId: string): Promise<string[]> {
  const rows = await t.orm.em
    .fork()
    .execute<{ action: string }[]>(
      'select "action" from "audit_entry" where "subject_id" = ? order by "id"',
      [subjectId],
    );
  return rows.map((r) => r.action);
}

describe('fileComplaint', () => {
  it('takes a complaint from a member of an applicant, and keeps the project from starting while it is open', async () => {
    const { projectId, winning } = await awarded();
    const member = await t.seed.organizationMember(loser.organization.id, MemberRole.ORG_MEMBER);
    const res = await file(projectId, loser, member.token, { applicationId: winning });
    expect(res.body.errors).toBeUndefined();
    const complaintId = res.body.data!.fileComplaint.complaint.id;
    expect(await actionsOn(complaintId)).toEqual(['fileComplaint']);
    const refused = await start(projectId);
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.body.errors![0]!.message).toMatch(/1 open complaint/);
    // Ruled on: the project starts.
    expect((await rule(complaintId, admin.token)).body.errors).toBeUndefined();
    expect((await start(projectId)).body.errors).toBeUndefined();
    expect(await actionsOn(complaintId)).toEqual(['fileComplaint', 'ruleOnComplaint']);
  });

  it('refuses a non-applicant, a worker, staff, a member for another organization, and a member removed meanwhile', async () => {
    const { projectId } = await awarded();
    const notApplicant = await file(projectId, outsider, outsider.token);
    expect(codeOf(notApplicant)).toBe('FORBIDDEN');
    expect(notApplicant.body.errors![0]!.extensions).toMatchObject({ reason: 'NOT_AN_APPLICANT' });
    const worker = await t.seed.worker();
    expect(codeOf(await file(projectId, loser, worker.token))).toBe('FORBIDDEN');
    expect(codeOf(await file(projectId, loser, publisher.token))).toBe('FORBIDDEN');
    expect(codeOf(await file(projectId, loser, outsider.token))).toBe('FORBIDDEN');
    const leaving = await t.seed.organizationMember(loser.organization.id, MemberRole.ORG_MEMBER);
    expect((await file(projectId, loser, leaving.token)).body.errors).toBeUndefined();
    await t.data(
      'mutation ($input: RemoveOrganizationMemberInput!) { removeOrganizationMember(input: $input) { removedUserId } }',
      { input: { organizationId: loser.organization.globalId(), userId: leaving.user.globalId() } },
      loser.token,
    );
    expect(codeOf(await file(projectId, loser, leaving.token))).toBe('FORBIDDEN');
  });

  it('refuses blank grounds, another project’s application, and a complaint after the period', async () => {
    const { projectId } = await awarded();
    const other = await awarded();
    const blank = await file(projectId, loser, loser.token, { grounds: '  ' });
    expect(codeOf(blank)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(blank.body.errors![0]!.extensions)).toContain('input.grounds');
    const elsewhere = await file(projectId, loser, loser.token, { applicationId: other.losing });
    expect(codeOf(elsewhere)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(elsewhere.body.errors![0]!.extensions)).toContain('input.applicationId');
    await t.orm.em
      .fork()
      .execute(`update "project" set "awarded_at" = now() - interval '7 days 1 minute' where "id" = ?`, [
        idOf(projectId),
      ]);
    const late = await file(projectId, loser, loser.token);
    expect(codeOf(late)).toBe('FORBIDDEN');
    expect(late.body.errors![0]!.extensions).toMatchObject({
      reason: 'COMPLAINT_PERIOD_ENDED',
      periodDays: 7,
    });
    const rows = await t.orm.em
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from "project_complaint" where "project_id" = ?', [
        idOf(projectId),
      ]);
    expect(rows[0]!.n).toBe(0);
  });
});

describe('respondToComplaint and ruleOnComplaint', () => {
  it('lets the publisher respond once, and only an admin or the designated reviewer rule', async () => {
    const { projectId } = await awarded();
    const complaintId = await filed(projectId);
    const respond = (token: string) =>
      t.gql(RESPOND, { input: { complaintId, response: '评分记录已公开。' } }, token);
    expect(codeOf(await respond(otherPublisher.token))).toBe('FORBIDDEN');
    expect(codeOf(await respond(loser.token))).toBe('FORBIDDEN');
    expect((await respond(publisher.token)).body.errors).toBeUndefined();
    expect(codeOf(await respond(publisher.token))).toBe('CONFLICT');

    // Union staff not designated (the publisher's own and another's) may not rule.
    expect(codeOf(await rule(complaintId, publisher.token))).toBe('FORBIDDEN');
    expect(codeOf(await rule(complaintId, otherPublisher.token))).toBe('FORBIDDEN');
    expect(codeOf(await rule(complaintId, loser.token))).toBe('FORBIDDEN');
    const designate = (reviewer: SeededUser, token = admin.token) =>
      t.gql(DESIGNATE, { input: { complaintId, reviewerId: reviewer.user.globalId() } }, token);
    expect(codeOf(await designate(otherPublisher.staff, publisher.token))).toBe('FORBIDDEN');
    // No one reviews their own publisher's award.
    expect(codeOf(await designate(publisher.staff))).toBe('BAD_USER_INPUT');
    expect((await designate(otherPublisher.staff)).body.errors).toBeUndefined();
    const ruled = await rule(complaintId, otherPublisher.token);
    expect(ruled.body.errors).toBeUndefined();
    expect(ruled.body.data!.ruleOnComplaint).toMatchObject({
      complaint: { outcome: 'DISMISSED' },
      project: { status: 'AWARDED' },
    });
    // Ruled once: a second ruling is refused.
    expect(codeOf(await rule(complaintId, admin.token, 'UPHELD'))).toBe('CONFLICT');
    expect(await actionsOn(complaintId)).toEqual([
      'fileComplaint',
      'respondToComplaint',
      'designateComplaintReviewer',
      'ruleOnComplaint',
    ]);
  });

  it('of two rulings at once, one wins and the other gets CONFLICT', async () => {
    const { projectId } = await awarded();
    const complaintId = await filed(projectId);
    await t.data(
      DESIGNATE,
      { input: { complaintId, reviewerId: otherPublisher.staff.user.globalId() } },
      admin.token,
    );
    const results = await Promise.all([
      rule(complaintId, admin.token, 'UPHELD', '评分有误。'),
      rule(complaintId, otherPublisher.token, 'DISMISSED'),
    ]);
    expect(results.filter((r) => !r.body.errors)).toHaveLength(1);
    expect(results.map(codeOf).filter(Boolean)).toEqual(['CONFLICT']);
    expect((await actionsOn(complaintId)).filter((a) => a === 'ruleOnComplaint')).toHaveLength(1);
    // Whichever won, the project's status agrees with it.
    const view = await t.data<{ project: { status: string; complaints: { outcome: string }[] } }>(
      PUBLIC_VIEW,
      {
        id: projectId,
      },
    );
    const outcome = view.project.complaints[0]!.outcome;
    expect(view.project.status).toBe(outcome === 'UPHELD' ? 'EVALUATING' : 'AWARDED');
  });

  it('an upheld ruling suspends the award and reopens the evaluation, with its audit trail', async () => {
    const { projectId, winning, losing } = await awarded();
    const complaintId = await filed(projectId);
    const res = await rule(complaintId, admin.token, 'UPHELD', '评分表与公告标准不一致，重新评审。');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.ruleOnComplaint.project.status).toBe('EVALUATING');
    const view = await t.data<{
      project: {
        status: string;
        awards: unknown[];
        applications: { edges: { node: { id: string; status: string } }[] };
      };
    }>(PUBLIC_VIEW, { id: projectId }, publisher.token);
    expect(view.project.awards).toEqual([]);
    expect(
      Object.fromEntries(view.project.applications.edges.map((e) => [e.node.id, e.node.status])),
    ).toEqual({
      [winning]: 'SHORTLISTED',
      [losing]: 'SUBMITTED',
    });
    const trail = await t.orm.em
      .fork()
      .execute<{ action: string; summary: Record<string, unknown> }[]>(
        `select "action", "summary" from "audit_entry" where "subject_id" = ? and "action" = 'suspendAward'`,
        [projectId],
      );
    expect(trail).toEqual([
      {
        action: 'suspendAward',
        summary: {
          complaint: complaintId,
          from: 'AWARDED',
          to: 'EVALUATING',
          suspendedAwards: [{ application: winning, amountFen: 2_500_000 }],
          reopened: [losing],
        },
      },
    ]);
    // Evaluated again: the publisher may award anew, here to the complainant.
    const again = await t.gql(
      AWARD,
      {
        input: {
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          projectId,
          awards: [{ applicationId: losing, amountFen: 2_000_000 }],
        },
      },
      publisher.token,
    );
    expect(again.body.errors).toBeUndefined();
  });

  it('shows the outcome publicly without names, account ids or phone numbers, and in OCDS', async () => {
    const { projectId } = await awarded();
    const complaintId = await filed(projectId, '中标社工服务中心的评分偏高，联系人电话13912345678。');
    await t.data(
      RESPOND,
      { input: { complaintId, response: '已复核，电话 0531-88001234。' } },
      publisher.token,
    );
    await rule(complaintId, admin.token, 'DISMISSED', '复核无误。');
    const res = await t.gql<{ project: { complaints: Record<string, unknown>[] } }>(
      PUBLIC_VIEW,
      { id: projectId },
      null,
    );
    expect(res.body.errors).toBeUndefined();
    const [complaint] = res.body.data!.project.complaints;
    expect(complaint).toMatchObject({
      id: complaintId,
      outcome: 'DISMISSED',
      reasoning: '复核无误。',
      grounds: '中标社工服务中心的评分偏高，联系人电话[电话已隐去]。',
      response: '已复核，电话 [电话已隐去]。',
    });
    const text = JSON.stringify(res.body.data);
    for (const personal of [
      '13912345678',
      '88001234',
      loser.organization.name,
      loser.admin.user.globalId(),
      admin.user.globalId(),
      publisher.staff.user.globalId(),
      loser.admin.user.displayName,
      loser.organization.globalId(),
    ])
      expect(text).not.toContain(personal);
    // The type has no field that could name anyone.
    const fields = await t.data<{ __type: { fields: { name: string }[] } }>(
      '{ __type(name: "ProjectComplaint") { fields { name } } }',
    );
    expect(fields.__type.fields.map((f) => f.name).sort()).toEqual(
      [
        'filedAt',
        'grounds',
        'id',
        'outcome',
        'project',
        'reasoning',
        'respondedAt',
        'response',
        'ruledAt',
      ].sort(),
    );

    const pkg = (await (await fetch(`${t.url}/opendata/ocds/releases.json`)).json()) as {
      releases: {
        id: string;
        ocid: string;
        tag: string[];
        tender: { documents?: Record<string, unknown>[] };
      }[];
    };
    const releases = pkg.releases.filter((r) => r.ocid.endsWith(`-${idOf(projectId)}`));
    const ruling = releases.find((r) => r.id.endsWith(`-complaint-${idOf(complaintId)}`))!;
    expect(ruling.tag).toEqual(['tenderUpdate']);
    const document = ruling.tender.documents!.find((d) => d.documentType === 'complaints')!;
    expect(document.description).toContain('(dismissed: the award stands)');
    expect(JSON.stringify(releases)).not.toContain('13912345678');
    const { standards } = loadStandards();
    if (standards)
      expect(standards.ocds.releasePackage(pkg), JSON.stringify(standards.ocds.releasePackage.errors)).toBe(
        true,
      );
  });
});
