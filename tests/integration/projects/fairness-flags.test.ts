import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/core/roles.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import { PublisherKind } from '../../../src/modules/projects/project.enums.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { APPLY, AWARD, closePeriod, idOf, projectInput, PUBLISH, seedPublisher } from './project-helpers.js';

/**
 * Fairness flags (docs/domain.md, "Fairness flags"): each raised at its step with its rationale,
 * refused without it, audited, public, exported in OCDS, and counted by `awardFairness.flags` as an
 * independent SQL recount counts them. The repeat-winner threshold is set to 2 here
 * (FAIRNESS_REPEAT_WINNER_AWARDS) so that three awards show the rule.
 */
let t: TestApp;
let admin: SeededUser;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
let unionFounded: SeededOrganization;
let independent: SeededOrganization;
let other: SeededOrganization;

const FLAGS = `fairnessFlags { kind step rationale priorAwards raisedAt organization { id } project { id } }`;
const PROJECT = `query($id: ID!) { project(id: $id) { id status ${FLAGS} } }`;
const UPDATE = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id ${FLAGS} } } }`;
const TRAIL = `query($id: ID!) { auditTrail(subjectId: $id, first: 50) { edges { node { action summary } } } }`;

interface Flag {
  kind: string;
  step: string;
  rationale: string;
  priorAwards: number | null;
  organization: { id: string } | null;
}

beforeAll(async () => {
  t = await startTestApp({ FAIRNESS_REPEAT_WINNER_AWARDS: '2' });
  admin = await t.seed.admin();
  publisher = await seedPublisher(t);
  unionFounded = await t.seed.organization({ foundingType: FoundingType.UNION_FOUNDED });
  independent = await t.seed.organization({ foundingType: FoundingType.INDEPENDENT });
  other = await t.seed.organization({ foundingType: FoundingType.INDEPENDENT });
});
afterAll(() => t.stop());

function errorOf(res: GqlResponse<unknown>): Record<string, unknown> {
  return res.body.errors?.[0]?.extensions ?? {};
}

async function flagsOf(projectId: string, token: string | null = null): Promise<Flag[]> {
  const res = await t.data<{ project: { fairnessFlags: Flag[] } }>(PROJECT, { id: projectId }, token);
  return res.project.fairnessFlags;
}

async function publish(token: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput(overrides) },
    token,
  );
  return res.publishProject.project.id;
}

async function apply(projectId: string, org: SeededOrganization): Promise<string> {
  const res = await t.data<{ applyToProject: { application: { id: string } } }>(
    APPLY,
    {
      input: {
        projectId,
        organizationId: org.organization.globalId(),
        proposal: '服务方案',
        requestedFen: 1_000_000,
      },
    },
    org.token,
  );
  return res.applyToProject.application.id;
}

/** The summary of the project's newest audit entry of this action (the trail lists newest first). */
async function audited(projectId: string, action: string): Promise<Record<string, unknown>> {
  const res = await t.data<{
    auditTrail: { edges: { node: { action: string; summary: Record<string, unknown> } }[] };
  }>(TRAIL, { id: projectId }, admin.token);
  const entries = res.auditTrail.edges.map((e) => e.node).filter((n) => n.action === action);
  return entries[0]!.summary;
}

const missingRationale = { code: 'BAD_USER_INPUT', fields: [{ path: 'input.fairnessRationale' }] };

describe('fairness flags at publication', () => {
  it('a founding-type restriction needs a rationale, is flagged publicly and audited', async () => {
    const restricted = {
      title: '工会创办机构专项',
      eligibility: { allowedFoundingTypes: ['UNION_FOUNDED'] },
    };
    const refused = await t.gql(PUBLISH, { input: projectInput(restricted) }, publisher.token);
    expect(errorOf(refused)).toMatchObject(missingRationale);
    const [row] = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number }[]>(`select count(*)::int as n from project where title = '工会创办机构专项'`);
    expect(row?.n).toBe(0); // nothing half-written

    // A draft is not public: it raises nothing and needs no rationale until it is published.
    const draft = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput({ ...restricted, publish: false }) },
      publisher.token,
    );
    const draftId = draft.publishProject.project.id;
    expect(await flagsOf(draftId, publisher.token)).toEqual([]);
    const stillRefused = await t.gql(PUBLISH, { input: { projectId: draftId } }, publisher.token);
    expect(errorOf(stillRefused)).toMatchObject(missingRationale);

    await t.data(
      PUBLISH,
      { input: { projectId: draftId, fairnessRationale: '试点面向工会创办机构的能力建设' } },
      publisher.token,
    );
    const expected = {
      kind: 'FOUNDING_TYPE_RESTRICTION',
      step: 'PUBLICATION',
      rationale: '试点面向工会创办机构的能力建设',
      priorAwards: null,
      organization: null,
    };
    expect(await flagsOf(draftId, null)).toMatchObject([expected]); // public, to anyone
    expect(await audited(draftId, 'publishProject')).toMatchObject({
      fairnessFlags: [{ kind: 'FOUNDING_TYPE_RESTRICTION', organizationId: null }],
      fairnessRationale: '试点面向工会创办机构的能力建设',
    });
  });

  it('the DIRECT method needs a rationale; an open project raises nothing and keeps no rationale', async () => {
    const direct = {
      procurementMethod: 'DIRECT',
      invitedOrganizationIds: [independent.organization.globalId()],
    };
    expect(errorOf(await t.gql(PUBLISH, { input: projectInput(direct) }, publisher.token))).toMatchObject(
      missingRationale,
    );
    const projectId = await publish(publisher.token, { ...direct, fairnessRationale: '唯一具备资质的机构' });
    expect(await flagsOf(projectId)).toMatchObject([
      { kind: 'DIRECT_METHOD', step: 'PUBLICATION', rationale: '唯一具备资质的机构' },
    ]);
    const open = await publish(publisher.token, { fairnessRationale: '无需说明' });
    expect(await flagsOf(open)).toEqual([]);
    expect(await audited(open, 'publishProject')).not.toHaveProperty('fairnessFlags');
  });

  it('an amendment restricting founding types needs its own rationale; lifting it raises nothing', async () => {
    const projectId = await publish(publisher.token);
    const amend = (extra: Record<string, unknown>) =>
      t.gql(UPDATE, { input: { projectId, rationale: '调整申报条件', ...extra } }, publisher.token);
    const restrict = { eligibility: { allowedFoundingTypes: ['INDEPENDENT'] } };
    expect(errorOf(await amend(restrict))).toMatchObject(missingRationale);
    expect(errorOf(await amend({ ...restrict, fairnessRationale: '扶持独立创办机构' }))).toEqual({});
    expect(errorOf(await amend({ eligibility: { allowedFoundingTypes: [] } }))).toEqual({});
    expect(await flagsOf(projectId)).toMatchObject([
      { kind: 'FOUNDING_TYPE_RESTRICTION', step: 'AMENDMENT', rationale: '扶持独立创办机构' },
    ]);
    const summary = await audited(projectId, 'updateProject');
    expect(summary).not.toHaveProperty('fairnessFlags'); // the last amendment lifted it
  });
});

describe('fairness flags at the award', () => {
  it('an award when one organization applied needs a rationale and names it; of two at once one wins', async () => {
    const projectId = await publish(publisher.token);
    const applicationId = await apply(projectId, independent);
    await closePeriod(t, projectId);
    const input = { projectId, awards: [{ applicationId, amountFen: 900_000 }] };
    expect(errorOf(await t.gql(AWARD, { input }, publisher.token))).toMatchObject(missingRationale);
    const status = await t.data<{ project: { status: string } }>(PROJECT, { id: projectId }, publisher.token);
    expect(status.project.status).toBe('EVALUATING');

    const colleague = await t.seed.user([Role.UNION_STAFF], { regionCode: '370100' });
    await t.data(
      `mutation($input: AddPublisherStaffInput!) { addPublisherStaff(input: $input) { user { id } } }`,
      { input: { publisherId: publisher.publisherId, userId: toGlobalId('User', colleague.user.id) } },
      admin.token,
    );
    const both = await Promise.all(
      [publisher.token, colleague.token].map((token) =>
        t.gql(AWARD, { input: { ...input, fairnessRationale: '社区唯一专业机构' } }, token),
      ),
    );
    expect(both.map((r) => errorOf(r).code ?? 'OK').sort()).toEqual(['CONFLICT', 'OK']);
    expect(await flagsOf(projectId)).toMatchObject([
      {
        kind: 'SINGLE_APPLICANT',
        step: 'AWARD',
        rationale: '社区唯一专业机构',
        organization: { id: independent.organization.globalId() },
      },
    ]);
    expect(await audited(projectId, 'awardProject')).toMatchObject({
      fairnessFlags: [{ kind: 'SINGLE_APPLICANT', organizationId: independent.organization.globalId() }],
      fairnessRationale: '社区唯一专业机构',
    });
  });

  it('an award to an organization that already won the set number of this publisher’s projects in the window', async () => {
    const buyer = await seedPublisher(t, { kind: PublisherKind.GOVERNMENT });
    /** A project both organizations apply to, awarded to `winner`; returns the award's response. */
    const contest = async (winner: SeededOrganization, rationale?: string) => {
      const projectId = await publish(buyer.token);
      const won = await apply(projectId, winner);
      await apply(projectId, winner === other ? unionFounded : other);
      await closePeriod(t, projectId);
      const res = await t.gql(
        AWARD,
        {
          input: {
            projectId,
            awards: [{ applicationId: won, amountFen: 500_000 }],
            fairnessRationale: rationale,
          },
        },
        buyer.token,
      );
      return { projectId, res };
    };
    const first = await contest(unionFounded);
    await contest(unionFounded);
    // Two prior wins: the third is flagged and needs its rationale.
    const third = await contest(unionFounded);
    expect(errorOf(third.res)).toMatchObject(missingRationale);
    // A win older than the window (12 months) does not count.
    await t.orm.em
      .fork()
      .execute(`update project set awarded_at = now() - interval '13 months' where id = ?`, [
        idOf(first.projectId),
      ]);
    const fourth = await contest(unionFounded);
    expect(errorOf(fourth.res)).toEqual({});
    expect(await flagsOf(fourth.projectId)).toEqual([]);
    const fifth = await contest(unionFounded, '评估结果最优');
    expect(errorOf(fifth.res)).toEqual({});
    expect(await flagsOf(fifth.projectId)).toMatchObject([
      {
        kind: 'REPEAT_WINNER',
        step: 'AWARD',
        priorAwards: 2,
        organization: { id: unionFounded.organization.globalId() },
      },
    ]);
  });
});

describe('awardFairness.flags and the open data', () => {
  const REPORT = `query($publisherId: ID, $regionCode: String) { awardFairness(publisherId: $publisherId, regionCode: $regionCode) {
    flags { total projectsFlagged byKind { kind flags projects } recent { kind rationale project { id } } } } }`;

  interface FlagsReport {
    total: number;
    projectsFlagged: number;
    byKind: { kind: string; flags: number; projects: number }[];
    recent: { kind: string; rationale: string; project: { id: string } }[];
  }

  /** The recount: straight from the table, independently of the report's SQL. */
  async function recount(
    publisherId: number | null,
  ): Promise<Omit<FlagsReport, 'recent'> & { recent: number }> {
    const rows = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ kind: string; project_id: string }[]>(
        `select f.kind, f.project_id from project_fairness_flag f join project p on p.id = f.project_id
        where p.status <> 'DRAFT' ${publisherId === null ? '' : 'and p.publisher_id = ?'}`,
        publisherId === null ? [] : [publisherId],
      );
    const kinds = ['FOUNDING_TYPE_RESTRICTION', 'DIRECT_METHOD', 'SINGLE_APPLICANT', 'REPEAT_WINNER'];
    return {
      total: rows.length,
      projectsFlagged: new Set(rows.map((r) => r.project_id)).size,
      byKind: kinds.map((kind) => {
        const of = rows.filter((r) => r.kind === kind);
        return { kind, flags: of.length, projects: new Set(of.map((r) => r.project_id)).size };
      }),
      recent: Math.min(rows.length, 50),
    };
  }

  it('counts the flags of the ledger’s projects as a recount of the table does', async () => {
    for (const publisherId of [null, publisher.publisher.id]) {
      const { awardFairness } = await t.data<{ awardFairness: { flags: FlagsReport } }>(REPORT, {
        publisherId: publisherId === null ? null : publisher.publisherId,
      });
      const expected = await recount(publisherId);
      expect(awardFairness.flags).toMatchObject({
        total: expected.total,
        projectsFlagged: expected.projectsFlagged,
        byKind: expected.byKind,
      });
      expect(awardFairness.flags.recent).toHaveLength(expected.recent);
      expect(expected.byKind.every((k) => k.flags > 0) || publisherId !== null).toBe(true);
    }
    // Outside every project's region: nothing.
    const { awardFairness } = await t.data<{ awardFairness: { flags: FlagsReport } }>(REPORT, {
      regionCode: '370200',
    });
    expect(awardFairness.flags.total).toBe(0);
  });

  it('exports the flags in OCDS: the tender’s on the tender, the award’s on the award', async () => {
    const res = await fetch(`${t.url}/opendata/ocds/releases.json`);
    const { releases } = (await res.json()) as {
      releases: { tag: string[]; tender: Record<string, unknown>; awards?: Record<string, unknown>[] }[];
    };
    const tenderKinds = new Set(
      releases.flatMap((r) =>
        ((r.tender.x_niudai_fairnessFlags ?? []) as { kind: string }[]).map((f) => f.kind),
      ),
    );
    const awardKinds = new Set(
      releases.flatMap((r) =>
        (r.awards ?? []).flatMap((a) =>
          ((a.x_niudai_fairnessFlags ?? []) as { kind: string }[]).map((f) => f.kind),
        ),
      ),
    );
    expect([...tenderKinds].sort()).toEqual(['DIRECT_METHOD', 'FOUNDING_TYPE_RESTRICTION']);
    expect([...awardKinds].sort()).toEqual(['REPEAT_WINNER', 'SINGLE_APPLICANT']);
    // A tender release dated before its award carries no award flag.
    const tenders = releases.filter((r) => r.tag.includes('tender'));
    expect(tenders.every((r) => !r.awards)).toBe(true);
  });
});
