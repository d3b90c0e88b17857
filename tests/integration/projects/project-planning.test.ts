import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/core/roles.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import type { OcdsRelease } from '../../../src/modules/opendata/ocds.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { Conformance, loadStandards } from '../../setup/standards.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { subscriptionsReach } from '../../setup/probes.js';
import { record } from '../events/feed-client.js';
import { APPLY, idOf, projectInput, PUBLISH, seedPublisher } from './project-helpers.js';

const PLAN = `mutation($input: PlanProjectInput!) {
  planProject(input: $input) { project { id status isOpenForApplications budget { amountFen }
    plan { expectedBudget { amountFen } expectedOpensAt expectedClosesAt announcedAt } } } }`;
const CANCEL = `mutation($input: CancelProjectInput!) { cancelProject(input: $input) { project { id status statusReason } } }`;
const PROJECT = `query($id: ID!) { project(id: $id) { id status title budget { amountFen }
  plan { expectedBudget { amountFen } } criteria { name weight } } }`;
const PROJECT_PUBLISHED = `subscription Feed($after: String) { projectPublished(after: $after) { cursor project { id status } } }`;

interface PlannedProject {
  id: string;
  status: string;
  isOpenForApplications: boolean;
  budget: { amountFen: number };
  plan: {
    expectedBudget: { amountFen: number };
    expectedOpensAt: string;
    expectedClosesAt: string;
    announcedAt: string;
  } | null;
}

let t: TestApp;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
/** Serves LIFE in Jinan: eligible for every plan below. */
let eligible: SeededOrganization;
beforeAll(async () => {
  t = await startTestApp();
  publisher = await seedPublisher(t);
  eligible = await t.seed.organization();
});
afterEach(() => subscriptionsReach(t, 0));
afterAll(() => t.stop());

const code = (res: GqlResponse) => res.body.errors?.[0]?.extensions?.code;
const orgId = (org: SeededOrganization) => toGlobalId('Organization', org.organization.id);

/** A plan's input: the tender is expected to open in 30 days, for two weeks. */
function planInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return projectInput({
    title: '2027年职工心理关爱服务（采购意向）',
    budgetFen: 8_000_000,
    applicationOpensAt: new Date(now + 30 * 86_400_000).toISOString(),
    applicationClosesAt: new Date(now + 44 * 86_400_000).toISOString(),
    documents: [],
    ...overrides,
  });
}

async function plan(
  overrides: Record<string, unknown> = {},
  token = publisher.token,
): Promise<PlannedProject> {
  const res = await t.data<{ planProject: { project: PlannedProject } }>(
    PLAN,
    { input: planInput(overrides) },
    token,
  );
  return res.planProject.project;
}

async function auditActions(
  projectGlobalId: string,
): Promise<{ action: string; summary: Record<string, unknown> }[]> {
  return t.orm.em
    .fork()
    .execute(`select action, summary from audit_entry where subject_id = ? order by id`, [projectGlobalId]);
}

describe('planProject', () => {
  it('announces a public plan with its expected budget and timing, pushed to eligible organizations as a published project is', async () => {
    const otherRegion = await t.seed.organization({ regionCodes: ['370200'], homeRegionCode: '370200' });
    const hit = record(t.ws({ token: eligible.token }), {}, PROJECT_PUBLISHED, 'projectPublished');
    const miss = record(t.ws({ token: otherRegion.token }), {}, PROJECT_PUBLISHED, 'projectPublished');
    await subscriptionsReach(t, 2);
    const input = planInput();
    const planned = await plan(input);
    expect(planned).toMatchObject({
      status: 'PLANNED',
      isOpenForApplications: false,
      budget: { amountFen: 8_000_000 },
      plan: {
        expectedBudget: { amountFen: 8_000_000 },
        expectedOpensAt: input.applicationOpensAt,
        expectedClosesAt: input.applicationClosesAt,
      },
    });
    const [event] = (await hit.waitFor(1)) as unknown as { project: { id: string; status: string } }[];
    expect(event?.project).toEqual({ id: planned.id, status: 'PLANNED' });

    // Public: anyone reads it, as any published project.
    const seen = await t.data<{ project: { status: string } | null }>(PROJECT, { id: planned.id }, null);
    expect(seen.project?.status).toBe('PLANNED');

    // The organization in Qingdao hears of the next Qingdao project first, so it skipped the plan.
    const qingdao = await seedPublisher(t, { regionCode: '370200' });
    const sentinel = await plan({ regionCodes: ['370200'] }, qingdao.token);
    await miss.waitFor(1);
    expect((miss.events as unknown as { project: { id: string } }[])[0]?.project.id).toBe(sentinel.id);
    [hit, miss].forEach((r) => r.stop());

    const audit = await auditActions(planned.id);
    expect(audit.map((a) => a.action)).toEqual(['planProject']);
    expect(audit[0]!.summary).toMatchObject({ status: 'PLANNED', budgetFen: 8_000_000 });
  });

  it('refuses applications to a plan, and publishes it as a tender later, keeping what the plan said', async () => {
    const planned = await plan();
    const apply = await t.gql(
      APPLY,
      {
        input: {
          projectId: planned.id,
          organizationId: orgId(eligible),
          proposal: '方案',
          requestedFen: 100,
        },
      },
      eligible.token,
    );
    expect(code(apply)).toBe('CONFLICT');
    expect(apply.body.errors?.[0]?.message).toContain('PLANNED');

    const hit = record(t.ws({ token: eligible.token }), {}, PROJECT_PUBLISHED, 'projectPublished');
    await subscriptionsReach(t, 1);
    const published = await t.data<{ publishProject: { project: { id: string; status: string } } }>(
      PUBLISH,
      {
        input: {
          projectId: planned.id,
          budgetFen: 9_000_000,
          applicationOpensAt: new Date(Date.now() - 60_000).toISOString(),
          applicationClosesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
          criteria: [
            { name: '服务方案', weight: 60 },
            { name: '团队经验', weight: 40 },
          ],
        },
      },
      publisher.token,
    );
    expect(published.publishProject.project).toMatchObject({ id: planned.id, status: 'PUBLISHED' });
    const [event] = (await hit.waitFor(1)) as unknown as { project: { id: string; status: string } }[];
    expect(event?.project).toEqual({ id: planned.id, status: 'PUBLISHED' });
    hit.stop();

    const seen = await t.data<{ project: Record<string, unknown> }>(PROJECT, { id: planned.id }, null);
    expect(seen.project).toMatchObject({
      budget: { amountFen: 9_000_000 },
      plan: { expectedBudget: { amountFen: 8_000_000 } },
      criteria: [
        { name: '服务方案', weight: 60 },
        { name: '团队经验', weight: 40 },
      ],
    });
    const audit = await auditActions(planned.id);
    expect(audit.map((a) => a.action)).toEqual(['planProject', 'publishProject']);
    expect(audit[1]!.summary).toMatchObject({
      status: 'PUBLISHED',
      changedFromPlan: { budgetFen: { from: 8_000_000, to: 9_000_000 } },
      criteria: [
        { name: '服务方案', weight: 60 },
        { name: '团队经验', weight: 40 },
      ],
    });
    // Published once: a tender is not planned again, nor published again.
    expect(
      code(await t.gql(PLAN, { input: { ...planInput(), projectId: planned.id } }, publisher.token)),
    ).toBe('CONFLICT');
    expect(code(await t.gql(PUBLISH, { input: { projectId: planned.id } }, publisher.token))).toBe(
      'CONFLICT',
    );
  });

  it('announces a draft as a plan; a plan is cancelled with a reason, and is never a draft again', async () => {
    const draft = await t.data<{ publishProject: { project: { id: string; status: string } } }>(
      PUBLISH,
      { input: { ...planInput(), publish: false } },
      publisher.token,
    );
    const id = draft.publishProject.project.id;
    expect(draft.publishProject.project.status).toBe('DRAFT');
    const planned = await t.data<{ planProject: { project: PlannedProject } }>(
      PLAN,
      { input: { projectId: id, budgetFen: 7_000_000 } },
      publisher.token,
    );
    expect(planned.planProject.project).toMatchObject({
      status: 'PLANNED',
      plan: { expectedBudget: { amountFen: 7_000_000 } },
    });
    const backToDraft = await t.gql(PUBLISH, { input: { projectId: id, publish: false } }, publisher.token);
    expect(code(backToDraft)).toBe('CONFLICT');
    const cancelled = await t.data<{ cancelProject: { project: { status: string; statusReason: string } } }>(
      CANCEL,
      { input: { projectId: id, reason: '年度预算调整' } },
      publisher.token,
    );
    expect(cancelled.cancelProject.project).toEqual({
      id,
      status: 'CANCELLED',
      statusReason: '年度预算调整',
    });
    expect(code(await t.gql(PUBLISH, { input: { projectId: id } }, publisher.token))).toBe('CONFLICT');
    const unsuccessful = await plan();
    expect(
      code(
        await t.gql(
          CANCEL,
          { input: { projectId: unsuccessful.id, reason: '无', unsuccessful: true } },
          publisher.token,
        ),
      ),
    ).toBe('CONFLICT');
    expect((await auditActions(id)).map((a) => a.action)).toEqual([
      'publishProject',
      'planProject',
      'cancelProject',
    ]);
  });

  it('is for the publisher’s staff, checked at every request', async () => {
    const worker = await t.seed.worker();
    const admin = await t.seed.admin();
    expect(code(await t.gql(PLAN, { input: planInput() }, null))).toBe('UNAUTHENTICATED');
    for (const token of [worker.token, eligible.token, admin.token])
      expect(code(await t.gql(PLAN, { input: planInput() }, token))).toBe('FORBIDDEN');
    // Staff of no publisher, and another publisher's staff on this publisher's plan.
    const unattached = await t.seed.user([Role.UNION_STAFF], { regionCode: '370100' });
    expect(code(await t.gql(PLAN, { input: planInput() }, unattached.token))).toBe('FORBIDDEN');
    const planned = await plan();
    const other = await seedPublisher(t);
    expect(code(await t.gql(PUBLISH, { input: { projectId: planned.id } }, other.token))).toBe('FORBIDDEN');
    // Union staff plan only inside their region scope.
    const outside = await t.gql(PLAN, { input: planInput({ regionCodes: ['370200'] }) }, publisher.token);
    expect(code(outside)).toBe('FORBIDDEN');

    // A staff member who planned loses the role before publishing it.
    const member = await seedPublisher(t);
    const mine = await plan({}, member.token);
    await t.orm.em
      .fork()
      .execute(`update app_user set roles = array[?]::text[] where id = ?`, [
        Role.WORKER,
        member.staff.user.id,
      ]);
    expect(code(await t.gql(PUBLISH, { input: { projectId: mine.id } }, member.token))).toBe('FORBIDDEN');
    expect(code(await t.gql(CANCEL, { input: { projectId: mine.id, reason: 'x' } }, member.token))).toBe(
      'FORBIDDEN',
    );
    const still = await t.data<{ project: { status: string } }>(PROJECT, { id: mine.id }, null);
    expect(still.project.status).toBe('PLANNED');
  });

  it('refuses bad input and leaves nothing behind', async () => {
    const before = await t.orm.em.fork().count('Project', {});
    const missing = await t.gql(PLAN, { input: { title: '缺字段的计划' } }, publisher.token);
    expect(code(missing)).toBe('BAD_USER_INPUT');
    const past = await t.gql(
      PLAN,
      {
        input: planInput({
          applicationOpensAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
          applicationClosesAt: new Date(Date.now() - 86_400_000).toISOString(),
        }),
      },
      publisher.token,
    );
    expect(code(past)).toBe('BAD_USER_INPUT');
    expect(past.body.errors?.[0]?.extensions?.fields).toEqual([
      { path: 'input.applicationClosesAt', message: 'must be in the future to publish' },
    ]);
    expect(await t.orm.em.fork().count('Project', {})).toBe(before);
  });

  it('of two staff publishing one plan at once, one wins and the other gets CONFLICT', async () => {
    const colleague = await t.seed.user([Role.UNION_STAFF], { regionCode: '370100' });
    await t.orm.em
      .fork()
      .execute(`insert into publisher_staff (publisher_id, user_id) values (?, ?)`, [
        publisher.publisher.id,
        colleague.user.id,
      ]);
    const planned = await plan();
    const results = await Promise.all(
      [publisher.token, colleague.token].map((token) =>
        t.gql(PUBLISH, { input: { projectId: planned.id } }, token),
      ),
    );
    expect(results.map(code).sort()).toEqual(['CONFLICT', undefined].sort());
    const audit = await auditActions(planned.id);
    expect(audit.map((a) => a.action)).toEqual(['planProject', 'publishProject']);
    const events = await t.orm.em
      .fork()
      .execute<{ n: number }[]>(
        `select count(*)::int as n from event where topic = 'project.published' and entity_id = ?`,
        [idOf(planned.id)],
      );
    expect(events[0]!.n).toBe(2);
  });
});

describe('open data', () => {
  const { standards } = loadStandards();

  it('shows a plan as a planning release with its expected budget, then the tender with its award criteria', async () => {
    const planned = await plan({ title: '开放数据中的采购意向' });
    const cancelledPlan = await plan({ title: '撤销的采购意向' });
    await t.data(CANCEL, { input: { projectId: cancelledPlan.id, reason: '并入其他项目' } }, publisher.token);
    const releasesOf = async (projectGlobalId: string) => {
      const res = await fetch(`${t.url}/opendata/ocds/releases.json`);
      const body = (await res.json()) as { releases: OcdsRelease[] };
      return body.releases.filter((r) => r.ocid.endsWith(`-${idOf(projectGlobalId)}`));
    };
    const [planning, ...none] = await releasesOf(planned.id);
    expect(none).toEqual([]);
    expect(planning).toMatchObject({
      tag: ['planning'],
      planning: { budget: { amount: { amount: 80_000, currency: 'CNY' } } },
      tender: { status: 'planning', value: { amount: 80_000, currency: 'CNY' } },
    });
    expect((await releasesOf(cancelledPlan.id)).map((r) => [r.tag, r.tender.status])).toEqual([
      [['planning'], 'planning'],
      [['tenderCancellation'], 'cancelled'],
    ]);

    await t.data(
      PUBLISH,
      {
        input: {
          projectId: planned.id,
          applicationOpensAt: new Date(Date.now() - 60_000).toISOString(),
          criteria: [
            { name: '服务方案', description: '需求分析与活动设计', weight: 70 },
            { name: '报价', weight: 30 },
          ],
        },
      },
      publisher.token,
    );
    const releases = await releasesOf(planned.id);
    expect(releases.map((r) => r.tag)).toEqual([['planning'], ['tender']]);
    expect(releases[1]!.tender).toMatchObject({
      status: 'active',
      awardCriteria: 'ratedCriteria',
      awardCriteriaDetails: '服务方案 70%: 需求分析与活动设计; 报价 30%',
    });
    expect(releases[1]).toHaveProperty('planning.budget.amount.amount', 80_000);

    if (standards) {
      const c = new Conformance();
      for (const path of ['/opendata/ocds/releases.json', '/opendata/ocds/records.json']) {
        const body = await (await fetch(`${t.url}${path}`)).json();
        c.check(
          path,
          path.includes('records') ? standards.ocds.recordPackage : standards.ocds.releasePackage,
          body,
        );
      }
      expect(c.errors, c.summary()).toEqual([]);
    }
  });
});
