import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/core/roles.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { EvaluationGrade, FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import { PublisherKind } from '../../../src/modules/projects/project.enums.js';
import { statementsDuring } from '../../setup/probes.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  idOf,
  projectInput,
  PUBLISH,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from './project-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

interface PublishResult {
  publishProject: { project: { id: string; status: string; [key: string]: unknown } };
}

const orgId = (id: number) => toGlobalId('Organization', id);

async function publish(token: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await t.data<PublishResult>(PUBLISH, { input: projectInput(overrides) }, token);
  return res.publishProject.project.id;
}

async function apply(token: string, projectId: string, organizationId: number, requestedFen = 5_000_000) {
  return t.gql<{ applyToProject: { application: { id: string; status: string } } }>(
    APPLY,
    { input: { projectId, organizationId: orgId(organizationId), proposal: '我们的服务方案', requestedFen } },
    token,
  );
}

function errorOf(res: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) {
  return res.body.errors?.[0]?.extensions ?? {};
}

describe('publishers', () => {
  it('lets admins create a publisher and refuses union staff outside their region scope', async () => {
    const admin = await t.seed.admin();
    const created = await t.data<{
      createPublisher: { publisher: { id: string; kind: string; region: { code: string } } };
    }>(
      `mutation($input: CreatePublisherInput!) { createPublisher(input: $input) { publisher { id kind region { code } } } }`,
      { input: { kind: 'GOVERNMENT', name: '济南市民政局', regionCode: '370100' } },
      admin.token,
    );
    expect(created.createPublisher.publisher).toMatchObject({
      kind: 'GOVERNMENT',
      region: { code: '370100' },
    });

    const qingdaoStaff = await t.seed.unionStaff('370200');
    const refused = await t.gql(
      `mutation($input: CreatePublisherInput!) { createPublisher(input: $input) { publisher { id } } }`,
      { input: { kind: 'UNION', name: '济南市总工会', regionCode: '370100' } },
      qingdaoStaff.token,
    );
    expect(errorOf(refused).code).toBe('FORBIDDEN');
  });

  it('adds staff whose role matches the publisher kind and shows it as the viewer’s publisher', async () => {
    const admin = await t.seed.admin();
    const { publisherId } = await seedPublisher(t, { kind: PublisherKind.ENTERPRISE });
    const ADD = `mutation($input: AddPublisherStaffInput!) { addPublisherStaff(input: $input) { publisher { id } user { id } } }`;
    const wrongRole = await t.seed.user([Role.GOV_STAFF], { regionCode: '370100' });
    const mismatch = await t.gql(
      ADD,
      { input: { publisherId, userId: toGlobalId('User', wrongRole.user.id) } },
      admin.token,
    );
    expect(errorOf(mismatch).code).toBe('CONFLICT');

    const staff = await t.seed.user([Role.ENTERPRISE_STAFF]);
    await t.data(ADD, { input: { publisherId, userId: toGlobalId('User', staff.user.id) } }, admin.token);
    const me = await t.data<{ viewer: { publisher: { id: string } } }>(
      `{ viewer { publisher { id } } }`,
      {},
      staff.token,
    );
    expect(me.viewer.publisher.id).toBe(publisherId);
  });
});

describe('project lifecycle', () => {
  it('runs draft → published → evaluating → awarded → in progress → completed, with exact money and audit', async () => {
    const pub = await seedPublisher(t);
    const draft = await t.data<PublishResult>(
      PUBLISH,
      { input: { ...projectInput(), publish: false } },
      pub.token,
    );
    const projectId = draft.publishProject.project.id;
    expect(draft.publishProject.project).toMatchObject({
      status: 'DRAFT',
      budget: { amountFen: 10_000_000, currency: 'CNY' },
      eligibility: { verifiedOnly: true, minGrade: 'NONE', allowedFoundingTypes: [], mustServeRegions: true },
    });
    // Drafts are the publisher's alone.
    const anonymous = await t.data<{ project: null }>(`query($id: ID!) { project(id: $id) { id } }`, {
      id: projectId,
    });
    expect(anonymous.project).toBeNull();

    const published = await t.data<PublishResult>(PUBLISH, { input: { projectId } }, pub.token);
    expect(published.publishProject.project).toMatchObject({
      status: 'PUBLISHED',
      isOpenForApplications: true,
    });

    const a = await t.seed.organization();
    const b = await t.seed.organization();
    const c = await t.seed.organization();
    const appA = (await apply(a.token, projectId, a.organization.id, 6_000_001)).body.data!.applyToProject
      .application;
    const appB = (await apply(b.token, projectId, b.organization.id, 4_000_000)).body.data!.applyToProject
      .application;
    const appC = (await apply(c.token, projectId, c.organization.id, 3_000_000)).body.data!.applyToProject
      .application;
    expect(appA.status).toBe('SUBMITTED');

    await closePeriod(t, projectId);
    const onRead = await t.data<{ project: { status: string } }>(
      `query($id: ID!) { project(id: $id) { status } }`,
      {
        id: projectId,
      },
    );
    expect(onRead.project.status).toBe('EVALUATING');

    await t.data(
      `mutation($input: ShortlistApplicationInput!) { shortlistApplication(input: $input) { application { status } } }`,
      { input: { applicationId: appA.id } },
      pub.token,
    );

    const awarded = await t.data<{
      awardProject: {
        project: { status: string; awardedTotal: { amountFen: number } };
        awarded: { status: string }[];
      };
    }>(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [
            { applicationId: appA.id, amountFen: 5_999_999 },
            { applicationId: appB.id, amountFen: 4_000_001 - 1 },
          ],
        },
      },
      pub.token,
    );
    // 5,999,999 + 4,000,000 = 9,999,999 fen: integer arithmetic, exactly.
    expect(awarded.awardProject.project).toMatchObject({
      status: 'AWARDED',
      awardedTotal: { amountFen: 9_999_999 },
    });

    // After the award, who won and how much is public; the rejected application is not.
    const publicView = await t.data<{
      project: {
        awards: { organization: { id: string }; awarded: { amountFen: number } }[];
        applications: { totalCount: number; edges: { node: { status: string } }[] };
      };
    }>(
      `query($id: ID!) { project(id: $id) { awards { organization { id } awarded { amountFen } }
         applications { totalCount edges { node { status } } } } }`,
      { id: projectId },
    );
    expect(publicView.project.awards.map((w) => w.awarded.amountFen)).toEqual([5_999_999, 4_000_000]);
    expect(publicView.project.applications.totalCount).toBe(2);
    const loser = await t.data<{
      project: { applications: { edges: { node: { id: string; status: string } }[] } };
    }>(
      `query($id: ID!) { project(id: $id) { applications { edges { node { id status } } } } }`,
      { id: projectId },
      c.token,
    );
    expect(loser.project.applications.edges.find((e) => e.node.id === appC.id)?.node.status).toBe('REJECTED');

    const START = `mutation($input: StartProjectInput!) { startProject(input: $input) { project { status } } }`;
    await t.data(START, { input: { projectId } }, pub.token);
    const done = await t.data<{
      completeProject: { project: { status: string; evaluationScore: number; outcome: string } };
    }>(
      `mutation($input: CompleteProjectInput!) { completeProject(input: $input) { project { status evaluationScore outcome } } }`,
      { input: { projectId, outcome: '服务120个家庭', evaluationScore: 5 } },
      pub.token,
    );
    expect(done.completeProject.project).toMatchObject({ status: 'COMPLETED', evaluationScore: 5 });

    const audit = await t.orm.em
      .fork()
      .execute<{ action: string }[]>(`select action from audit_entry where subject_id = ? order by id`, [
        projectId,
      ]);
    expect(audit.map((r) => r.action)).toEqual([
      'publishProject',
      'publishProject',
      // Written by the shortlist, the first mutation after the deadline (the read before it wrote nothing).
      'project.applicationPeriodClose',
      'awardProject',
      'startProject',
      'completeProject',
    ]);
  });

  it('presents a closed application period by the clock on every read, and the sweep writes the close once, audited and announced', async () => {
    const pub = await seedPublisher(t);
    const projectId = await publish(pub.token, { title: '到期关闭' });
    await closePeriod(t, projectId);
    const statusOf = `query($id: ID!) { project(id: $id) { status isOpenForApplications } }`;
    const ids = async (filter: Record<string, unknown>) =>
      (
        await t.data<{ projects: { edges: { node: { id: string } }[] } }>(
          `query($filter: ProjectFilter) { projects(first: 100, filter: $filter) { edges { node { id } } } }`,
          { filter },
        )
      ).projects.edges.map((e) => e.node.id);

    const reads = await statementsDuring(t.orm, async () => {
      expect((await t.data<{ project: unknown }>(statusOf, { id: projectId })).project).toEqual({
        status: 'EVALUATING',
        isOpenForApplications: false,
      });
      expect(await ids({ status: ['EVALUATING'] })).toContain(projectId);
      expect(await ids({ status: ['PUBLISHED'] })).not.toContain(projectId);
      expect(await ids({ openForApplications: true })).not.toContain(projectId);
      expect(await ids({ openForApplications: false })).toContain(projectId);
    });
    expect(reads.filter((sql) => !sql.startsWith('select'))).toEqual([]);

    const written = async () => {
      const em = t.orm.em.fork();
      const audit = await em.execute<{ n: number }[]>(
        `select count(*)::int as n from audit_entry where subject_id = ? and action = 'project.applicationPeriodClose'`,
        [projectId],
      );
      const events = await em.execute<{ n: number }[]>(
        `select count(*)::int as n from event where topic = 'project.applicationsClosed' and entity_id = ?`,
        [idOf(projectId)],
      );
      const [row] = await em.execute<{ status: string }[]>(`select status from project where id = ?`, [
        idOf(projectId),
      ]);
      return { status: row!.status, audit: audit[0]!.n, events: events[0]!.n };
    };
    expect(await written()).toEqual({ status: 'PUBLISHED', audit: 0, events: 0 });
    expect(
      await t.app.services.projectPublishing.closeEndedApplicationPeriods(t.orm.em.fork(), new Date()),
    ).toBeGreaterThanOrEqual(1);
    expect(await written()).toEqual({ status: 'EVALUATING', audit: 1, events: 1 });
    await t.app.services.projectPublishing.closeEndedApplicationPeriods(t.orm.em.fork(), new Date());
    expect(await written()).toEqual({ status: 'EVALUATING', audit: 1, events: 1 });
  });

  it('refuses every illegal transition with CONFLICT', async () => {
    const pub = await seedPublisher(t);
    const projectId = await publish(pub.token);
    const COMPLETE = `mutation($input: CompleteProjectInput!) { completeProject(input: $input) { project { status } } }`;
    const START = `mutation($input: StartProjectInput!) { startProject(input: $input) { project { status } } }`;
    const org = await t.seed.organization();
    const appId = (await apply(org.token, projectId, org.organization.id)).body.data!.applyToProject
      .application.id;

    // Still open: no award, no start, no completion, no UNSUCCESSFUL.
    const award = await t.gql(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [{ applicationId: appId, amountFen: 1 }],
        },
      },
      pub.token,
    );
    expect(errorOf(award)).toMatchObject({ code: 'CONFLICT', status: 'PUBLISHED' });
    expect(errorOf(await t.gql(START, { input: { projectId } }, pub.token)).code).toBe('CONFLICT');
    expect(
      errorOf(await t.gql(COMPLETE, { input: { projectId, outcome: 'x', evaluationScore: 3 } }, pub.token))
        .code,
    ).toBe('CONFLICT');
    const CANCEL = `mutation($input: CancelProjectInput!) { cancelProject(input: $input) { project { status statusReason } } }`;
    expect(
      errorOf(
        await t.gql(CANCEL, { input: { projectId, reason: '无合适申报', unsuccessful: true } }, pub.token),
      ).code,
    ).toBe('CONFLICT');

    // Cancelled is final, and the pending application is rejected.
    const cancelled = await t.data<{ cancelProject: { project: { status: string; statusReason: string } } }>(
      CANCEL,
      { input: { projectId, reason: '预算调整' } },
      pub.token,
    );
    expect(cancelled.cancelProject.project).toMatchObject({ status: 'CANCELLED', statusReason: '预算调整' });
    expect(errorOf(await t.gql(CANCEL, { input: { projectId, reason: 'again' } }, pub.token)).code).toBe(
      'CONFLICT',
    );
    const republish = await t.gql(PUBLISH, { input: { projectId } }, pub.token);
    expect(errorOf(republish).code).toBe('CONFLICT');
    const rows = await t.orm.em
      .fork()
      .execute<{ status: string }[]>(`select status from project_application where id = ?`, [idOf(appId)]);
    expect(rows[0]?.status).toBe('REJECTED');
  });

  it('lets exactly one of two staff awarding the same project at once succeed; the other gets CONFLICT', async () => {
    const pub = await seedPublisher(t);
    const colleague = await t.seed.user([Role.UNION_STAFF], { regionCode: '370100' });
    const admin = await t.seed.admin();
    await t.data(
      `mutation($input: AddPublisherStaffInput!) { addPublisherStaff(input: $input) { user { id } } }`,
      { input: { publisherId: pub.publisherId, userId: toGlobalId('User', colleague.user.id) } },
      admin.token,
    );
    const projectId = await publish(pub.token);
    const a = await t.seed.organization();
    const b = await t.seed.organization();
    const appA = (await apply(a.token, projectId, a.organization.id)).body.data!.applyToProject.application
      .id;
    const appB = (await apply(b.token, projectId, b.organization.id)).body.data!.applyToProject.application
      .id;
    await closePeriod(t, projectId);

    const results = await Promise.all([
      t.gql(
        AWARD,
        {
          input: {
            projectId,
            fairnessRationale: SOLE_APPLICANT_RATIONALE,
            awards: [{ applicationId: appA, amountFen: 5_000_000 }],
          },
        },
        pub.token,
      ),
      t.gql(
        AWARD,
        {
          input: {
            projectId,
            fairnessRationale: SOLE_APPLICANT_RATIONALE,
            awards: [{ applicationId: appB, amountFen: 5_000_000 }],
          },
        },
        colleague.token,
      ),
    ]);
    const codes = results.map((r) => (r.body.errors ? errorOf(r).code : 'OK')).sort();
    expect(codes).toEqual(['CONFLICT', 'OK']);
    const awarded = await t.orm.em
      .fork()
      .execute<{ n: string }[]>(
        `select count(*) as n from project_application where project_id = ? and status = 'AWARDED'`,
        [idOf(projectId)],
      );
    expect(Number(awarded[0]?.n)).toBe(1);
  });

  it('refuses awards that exceed the budget or the amount requested, naming the field', async () => {
    const pub = await seedPublisher(t);
    const projectId = await publish(pub.token, { budgetFen: 1_000 });
    const a = await t.seed.organization();
    const b = await t.seed.organization();
    const appA = (await apply(a.token, projectId, a.organization.id, 600)).body.data!.applyToProject
      .application.id;
    const appB = (await apply(b.token, projectId, b.organization.id, 600)).body.data!.applyToProject
      .application.id;
    await closePeriod(t, projectId);
    const over = await t.gql(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [
            { applicationId: appA, amountFen: 600 },
            { applicationId: appB, amountFen: 401 },
          ],
        },
      },
      pub.token,
    );
    expect(errorOf(over)).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'input.awards' }] });
    const overRequest = await t.gql(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [{ applicationId: appA, amountFen: 601 }],
        },
      },
      pub.token,
    );
    expect(errorOf(overRequest)).toMatchObject({ fields: [{ path: 'input.awards.0.amountFen' }] });
    const exact = await t.data<{ awardProject: { project: { awardedTotal: { amountFen: number } } } }>(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [
            { applicationId: appA, amountFen: 600 },
            { applicationId: appB, amountFen: 400 },
          ],
        },
      },
      pub.token,
    );
    expect(exact.awardProject.project.awardedTotal.amountFen).toBe(1_000);
  });
});

describe('applications', () => {
  it('refuses each ineligible organization with FORBIDDEN and the rule it failed', async () => {
    const pub = await seedPublisher(t);
    const invitee = await t.seed.organization();
    const projectId = await publish(pub.token, {
      regionCodes: ['370102'],
      eligibility: { minGrade: 'GRADE_3A', allowedFoundingTypes: ['INDEPENDENT', 'UNION_INCUBATED'] },
      fairnessRationale: '面向非工会创办机构的扶持项目',
    });
    const cases: [string, Parameters<TestApp['seed']['organization']>[0]][] = [
      ['NOT_VERIFIED', { verified: false, grade: EvaluationGrade.GRADE_4A }],
      ['GRADE_TOO_LOW', { grade: EvaluationGrade.GRADE_2A }],
      [
        'FOUNDING_TYPE_NOT_ALLOWED',
        { grade: EvaluationGrade.GRADE_5A, foundingType: FoundingType.UNION_FOUNDED },
      ],
      ['DOES_NOT_SERVE_REGION', { grade: EvaluationGrade.GRADE_3A, homeRegionCode: '370200' }],
    ];
    for (const [reason, options] of cases) {
      const org = await t.seed.organization(options);
      const res = await apply(org.token, projectId, org.organization.id);
      expect(errorOf(res), reason).toMatchObject({ code: 'FORBIDDEN', reason });
    }
    // Jinan covers its district Lixia (370102): a city-wide organization serves the project.
    const ok = await t.seed.organization({ grade: EvaluationGrade.GRADE_3A, regionCodes: ['370100'] });
    expect((await apply(ok.token, projectId, ok.organization.id)).body.errors).toBeUndefined();

    const selective = await publish(pub.token, {
      procurementMethod: 'SELECTIVE',
      invitedOrganizationIds: [orgId(invitee.organization.id)],
    });
    const outsider = await t.seed.organization();
    expect(errorOf(await apply(outsider.token, selective, outsider.organization.id))).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'NOT_INVITED',
    });
    expect((await apply(invitee.token, selective, invitee.organization.id)).body.errors).toBeUndefined();
  });

  it('accepts applications only inside the period by the database clock, one live one per organization', async () => {
    const pub = await seedPublisher(t);
    const org = await t.seed.organization();
    const future = await publish(pub.token, {
      applicationOpensAt: new Date(Date.now() + 86_400_000).toISOString(),
      applicationClosesAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    });
    expect(errorOf(await apply(org.token, future, org.organization.id)).code).toBe('CONFLICT');

    const projectId = await publish(pub.token, { budgetFen: 5_000 });
    expect(errorOf(await apply(org.token, projectId, org.organization.id, 5_001))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.requestedFen' }],
    });
    const first = await apply(org.token, projectId, org.organization.id, 5_000);
    const appId = first.body.data!.applyToProject.application.id;
    expect(errorOf(await apply(org.token, projectId, org.organization.id, 4_000)).code).toBe('CONFLICT');

    const WITHDRAW = `mutation($input: WithdrawApplicationInput!) { withdrawApplication(input: $input) { application { status } } }`;
    const withdrawn = await t.data<{ withdrawApplication: { application: { status: string } } }>(
      WITHDRAW,
      { input: { applicationId: appId } },
      org.token,
    );
    expect(withdrawn.withdrawApplication.application.status).toBe('WITHDRAWN');
    expect((await apply(org.token, projectId, org.organization.id, 4_000)).body.errors).toBeUndefined();

    await closePeriod(t, projectId);
    const late = await t.seed.organization();
    expect(errorOf(await apply(late.token, projectId, late.organization.id)).code).toBe('CONFLICT');
  });

  it('shows applications to the publisher and the applicant only, until the award', async () => {
    const pub = await seedPublisher(t);
    const projectId = await publish(pub.token);
    const a = await t.seed.organization();
    const b = await t.seed.organization();
    await apply(a.token, projectId, a.organization.id);
    await apply(b.token, projectId, b.organization.id);
    const Q = `query($id: ID!) { project(id: $id) { applications { totalCount } } }`;
    const count = async (token?: string) =>
      (await t.data<{ project: { applications: { totalCount: number } } }>(Q, { id: projectId }, token))
        .project.applications.totalCount;
    expect(await count(pub.token)).toBe(2);
    expect(await count(a.token)).toBe(1);
    expect(await count()).toBe(0);
    const other = await seedPublisher(t);
    expect(await count(other.token)).toBe(0);
  });

  it('refuses the wrong roles and other organizations', async () => {
    const pub = await seedPublisher(t);
    const projectId = await publish(pub.token);
    const org = await t.seed.organization();
    const worker = await t.seed.worker();
    expect(errorOf(await apply(worker.token, projectId, org.organization.id)).code).toBe('FORBIDDEN');
    const member = await t.seed.organizationMember(org.organization.id);
    // An ORG_MEMBER of this organization who administers another one still cannot act for this one.
    const otherOrg = await t.seed.organization({ admin: member });
    expect(otherOrg.organization.id).not.toBe(org.organization.id);
    expect(errorOf(await apply(member.token, projectId, org.organization.id)).code).toBe('FORBIDDEN');
    expect(errorOf(await apply(org.token, projectId, org.organization.id)).code).toBeUndefined();
  });
});

describe('publishing rules and permissions', () => {
  it('keeps publisher B’s staff away from publisher A’s projects', async () => {
    const a = await seedPublisher(t);
    const b = await seedPublisher(t, { kind: PublisherKind.GOVERNMENT });
    const projectId = await publish(a.token);
    const CANCEL = `mutation($input: CancelProjectInput!) { cancelProject(input: $input) { project { status } } }`;
    expect(errorOf(await t.gql(CANCEL, { input: { projectId, reason: 'x' } }, b.token)).code).toBe(
      'FORBIDDEN',
    );
    const draftId = (
      await t.data<PublishResult>(PUBLISH, { input: { ...projectInput(), publish: false } }, a.token)
    ).publishProject.project.id;
    expect(errorOf(await t.gql(PUBLISH, { input: { projectId: draftId } }, b.token)).code).toBe('NOT_FOUND');
    const worker = await t.seed.worker();
    expect(errorOf(await t.gql(PUBLISH, { input: projectInput() }, worker.token)).code).toBe('FORBIDDEN');
    // Union staff without a publisher cannot publish either.
    const loose = await t.seed.unionStaff();
    expect(errorOf(await t.gql(PUBLISH, { input: projectInput() }, loose.token)).code).toBe('FORBIDDEN');
  });

  it('names the bad fields of a new project', async () => {
    const pub = await seedPublisher(t);
    const zero = await t.gql(PUBLISH, { input: projectInput({ budgetFen: 0 }) }, pub.token);
    expect(errorOf(zero)).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'input.budgetFen' }] });
    const missing = await t.gql(PUBLISH, { input: { title: '只有标题' } }, pub.token);
    expect((errorOf(missing).fields as { path: string }[]).map((f) => f.path)).toContain(
      'input.categoryCode',
    );
    const backwards = await t.gql(
      PUBLISH,
      { input: projectInput({ applicationClosesAt: new Date(Date.now() - 120_000).toISOString() }) },
      pub.token,
    );
    expect(errorOf(backwards)).toMatchObject({ fields: [{ path: 'input.applicationClosesAt' }] });
    const badCategory = await t.gql(PUBLISH, { input: projectInput({ categoryCode: 'NOPE' }) }, pub.token);
    expect(errorOf(badCategory)).toMatchObject({ fields: [{ path: 'input.categoryCode' }] });
    const direct = await t.gql(PUBLISH, { input: projectInput({ procurementMethod: 'DIRECT' }) }, pub.token);
    expect(errorOf(direct)).toMatchObject({ fields: [{ path: 'input.invitedOrganizationIds' }] });
    const badUrl = await t.gql(
      PUBLISH,
      { input: projectInput({ documents: [{ title: 'x', url: 'javascript:1' }] }) },
      pub.token,
    );
    expect(errorOf(badUrl).code).toBe('BAD_USER_INPUT');
  });

  it('amends a published project only with a rationale, and shows the amendment', async () => {
    const pub = await seedPublisher(t);
    const projectId = await publish(pub.token);
    const UPDATE = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) {
      project { budget { amountFen } amendments { rationale changes } } amendment { id } } }`;
    const noReason = await t.gql(UPDATE, { input: { projectId, budgetFen: 12_000_000 } }, pub.token);
    expect(errorOf(noReason)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.rationale' }],
    });
    const amended = await t.data<{
      updateProject: {
        project: { budget: { amountFen: number }; amendments: { rationale: string; changes: unknown }[] };
      };
    }>(UPDATE, { input: { projectId, budgetFen: 12_000_000, rationale: '追加预算' } }, pub.token);
    expect(amended.updateProject.project.budget.amountFen).toBe(12_000_000);
    const publicView = await t.data<{ project: { amendments: { rationale: string; changes: unknown }[] } }>(
      `query($id: ID!) { project(id: $id) { amendments { rationale changes } } }`,
      { id: projectId },
    );
    expect(publicView.project.amendments).toEqual([
      { rationale: '追加预算', changes: { budgetFen: { from: 10_000_000, to: 12_000_000 } } },
    ]);
  });
});

describe('projects query', () => {
  it('filters by publisher, category and region subtrees, budget and open-for-applications', async () => {
    const pub = await seedPublisher(t, { regionCode: '370200' });
    const childcare = await publish(pub.token, {
      categoryCode: 'LIFE.CHILDCARE',
      regionCodes: ['370202'],
      budgetFen: 300,
    });
    const rights = await publish(pub.token, {
      categoryCode: 'WORK.RIGHTS',
      regionCodes: ['370200'],
      budgetFen: 900,
    });
    const closed = await publish(pub.token, {
      categoryCode: 'LIFE.ELDERLY_CARE',
      regionCodes: ['370202'],
      budgetFen: 500,
    });
    await closePeriod(t, closed);
    const Q = `query($filter: ProjectFilter, $orderBy: ProjectOrder) {
      projects(filter: $filter, orderBy: $orderBy, first: 10) { totalCount edges { node { id status } } } }`;
    const ids = async (filter: Record<string, unknown>, orderBy?: string) =>
      (
        await t.data<{ projects: { edges: { node: { id: string } }[] } }>(Q, {
          filter: { publisherId: pub.publisherId, ...filter },
          orderBy,
        })
      ).projects.edges.map((e) => e.node.id);
    expect(await ids({}, 'BUDGET_DESC')).toEqual([rights, closed, childcare]);
    expect(await ids({ categoryCode: 'LIFE' })).toEqual([closed, childcare]);
    expect(await ids({ regionCode: '370202' })).toEqual([closed, childcare]);
    expect(await ids({ regionCode: '370100' })).toEqual([]);
    expect(await ids({ minBudgetFen: 400, maxBudgetFen: 900 })).toEqual([closed, rights]);
    expect(await ids({ openForApplications: true })).toEqual([rights, childcare]);
    expect(await ids({ status: ['EVALUATING'] })).toEqual([closed]);
  });

  it('resolves projects, applications and amendments through node(id) with the same rules', async () => {
    const pub = await seedPublisher(t);
    const projectId = await publish(pub.token);
    const org = await t.seed.organization();
    const appId = (await apply(org.token, projectId, org.organization.id)).body.data!.applyToProject
      .application.id;
    const NODE = `query($id: ID!) { node(id: $id) { id ... on Project { title } ... on ProjectApplication { status } } }`;
    expect((await t.data<{ node: { title: string } }>(NODE, { id: projectId })).node.title).toBe(
      '困难职工家庭子女助学服务',
    );
    expect((await t.data<{ node: null }>(NODE, { id: appId })).node).toBeNull();
    expect((await t.data<{ node: { status: string } }>(NODE, { id: appId }, org.token)).node.status).toBe(
      'SUBMITTED',
    );
    expect((await t.data<{ node: { status: string } }>(NODE, { id: appId }, pub.token)).node.status).toBe(
      'SUBMITTED',
    );
  });
});
