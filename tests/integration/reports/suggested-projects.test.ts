import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/core/roles.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { subscriptionsReach } from '../../setup/probes.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { record } from '../events/feed-client.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  idOf,
  PUBLISH,
  SOLE_APPLICANT_RATIONALE,
  seedPublisher,
} from '../projects/project-helpers.js';
import { seedDemand } from './report-helpers.js';

/**
 * suggestedProjects, over hand-made data in Jinan, category LIFE.CHILDCARE:
 *   a past project for 历下区 (370102), made from two demands (10 + 15 people), awarded 1,000,000 fen
 *     → 40,000 fen per person served;
 *   orphans in 历下区: 3, 4 and 5 people, 35, 45 and 90 days old, 1 + 0 + 2 endorsements
 *     → 12 people, suggested 480,000 fen;
 *   an orphan in 市中区 (370103): no comparable project (历下区's is not its region nor its parent);
 *   not orphans: a 10-day-old demand, a claimed one, one in a draft project (槐荫区 370104);
 *   a Qingdao orphan (370202), outside the Jinan staff's scope.
 */
const CATEGORY = 'LIFE.CHILDCARE';
let t: TestApp;
let admin: SeededUser;
let worker: SeededUser;
let union: Awaited<ReturnType<typeof seedPublisher>>;
let independent: SeededOrganization;
let lixiaIds: string[];
let qingdaoId: string;

const SUGGESTED = `query($regionCode: String, $categoryCode: String, $olderThanDays: Int) {
  suggestedProjects(regionCode: $regionCode, categoryCode: $categoryCode, olderThanDays: $olderThanDays) {
    region { code } category { code } olderThanDays
    suggestions { region { code } category { code } demandCount demandIds peopleAffected endorsements
      oldestWaitDays medianWaitDays suggestedBudget { amountFen }
      budgetBasis { comparableProjects totalAwarded { amountFen } peopleServed costPerPerson { amountFen } }
      budgetUnavailableReason } } }`;

interface Suggestion {
  region: { code: string };
  category: { code: string };
  demandCount: number;
  demandIds: string[];
  peopleAffected: number;
  endorsements: number;
  oldestWaitDays: number;
  medianWaitDays: number;
  suggestedBudget: { amountFen: string } | null;
  budgetBasis: {
    comparableProjects: number;
    totalAwarded: { amountFen: string };
    peopleServed: number;
    costPerPerson: { amountFen: string };
  } | null;
  budgetUnavailableReason: string | null;
}
interface Suggested {
  suggestedProjects: { region: { code: string } | null; suggestions: Suggestion[] };
}

const FROM_DEMANDS = `mutation($input: CreateProjectFromDemandsInput!) {
  createProjectFromDemands(input: $input) { project { id } } }`;

function errorOf(res: GqlResponse<unknown>): Record<string, unknown> {
  return res.body.errors?.[0]?.extensions ?? {};
}

const demand = async (regionCode: string, peopleAffected: number, ageDays: number, extra = {}) =>
  (
    await seedDemand(t, worker.user.id, {
      regionCode,
      categoryCode: CATEGORY,
      peopleAffected,
      ageDays,
      ...extra,
    })
  ).globalId();

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.seed.admin();
  worker = await t.seed.worker();
  union = await seedPublisher(t);
  independent = await t.seed.organization({ foundingType: FoundingType.INDEPENDENT });

  // The past project: made from two demands, awarded to its one applicant.
  const past = [await demand('370102', 10, 40), await demand('370102', 15, 40)];
  const made = await t.data<{ createProjectFromDemands: { project: { id: string } } }>(
    FROM_DEMANDS,
    { input: { demandIds: past, publisherId: union.publisherId, budgetFen: 2_000_000 } },
    union.token,
  );
  const pastId = made.createProjectFromDemands.project.id;
  await t.data(PUBLISH, { input: { projectId: pastId } }, union.token);
  const applied = await t.data<{ applyToProject: { application: { id: string } } }>(
    APPLY,
    {
      input: {
        projectId: pastId,
        organizationId: independent.organization.globalId(),
        proposal: '托育服务',
        requestedFen: 1_000_000,
      },
    },
    independent.token,
  );
  await closePeriod(t, pastId);
  await t.data(
    AWARD,
    {
      input: {
        projectId: pastId,
        fairnessRationale: SOLE_APPLICANT_RATIONALE,
        awards: [{ applicationId: applied.applyToProject.application.id, amountFen: 1_000_000 }],
      },
    },
    union.token,
  );

  lixiaIds = [await demand('370102', 5, 90), await demand('370102', 4, 45), await demand('370102', 3, 35)];
  const conn = t.orm.em.fork().getConnection();
  await conn.execute(`update demand set endorsement_count = 2 where id = ?`, [idOf(lixiaIds[0]!)]);
  await conn.execute(`update demand set endorsement_count = 1 where id = ?`, [idOf(lixiaIds[2]!)]);
  await demand('370103', 7, 31);
  await demand('370102', 50, 10); // too young
  await demand('370102', 50, 60, { status: DemandStatus.CLAIMED, claimedById: independent.organization.id });
  const drafted = await demand('370104', 50, 60);
  await t.data(
    FROM_DEMANDS,
    { input: { demandIds: [drafted], publisherId: union.publisherId } },
    union.token,
  );
  qingdaoId = await demand('370202', 2, 50);
});
afterAll(() => t.stop());

/** The orphan groups of Jinan recounted straight from the tables, as docs/domain.md defines them. */
async function recount(): Promise<
  Record<string, { n: number; people: number; endorsements: number; oldest: number; median: number }>
> {
  const rows = await t.orm.em
    .fork()
    .getConnection()
    .execute<
      {
        region_code: string;
        n: number;
        people: number;
        endorsements: number;
        oldest: number;
        median: number;
      }[]
    >(
      `select d.region_code, count(*)::int as n, sum(d.people_affected)::int as people,
            sum(d.endorsement_count)::int as endorsements,
            max(extract(epoch from now() - d.created_at) / 86400)::float8 as oldest,
            (percentile_cont(0.5) within group (order by extract(epoch from now() - d.created_at) / 86400))::float8 as median
       from demand d
      where d.status = 'OPEN' and d.claimed_by_id is null and d.created_at <= now() - interval '30 days'
        and d.region_path @> array['370100']::text[] and d.category_code = ?
        and d.id not in (select pd.demand_id from project_demand pd join project p on p.id = pd.project_id
                          where p.status in ('DRAFT', 'PUBLISHED', 'EVALUATING'))
      group by d.region_code`,
      [CATEGORY],
    );
  return Object.fromEntries(rows.map((r) => [r.region_code, r]));
}

describe('suggestedProjects', () => {
  it('gives union staff their scope’s orphan groups, with the figures of a recount and a budget from comparable projects', async () => {
    const { suggestedProjects } = await t.data<Suggested>(SUGGESTED, { categoryCode: 'LIFE' }, union.token);
    expect(suggestedProjects.region?.code).toBe('370100'); // the scope, by default
    const expected = await recount();
    expect(suggestedProjects.suggestions.map((s) => s.region.code)).toEqual(['370102', '370103']);
    for (const s of suggestedProjects.suggestions) {
      const r = expected[s.region.code]!;
      expect(s).toMatchObject({
        category: { code: CATEGORY },
        demandCount: r.n,
        peopleAffected: r.people,
        endorsements: r.endorsements,
      });
      expect(s.oldestWaitDays).toBeCloseTo(r.oldest, 1);
      expect(s.medianWaitDays).toBeCloseTo(r.median, 1);
    }
    const [lixia, shizhong] = suggestedProjects.suggestions;
    expect(lixia).toMatchObject({
      demandIds: lixiaIds,
      peopleAffected: 12,
      endorsements: 3,
      suggestedBudget: { amountFen: '480000' },
      budgetBasis: {
        comparableProjects: 1,
        totalAwarded: { amountFen: '1000000' },
        peopleServed: 25,
        costPerPerson: { amountFen: '40000' },
      },
      budgetUnavailableReason: null,
    });
    expect(lixia!.oldestWaitDays).toBeCloseTo(90, 1);
    expect(lixia!.medianWaitDays).toBeCloseTo(45, 1);
    expect(shizhong).toMatchObject({ suggestedBudget: null, budgetBasis: null });
    expect(shizhong!.budgetUnavailableReason).toContain('No AWARDED');
    // `olderThanDays` moves the line: at 40 days only the 45- and 90-day-old Lixia demands are left.
    const older = await t.data<Suggested>(SUGGESTED, { olderThanDays: 40 }, union.token);
    expect(older.suggestedProjects.suggestions.map((s) => [s.region.code, s.demandCount])).toEqual([
      ['370102', 2],
    ]);
  });

  it('keeps union staff inside their scope, lets admins see everywhere, refuses everyone else; roles are read at every request', async () => {
    const outside = await t.gql(SUGGESTED, { regionCode: '370200' }, union.token);
    expect(errorOf(outside)).toMatchObject({ code: 'FORBIDDEN', regionCode: '370200' });
    const qingdao = await t.data<Suggested>(SUGGESTED, { regionCode: '370200' }, admin.token);
    expect(qingdao.suggestedProjects.suggestions.flatMap((s) => s.demandIds)).toEqual([qingdaoId]);
    const everywhere = await t.data<Suggested>(SUGGESTED, {}, admin.token);
    expect(everywhere.suggestedProjects.region).toBeNull();
    expect(everywhere.suggestedProjects.suggestions.map((s) => s.region.code)).toEqual(['370000']);
    expect(everywhere.suggestedProjects.suggestions[0]!.demandCount).toBe(5);

    expect(errorOf(await t.gql(SUGGESTED, {}, worker.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await t.gql(SUGGESTED, {}, independent.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await t.gql(SUGGESTED, {}, null)).code).toBe('UNAUTHENTICATED');
    const unscoped = await t.seed.user([Role.UNION_STAFF]);
    expect(errorOf(await t.gql(SUGGESTED, {}, unscoped.token)).code).toBe('FORBIDDEN');

    const staff = await t.seed.unionStaff('370100');
    expect(errorOf(await t.gql(SUGGESTED, {}, staff.token))).toEqual({});
    await t.orm.em
      .fork()
      .getConnection()
      .execute(`update app_user set roles = array[?]::text[] where id = ?`, [Role.WORKER, staff.user.id]);
    expect(errorOf(await t.gql(SUGGESTED, {}, staff.token)).code).toBe('FORBIDDEN');
  });

  it('refuses bad input naming the argument', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ regionCode: '999999' }, 'regionCode'],
      [{ categoryCode: 'NOPE' }, 'categoryCode'],
      [{ regionCode: 'abc' }, 'regionCode'],
      [{ olderThanDays: 0 }, 'olderThanDays'],
    ];
    for (const [variables, field] of cases) {
      const error = errorOf(await t.gql(SUGGESTED, variables, admin.token));
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(error)).toContain(field);
    }
  });

  it('a suggestion becomes a draft; publishing it reaches every eligible organization, independents included, in one event', async () => {
    const founded = await t.seed.organization({ foundingType: FoundingType.UNION_FOUNDED });
    const incubated = await t.seed.organization({ foundingType: FoundingType.UNION_INCUBATED });
    const feed = `subscription { projectPublished { cursor project { id } } }`;
    const recorders = [founded, incubated, independent].map((o) =>
      record(t.ws({ token: o.token }), {}, feed, 'projectPublished'),
    );
    await subscriptionsReach(t, 3);
    const { suggestedProjects } = await t.data<Suggested>(SUGGESTED, { categoryCode: 'LIFE' }, union.token);
    const made = await t.data<{ createProjectFromDemands: { project: { id: string } } }>(
      FROM_DEMANDS,
      {
        input: {
          demandIds: suggestedProjects.suggestions[0]!.demandIds,
          publisherId: union.publisherId,
          budgetFen: Number(suggestedProjects.suggestions[0]!.suggestedBudget!.amountFen),
        },
      },
      union.token,
    );
    const projectId = made.createProjectFromDemands.project.id;
    await t.data(PUBLISH, { input: { projectId } }, union.token);
    const events = await Promise.all(recorders.map((r) => r.waitFor(1)));
    const pushed = events.map((e) => e[0] as unknown as { cursor: string; project: { id: string } });
    expect(pushed.map((p) => p.project.id)).toEqual([projectId, projectId, projectId]);
    // One outbox event for all: the same cursor (sequence number) reaches each of them.
    expect(new Set(pushed.map((p) => p.cursor)).size).toBe(1);
    recorders.forEach((r) => r.stop());
    // Linked to a live project, those demands are no longer suggested.
    const after = await t.data<Suggested>(SUGGESTED, { categoryCode: 'LIFE' }, union.token);
    expect(after.suggestedProjects.suggestions.map((s) => s.region.code)).toEqual(['370103']);
  });
});
