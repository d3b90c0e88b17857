import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmScripts } from '../../setup/npm-script.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import {
  checkCreditCode,
  type OrganizationKindCode,
} from '../../../src/modules/organizations/credit-code.js';
import { checkEligibility } from '../../../src/modules/projects/eligibility.js';
import {
  EvaluationGrade,
  FoundingType,
  VerificationStatus,
} from '../../../src/modules/organizations/organization.enums.js';
import { ProcurementMethod } from '../../../src/modules/projects/project.enums.js';
import {
  DEMO_PASSWORD,
  loadWorld,
  makeOrganization,
  seedDemo,
  type SeedOptions,
} from '../../../src/seed/index.js';

const NOW = new Date();
const OPTIONS: SeedOptions = {
  organizations: 150,
  demands: 1200,
  projects: 30,
  seed: 7,
  demoAccounts: true,
  now: NOW,
};
const TABLES = [
  'organization',
  'service',
  'organization_member',
  'hub_membership_request',
  'app_user',
  'publisher',
  'publisher_staff',
  'demand',
  'project',
  'project_application',
  'project_amendment',
];

let t: TestApp;

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return t.orm.em.getConnection().execute<T[]>(sql, params, 'all');
}

async function tableCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await rows<{ n: number }>(`select count(*)::int as n from ${table}`);
    counts[table] = row?.n ?? -1;
  }
  return counts;
}

let first: Awaited<ReturnType<typeof seedDemo>>;
let countsAfterFirst: Record<string, number>;

beforeAll(async () => {
  t = await startTestApp();
  first = await seedDemo(t.orm, OPTIONS);
  countsAfterFirst = await tableCounts();
}, 120_000);
afterAll(() => t.stop());

describe('seedDemo', () => {
  it('creates what was asked for, and nothing more on a second run', async () => {
    expect(first.created).toEqual({ organizations: 150, demands: 1200, projects: 30 });
    expect(first.totals).toMatchObject({ organizations: 150, demands: 1200, projects: 30 });
    expect(first.totals.applications).toBeGreaterThan(0);
    expect(first.totals.hubs).toBeGreaterThan(0);
    const again = await seedDemo(t.orm, OPTIONS);
    expect(again.created).toEqual({ organizations: 0, demands: 0, projects: 0 });
    expect(again.totals).toEqual(first.totals);
    expect(await tableCounts()).toEqual(countsAfterFirst);
  }, 60_000);

  it('tops up to larger sizes, keeping what exists', async () => {
    const bigger = await seedDemo(t.orm, { ...OPTIONS, organizations: 160, demands: 1250, projects: 31 });
    expect(bigger.created).toEqual({ organizations: 10, demands: 50, projects: 1 });
    countsAfterFirst = await tableCounts();
  }, 60_000);

  it('creates more worker accounts when asked, and only once', async () => {
    const workers = async () => {
      const [row] = await rows<{ n: number }>(
        `select count(*)::int as n from app_user where email like 's7.worker%@seed.niudai.example'`,
      );
      return row?.n ?? 0;
    };
    // 1,250 needs at 20 per worker: 63 workers submit them.
    expect(await workers()).toBe(63);
    const sizes = { ...OPTIONS, organizations: 160, demands: 1250, projects: 31, workers: 100 };
    expect((await seedDemo(t.orm, sizes)).created).toEqual({ organizations: 0, demands: 0, projects: 0 });
    expect(await workers()).toBe(100);
    await seedDemo(t.orm, sizes);
    expect(await workers()).toBe(100);
  }, 60_000);

  it('generates the same organization for the same seed and index', async () => {
    const world = await loadWorld(t.orm.em.getConnection().getKnex());
    const draft = makeOrganization(world, 7, 42, NOW);
    expect(makeOrganization(world, 7, 42, NOW)).toEqual(draft);
    expect(makeOrganization(world, 8, 42, NOW).credit_code).not.toBe(draft.credit_code);
    const [stored] = await rows<{ name: string }>('select name from organization where credit_code = ?', [
      draft.credit_code,
    ]);
    expect(stored?.name).toBe(draft.name);
  });

  it('writes organizations that pass the registration and verification rules', async () => {
    const orgs = await rows<{
      credit_code: string;
      kind: OrganizationKindCode;
      grade: string;
      verification_status: string;
      decided_by_scope: string | null;
      home_path: string[] | null;
      unknown_regions: number;
      unknown_categories: number;
      services: number;
      admins: number;
      founding_type: string;
      search_text: string;
      name: string;
    }>(
      `select o.credit_code, o.kind, o.grade, o.verification_status, o.founding_type, o.search_text, o.name,
              u.region_scope_code as decided_by_scope, r.path as home_path,
              (select count(*)::int from unnest(o.region_codes) c where c not in (select code from region))
                as unknown_regions,
              (select count(*)::int from unnest(o.category_codes) c
                where c not in (select code from service_category)) as unknown_categories,
              (select count(*)::int from service s where s.organization_id = o.id) as services,
              (select count(*)::int from organization_member m where m.organization_id = o.id
                and m.role = 'ORG_ADMIN') as admins
         from organization o
         left join region r on r.code = o.home_region_code
         left join app_user u on u.id = o.verification_decided_by_id`,
    );
    expect(orgs).toHaveLength(160);
    for (const o of orgs) {
      expect(checkCreditCode(o.credit_code, o.kind), o.credit_code).toBeNull();
      expect(o.home_path, o.name).not.toBeNull();
      expect(o.unknown_regions + o.unknown_categories, o.name).toBe(0);
      expect(o.services, o.name).toBeGreaterThan(0);
      expect(o.admins, o.name).toBeGreaterThanOrEqual(1);
      expect(o.search_text).toContain(o.name);
      if (o.grade !== EvaluationGrade.NONE)
        expect(o.verification_status, o.name).toBe(VerificationStatus.VERIFIED);
      if (o.verification_status === VerificationStatus.PENDING) expect(o.decided_by_scope).toBeNull();
      // Decided by union staff whose scope covers the organization.
      else expect(o.home_path).toContain(o.decided_by_scope);
    }
    const statuses = new Set(orgs.map((o) => o.verification_status));
    expect(statuses).toEqual(new Set(Object.values(VerificationStatus)));
    expect(new Set(orgs.map((o) => o.founding_type))).toEqual(new Set(Object.values(FoundingType)));
    expect(orgs.filter((o) => o.grade !== EvaluationGrade.NONE).length).toBeGreaterThan(40);
    const cities = new Set(orgs.map((o) => o.home_path?.[1]).filter(Boolean));
    expect(cities.size).toBeGreaterThanOrEqual(12);
    expect(orgs.map((o) => o.name)).toContain('济南市历下区阳光社会工作服务中心');
  });

  it('puts hub members under verified hubs, with an accepted request on record', async () => {
    const members = await rows<{ hub_ok: boolean; requested: boolean }>(
      `select h.is_hub and h.verification_status = 'VERIFIED' as hub_ok,
              exists (select 1 from hub_membership_request q where q.organization_id = o.id
                       and q.hub_id = h.id and q.status = 'ACCEPTED') as requested
         from organization o join organization h on h.id = o.hub_id`,
    );
    expect(members.length).toBeGreaterThan(5);
    expect(members.every((m) => m.hub_ok && m.requested)).toBe(true);
  });

  it('writes needs the lifecycle and matching rules allow', async () => {
    const [facts] = await rows<Record<string, number>>(
      `select count(*) filter (where region_code not in (select code from region))::int as bad_region,
              count(*) filter (where category_code not in (select code from service_category))::int as bad_category,
              count(*) filter (where region_path[array_length(region_path, 1)] <> region_code
                                  or category_path[array_length(category_path, 1)] <> category_code)::int as bad_path,
              count(*) filter (where status = 'OPEN' and expires_at <= now())::int as stale_open,
              count(*) filter (where (status in ('CLAIMED', 'IN_SERVICE', 'FULFILLED')) <> (claimed_by_id is not null))::int
                as bad_claim,
              count(*) filter (where rating is not null and status <> 'FULFILLED')::int as bad_rating,
              count(distinct status)::int as statuses
         from demand`,
    );
    expect(facts).toEqual({
      bad_region: 0,
      bad_category: 0,
      bad_path: 0,
      stale_open: 0,
      bad_claim: 0,
      bad_rating: 0,
      statuses: 7,
    });
    // Every claim is by a verified organization that serves the need's region and category.
    const [claims] = await rows<{ unfit: number; over_cap: number }>(
      `select count(*) filter (where o.verification_status <> 'VERIFIED' or not (d.region_path && o.region_codes)
                                  or not (d.category_path && o.category_codes))::int as unfit,
              (select count(*)::int from (select claimed_by_id from demand where status in ('CLAIMED', 'IN_SERVICE')
                 group by claimed_by_id having count(*) > 20) x) as over_cap
         from demand d join organization o on o.id = d.claimed_by_id`,
    );
    expect(claims).toEqual({ unfit: 0, over_cap: 0 });
    const [ratings] = await rows<{ mismatched: number }>(
      `select count(*)::int as mismatched from organization o
        where o.rating_count <> (select count(rating) from demand d where d.claimed_by_id = o.id)`,
    );
    expect(ratings?.mismatched).toBe(0);
  });

  it('writes projects whose applicants are eligible and whose awards fit the budget', async () => {
    const apps = await rows<{
      status: string;
      project_status: string;
      awarded_fen: string | null;
      budget_fen: string;
      min_grade: EvaluationGrade;
      allowed_founding_types: FoundingType[];
      region_paths: string[];
      region_codes: string[];
      org_regions: string[];
      grade: EvaluationGrade;
      founding_type: FoundingType;
      verification_status: VerificationStatus;
      path_rows: string[][];
    }>(
      `select a.status, p.status as project_status, a.awarded_fen, p.budget_fen, p.min_grade, p.allowed_founding_types,
              p.region_codes, o.region_codes as org_regions, o.grade, o.founding_type, o.verification_status,
              (select array_agg(array_to_string(r.path, ',')) from region r where r.code = any(p.region_codes))
                as path_rows
         from project_application a join project p on p.id = a.project_id join organization o on o.id = a.organization_id`,
    );
    expect(apps.length).toBeGreaterThan(10);
    for (const a of apps) {
      const rules = {
        procurementMethod: ProcurementMethod.OPEN,
        verifiedOnly: true,
        minGrade: a.min_grade,
        allowedFoundingTypes: a.allowed_founding_types,
        mustServeRegions: true,
        regionPaths: (a.path_rows as unknown as string[]).map((p) => p.split(',')),
      };
      const facts = {
        verificationStatus: a.verification_status,
        grade: a.grade,
        foundingType: a.founding_type,
        regionCodes: a.org_regions,
        invited: false,
      };
      expect(checkEligibility(rules, facts)).toEqual({ eligible: true });
      if (a.status === 'AWARDED') expect(Number(a.awarded_fen)).toBeLessThanOrEqual(Number(a.budget_fen));
    }
    const [awards] = await rows<{ bad: number; awarded: number }>(
      `select count(*) filter (where n <> 1)::int as bad, count(*)::int as awarded from (
         select p.id, count(a.id) filter (where a.status = 'AWARDED') as n from project p
           left join project_application a on a.project_id = p.id
          where p.status in ('AWARDED', 'IN_PROGRESS', 'COMPLETED') group by p.id) x`,
    );
    expect(awards?.bad).toBe(0);
    expect(awards?.awarded).toBeGreaterThan(0);
  });

  it('amends some published projects: a budget change to the project’s own budget, after its period opened', async () => {
    const amendments = await rows<{
      status: string;
      budget_fen: string;
      changes: { budgetFen: { from: number; to: number } };
      amended_by_id: string;
      created_by_id: string;
      amended_at: Date;
      opens_at: Date;
    }>(
      `select p.status, p.budget_fen, a.changes, a.amended_by_id, p.created_by_id,
              a.created_at as amended_at, p.application_opens_at as opens_at
         from project_amendment a join project p on p.id = a.project_id`,
    );
    expect(amendments.length).toBeGreaterThan(0);
    for (const a of amendments) {
      expect(a.status).not.toBe('DRAFT');
      expect(a.changes.budgetFen.to).toBe(Number(a.budget_fen));
      expect(a.changes.budgetFen.from).toBeLessThan(a.changes.budgetFen.to);
      expect(a.amended_by_id).toBe(a.created_by_id);
      expect(new Date(a.amended_at).getTime()).toBeGreaterThanOrEqual(new Date(a.opens_at).getTime());
    }
  });

  it('shows the verified organizations in the GraphQL directory, and the demo accounts sign in', async () => {
    const [verified] = await rows<{ n: number }>(
      `select count(*)::int as n from organization where verification_status = 'VERIFIED'`,
    );
    const res = await t.data<{ organizations: { totalCount: number; edges: { node: { name: string } }[] } }>(
      `query($filter: OrganizationFilter) { organizations(filter: $filter, first: 5) { totalCount edges { node { name } } } }`,
      {},
    );
    expect(res.organizations.totalCount).toBe(verified?.n);
    const search = await t.data<{ organizations: { edges: { node: { name: string; isHub: boolean } }[] } }>(
      `query($filter: OrganizationFilter) { organizations(filter: $filter, first: 5) { edges { node { name isHub } } } }`,
      { filter: { text: '阳光社会工作', regionCode: '370102' } },
    );
    expect(search.organizations.edges.map((e) => e.node)).toContainEqual({
      name: '济南市历下区阳光社会工作服务中心',
      isHub: true,
    });
    const signIn = await t.data<{ signIn: { token: string } }>(
      `mutation($input: SignInInput!) { signIn(input: $input) { token } }`,
      { input: { login: 'org.admin@niudai.example', password: DEMO_PASSWORD } },
    );
    expect(signIn.signIn.token).toBeTruthy();
  });
});

describe('npm run seed', () => {
  it('seeds by flags, prints the demo accounts, adds nothing the second time, and refuses bad flags', async () => {
    const npm = npmScripts();
    const cli = async (args: string[]) => {
      const { code, stdout, stderr } = await npm('seed', args, {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'development',
        DATABASE_URL: t.config.databaseUrl ?? '',
        DATA_DIR: '/nonexistent',
      });
      return { code, out: stdout + stderr };
    };
    const args = ['--orgs', '6', '--demands', '40', '--projects', '3', '--seed', '3'];
    const once = await cli(args);
    expect(once.code, once.out).toBe(0);
    expect(once.out).toContain('created 6 organizations, 40 needs, 3 projects');
    expect(once.out).toContain(`worker@niudai.example`);
    expect(once.out).toContain(DEMO_PASSWORD);
    const twice = await cli(args);
    expect(twice.out).toContain('created 0 organizations, 0 needs, 0 projects');
    const bad = await cli(['--orgs', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--orgs must be a whole number');
  }, 120_000);
});
