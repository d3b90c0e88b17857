import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/core/roles.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import type { OcdsRelease } from '../../../src/modules/opendata/ocds.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import {
  APPLY,
  AWARD,
  SOLE_APPLICANT_RATIONALE,
  closePeriod,
  idOf,
  projectInput,
  PUBLISH,
  seedPublisher,
} from './project-helpers.js';

const UPDATE = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) {
  project { id status criteria { name weight } } amendment { rationale changes } } }`;
const SCORE = `mutation($input: ScoreApplicationInput!) { scoreApplication(input: $input) {
  application { id status weightedScore scores { criterion score comment } } } }`;
const APPLICATION = `query($id: ID!) { node(id: $id) { ... on ProjectApplication {
  id status weightedScore scores { criterion score comment } } } }`;
const PROJECT = `query($id: ID!) { project(id: $id) { id status awardJustification
  criteria { name description weight } } }`;

const CRITERIA = [
  { name: '服务方案', description: '需求分析与活动设计', weight: 50 },
  { name: '团队经验', weight: 30 },
  { name: '报价', weight: 20 },
];

let t: TestApp;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
let first: SeededOrganization;
let second: SeededOrganization;
beforeAll(async () => {
  t = await startTestApp();
  publisher = await seedPublisher(t);
  [first, second] = [await t.seed.organization(), await t.seed.organization()];
});
afterAll(() => t.stop());

const code = (res: GqlResponse) => res.body.errors?.[0]?.extensions?.code;
const fields = (res: GqlResponse) =>
  res.body.errors?.[0]?.extensions?.fields as { path: string }[] | undefined;
const paths = (res: GqlResponse) => fields(res)?.map((f) => f.path);
const orgId = (org: SeededOrganization) => toGlobalId('Organization', org.organization.id);

async function publish(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput({ criteria: CRITERIA, ...overrides }) },
    publisher.token,
  );
  return res.publishProject.project.id;
}

async function apply(projectId: string, org: SeededOrganization): Promise<string> {
  const res = await t.data<{ applyToProject: { application: { id: string } } }>(
    APPLY,
    { input: { projectId, organizationId: orgId(org), proposal: '服务方案', requestedFen: 3_000_000 } },
    org.token,
  );
  return res.applyToProject.application.id;
}

/** Scores on every criterion: the given numbers in the criteria's order. */
const scoresOf = (...numbers: number[]) => CRITERIA.map((c, i) => ({ criterion: c.name, score: numbers[i] }));

function score(applicationId: string, scores: unknown[], token = publisher.token) {
  return t.gql<{ scoreApplication: { application: Record<string, unknown> } }>(
    SCORE,
    { input: { applicationId, scores } },
    token,
  );
}

async function audit(subjectId: string, action: string): Promise<Record<string, unknown>[]> {
  const rows = await t.orm.em
    .fork()
    .execute<{ summary: Record<string, unknown> }[]>(
      `select summary from audit_entry where subject_id = ? and action = ? order by id`,
      [subjectId, action],
    );
  return rows.map((r) => r.summary);
}

describe('award criteria', () => {
  it('are declared at publication and public with the project', async () => {
    const id = await publish();
    const seen = await t.data<{ project: { criteria: unknown[] } }>(PROJECT, { id }, null);
    expect(seen.project.criteria).toEqual(CRITERIA.map((c) => ({ description: null, ...c })));
    const [entry] = await audit(id, 'publishProject');
    expect(entry).toMatchObject({ criteria: CRITERIA.map((c) => ({ description: null, ...c })) });
  });

  it('refuse weights not summing to 100, repeated or blank names and weights out of range, writing nothing', async () => {
    const before = await t.orm.em.fork().count('Project', {});
    const bad = async (criteria: unknown[]) =>
      t.gql(PUBLISH, { input: projectInput({ criteria }) }, publisher.token);
    const short = await bad([
      { name: 'A', weight: 50 },
      { name: 'B', weight: 40 },
    ]);
    expect(code(short)).toBe('BAD_USER_INPUT');
    expect(fields(short)).toEqual([{ path: 'input.criteria', message: 'the weights sum to 90, not 100' }]);
    const repeated = await bad([
      { name: '方案', weight: 50 },
      { name: '方案', weight: 50 },
    ]);
    expect(paths(repeated)).toEqual(['input.criteria.1.name']);
    const blank = await bad([
      { name: '方案', weight: 50 },
      { name: '   ', weight: 50 },
    ]);
    expect(paths(blank)).toEqual(['input.criteria.1.name']);
    const zero = await bad([
      { name: '方案', weight: 100 },
      { name: '经验', weight: 0 },
    ]);
    expect(paths(zero)).toEqual(['input.criteria.1.weight']);
    for (const res of [repeated, blank, zero]) expect(code(res)).toBe('BAD_USER_INPUT');
    expect(await t.orm.em.fork().count('Project', {})).toBe(before);
  });

  it('change freely before the first application (an amendment), and after it only with a reopened period', async () => {
    const id = await publish();
    const renamed = [
      { name: '服务方案', weight: 60 },
      { name: '报价', weight: 40 },
    ];
    const early = await t.data<{ updateProject: { amendment: { changes: Record<string, unknown> } } }>(
      UPDATE,
      { input: { projectId: id, criteria: renamed, rationale: '合并评分项' } },
      publisher.token,
    );
    expect(Object.keys(early.updateProject.amendment.changes)).toEqual(['criteria']);

    await apply(id, first);
    const refused = await t.gql(
      UPDATE,
      { input: { projectId: id, criteria: CRITERIA, rationale: '恢复评分项' } },
      publisher.token,
    );
    expect(code(refused)).toBe('BAD_USER_INPUT');
    expect(paths(refused)).toEqual(['input.criteria']);
    expect(refused.body.errors?.[0]?.message).toContain('fixed since the first application');
    // Other terms still change by an amendment; the criteria stay.
    await t.data(UPDATE, { input: { projectId: id, title: '改名', rationale: '标题更正' } }, publisher.token);

    const later = new Date(Date.now() + 14 * 86_400_000).toISOString();
    const reopened = await t.data<{
      updateProject: { project: { criteria: unknown[] }; amendment: { changes: Record<string, unknown> } };
    }>(
      UPDATE,
      {
        input: {
          projectId: id,
          criteria: CRITERIA,
          applicationClosesAt: later,
          rationale: '恢复评分项并延长申报期',
        },
      },
      publisher.token,
    );
    expect(reopened.updateProject.project.criteria).toHaveLength(3);
    expect(reopened.updateProject.amendment.changes).toMatchObject({
      criteria: { from: renamed.map((c) => ({ description: null, ...c })) },
      applicationClosesAt: { to: later },
    });
    const entries = await audit(id, 'updateProject');
    expect(entries.map((e) => Object.keys(e.changes as object).sort())).toEqual([
      ['criteria'],
      ['title'],
      ['applicationClosesAt', 'criteria'],
    ]);
  });

  it('an amendment of the criteria reopens a closed period: EVALUATING → PUBLISHED, scores cleared', async () => {
    const id = await publish();
    const applicationId = await apply(id, first);
    await closePeriod(t, id);
    await score(applicationId, scoresOf(80, 70, 60));
    const notReopening = await t.gql(
      UPDATE,
      { input: { projectId: id, title: '改', rationale: '改名' } },
      publisher.token,
    );
    expect(code(notReopening)).toBe('CONFLICT');
    const noNewDate = await t.gql(
      UPDATE,
      { input: { projectId: id, criteria: [{ name: '服务方案', weight: 100 }], rationale: '简化' } },
      publisher.token,
    );
    expect(code(noNewDate)).toBe('BAD_USER_INPUT');
    const later = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const reopened = await t.data<{
      updateProject: { project: { status: string }; amendment: { changes: Record<string, unknown> } };
    }>(
      UPDATE,
      {
        input: {
          projectId: id,
          criteria: [{ name: '服务方案', weight: 100 }],
          applicationClosesAt: later,
          rationale: '评分标准简化，重新开放申报',
        },
      },
      publisher.token,
    );
    expect(reopened.updateProject.project.status).toBe('PUBLISHED');
    expect(reopened.updateProject.amendment.changes).toMatchObject({
      status: { from: 'EVALUATING', to: 'PUBLISHED' },
      applicationClosesAt: { to: later },
    });
    const application = await t.data<{ node: { scores: unknown; weightedScore: unknown } }>(
      APPLICATION,
      { id: applicationId },
      publisher.token,
    );
    expect(application.node).toMatchObject({ scores: null, weightedScore: null });
    const [entry] = await audit(id, 'updateProject');
    expect(entry).toMatchObject({ reopened: true, scoresCleared: 1 });
    // Announced again to the eligible organizations, as at publication.
    const events = await t.orm.em
      .fork()
      .execute<{ n: number }[]>(
        `select count(*)::int as n from event where topic = 'project.published' and entity_id = ?`,
        [idOf(id)],
      );
    expect(events[0]!.n).toBe(2);
    // Open again: another organization applies.
    await apply(id, second);
  });
});

describe('scoreApplication', () => {
  it('records a score per criterion and the weighted total, for the publisher, admins and the applicant only', async () => {
    const id = await publish();
    const applicationId = await apply(id, first);
    const early = await score(applicationId, scoresOf(90, 80, 70));
    expect(code(early)).toBe('CONFLICT');
    await closePeriod(t, id);
    const res = await score(applicationId, [
      { criterion: '报价', score: 95, comment: '报价合理' },
      { criterion: '服务方案', score: 88 },
      { criterion: '团队经验', score: 71 },
    ]);
    // 88 × 50 + 71 × 30 + 95 × 20 = 8,430 hundredths.
    expect(res.body.data?.scoreApplication.application).toMatchObject({
      weightedScore: 84.3,
      scores: [
        { criterion: '服务方案', score: 88, comment: null },
        { criterion: '团队经验', score: 71, comment: null },
        { criterion: '报价', score: 95, comment: '报价合理' },
      ],
    });
    const admin = await t.seed.admin();
    for (const token of [admin.token, first.token]) {
      const seen = await t.data<{ node: { weightedScore: number } }>(
        APPLICATION,
        { id: applicationId },
        token,
      );
      expect(seen.node.weightedScore).toBe(84.3);
    }
    // A plain member of the applicant reads them too; another organization cannot see the application.
    const member = await t.seed.organizationMember(first.organization.id);
    const asMember = await t.data<{ node: { weightedScore: number } }>(
      APPLICATION,
      { id: applicationId },
      member.token,
    );
    expect(asMember.node.weightedScore).toBe(84.3);
    const asOther = await t.data<{ node: unknown }>(APPLICATION, { id: applicationId }, second.token);
    expect(asOther.node).toBeNull();
    const [entry] = await audit(applicationId, 'scoreApplication');
    expect(entry).toMatchObject({ weightedScore: 84.3, replaced: null });

    // Re-scoring replaces, and the audit keeps what it replaced.
    await score(applicationId, scoresOf(60, 60, 60));
    const entries = await audit(applicationId, 'scoreApplication');
    expect(entries[1]).toMatchObject({ weightedScore: 60, replaced: entry!.scores });

    // Awarded, the application is public, its scores are not.
    await t.data(
      AWARD,
      {
        input: {
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          projectId: id,
          awards: [{ applicationId, amountFen: 3_000_000 }],
          justification: '综合得分最高',
        },
      },
      publisher.token,
    );
    const publicly = await t.data<{ node: { status: string; scores: unknown; weightedScore: unknown } }>(
      APPLICATION,
      { id: applicationId },
      null,
    );
    expect(publicly.node).toEqual({
      id: applicationId,
      status: 'AWARDED',
      scores: null,
      weightedScore: null,
    });
    expect(code(await score(applicationId, scoresOf(1, 2, 3)))).toBe('CONFLICT');
  });

  it('refuses scores out of range, unknown, repeated or missing criteria, and projects without criteria', async () => {
    const id = await publish();
    const applicationId = await apply(id, first);
    await closePeriod(t, id);
    const high = await score(applicationId, scoresOf(101, 50, 50));
    expect([code(high), paths(high)]).toEqual(['BAD_USER_INPUT', ['input.scores.0.score']]);
    const negative = await score(applicationId, scoresOf(50, -1, 50));
    expect(paths(negative)).toEqual(['input.scores.1.score']);
    const missing = await score(applicationId, scoresOf(50, 50).slice(0, 2));
    expect(code(missing)).toBe('BAD_USER_INPUT');
    expect(fields(missing)).toEqual([
      { path: 'input.scores', message: 'must score every criterion; missing “报价”' },
    ]);
    const repeated = await score(applicationId, [...scoresOf(50, 50, 50), { criterion: '报价', score: 10 }]);
    expect(paths(repeated)).toEqual(['input.scores.3.criterion']);
    const unknown = await score(applicationId, [
      ...scoresOf(50, 50).slice(0, 2),
      { criterion: '价格', score: 10 },
    ]);
    expect(paths(unknown)).toEqual(['input.scores.2.criterion', 'input.scores']);
    expect(await audit(applicationId, 'scoreApplication')).toEqual([]);

    const plain = await publish({ criteria: null });
    const plainApplication = await apply(plain, first);
    await closePeriod(t, plain);
    expect(code(await score(plainApplication, scoresOf(1, 2, 3)))).toBe('CONFLICT');
  });

  it('is for the project’s publisher’s staff, checked at every request', async () => {
    const id = await publish();
    const applicationId = await apply(id, first);
    await closePeriod(t, id);
    const other = await seedPublisher(t);
    const admin = await t.seed.admin();
    const worker = await t.seed.worker();
    expect(code(await score(applicationId, scoresOf(1, 2, 3), null as unknown as string))).toBe(
      'UNAUTHENTICATED',
    );
    for (const token of [first.token, admin.token, worker.token])
      expect(code(await score(applicationId, scoresOf(1, 2, 3), token))).toBe('FORBIDDEN');
    expect(code(await score(applicationId, scoresOf(1, 2, 3), other.token))).toBe('NOT_FOUND');

    // A colleague scores, then loses the staff role: the next score is refused.
    const colleague = await t.seed.user([Role.UNION_STAFF], { regionCode: '370100' });
    await t.orm.em
      .fork()
      .execute(`insert into publisher_staff (publisher_id, user_id) values (?, ?)`, [
        publisher.publisher.id,
        colleague.user.id,
      ]);
    expect(code(await score(applicationId, scoresOf(50, 50, 50), colleague.token))).toBeUndefined();
    await t.orm.em
      .fork()
      .execute(`update app_user set roles = array[?]::text[] where id = ?`, [Role.WORKER, colleague.user.id]);
    expect(code(await score(applicationId, scoresOf(90, 90, 90), colleague.token))).toBe('FORBIDDEN');
    const seen = await t.data<{ node: { weightedScore: number } }>(
      APPLICATION,
      { id: applicationId },
      publisher.token,
    );
    expect(seen.node.weightedScore).toBe(50);
  });

  it('two staff scoring one application at once: both apply in turn, the later replaces the earlier, both audited', async () => {
    const id = await publish();
    const applicationId = await apply(id, first);
    await closePeriod(t, id);
    const colleague = await t.seed.user([Role.UNION_STAFF], { regionCode: '370100' });
    await t.orm.em
      .fork()
      .execute(`insert into publisher_staff (publisher_id, user_id) values (?, ?)`, [
        publisher.publisher.id,
        colleague.user.id,
      ]);
    const results = await Promise.all([
      score(applicationId, scoresOf(10, 10, 10), publisher.token),
      score(applicationId, scoresOf(90, 90, 90), colleague.token),
    ]);
    expect(results.map(code)).toEqual([undefined, undefined]);
    const entries = await audit(applicationId, 'scoreApplication');
    expect(entries).toHaveLength(2);
    // Serialized by the row lock: the second entry replaced the first one's scores, and is what stands.
    expect(entries[0]!.replaced).toBeNull();
    expect(entries[1]!.replaced).toEqual(entries[0]!.scores);
    const seen = await t.data<{ node: { weightedScore: number } }>(
      APPLICATION,
      { id: applicationId },
      publisher.token,
    );
    expect(seen.node.weightedScore).toBe(entries[1]!.weightedScore);
  });
});

describe('the award’s justification', () => {
  it('is required when the project has criteria, stored, public with the award and in the open data', async () => {
    const id = await publish();
    const applicationId = await apply(id, first);
    await closePeriod(t, id);
    const award = (justification?: string) =>
      t.gql(
        AWARD,
        {
          input: {
            fairnessRationale: SOLE_APPLICANT_RATIONALE,
            projectId: id,
            awards: [{ applicationId, amountFen: 2_500_000 }],
            justification,
          },
        },
        publisher.token,
      );
    const without = await award();
    expect([code(without), paths(without)]).toEqual(['BAD_USER_INPUT', ['input.justification']]);
    const before = await t.data<{ project: { status: string; awardJustification: unknown } }>(
      PROJECT,
      { id },
      null,
    );
    expect(before.project).toMatchObject({ status: 'EVALUATING', awardJustification: null });
    const text = '服务方案得分最高（88分），团队经验充分，报价在预算内。';
    expect(code(await award(text))).toBeUndefined();
    const after = await t.data<{ project: { awardJustification: string } }>(PROJECT, { id }, null);
    expect(after.project.awardJustification).toBe(text);
    const [entry] = await audit(id, 'awardProject');
    expect(entry).toMatchObject({ justification: text });

    const body = (await (await fetch(`${t.url}/opendata/ocds/releases.json`)).json()) as {
      releases: OcdsRelease[];
    };
    const awardRelease = body.releases.find((r) => r.id.endsWith(`-${idOf(id)}-award`));
    expect(awardRelease?.awards?.[0]).toMatchObject({ description: text });
    expect(awardRelease?.tender).toMatchObject({
      awardCriteria: 'ratedCriteria',
      awardCriteriaDetails: '服务方案 50%: 需求分析与活动设计; 团队经验 30%; 报价 20%',
    });
  });

  it('stays optional for a project without criteria', async () => {
    const id = await publish({ criteria: null });
    const applicationId = await apply(id, first);
    await closePeriod(t, id);
    await t.data(
      AWARD,
      {
        input: {
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          projectId: id,
          awards: [{ applicationId, amountFen: 1_000_000 }],
        },
      },
      publisher.token,
    );
    const seen = await t.data<{ project: { status: string; awardJustification: unknown } }>(
      PROJECT,
      { id },
      null,
    );
    expect(seen.project).toEqual({ id, status: 'AWARDED', awardJustification: null, criteria: [] });
  });
});
