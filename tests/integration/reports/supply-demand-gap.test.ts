import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/core/roles.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import type { SeededUser } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { seedPublisher } from '../projects/project-helpers.js';
import { awardedProject, seedDemand, setCapacity } from './report-helpers.js';

/**
 * Jinan (370100) × worker life services (LIFE), hand-checked:
 *
 * - 历下 370102 × 抚幼 LIFE.CHILDCARE: 5 OPEN demands, people 1+2+3+4+10 = 20, ages 1, 2, 3, 4, 10 days
 *   (median 3); a CLAIMED one does not count. Organizations: A (serves the whole city, CHILDCARE,
 *   capacity 20) and B (serves 370102, all of LIFE, capacity 10); C is PENDING (not counted), D serves
 *   Qingdao only. So 2 organizations, capacity 30, gap 20 / (20 + 30) = 0.4. Awarded: 500,000 fen.
 * - 市中 370103 × CHILDCARE: 2 OPEN demands (ages 40 and 50 days, people 1 + 2): suppressed for the
 *   public; staff see 2, 3 people, A's capacity 20, gap 3 / 23 = 0.1304.
 * - 历下 × 助老 LIFE.ELDERLY_CARE: no demand; B serves it (capacity 10).
 * - One OPEN demand at city level (35 days) belongs to no district cell but is an orphan.
 */
let t: TestApp;
let worker: SeededUser;
let jinanStaff: SeededUser;
let qingdaoStaff: SeededUser;
let govStaff: SeededUser;
let admin: SeededUser;

beforeAll(async () => {
  t = await startTestApp();
  worker = await t.seed.worker();
  jinanStaff = await t.seed.unionStaff('370100');
  qingdaoStaff = await t.seed.unionStaff('370200');
  govStaff = await t.seed.user([Role.GOV_STAFF], { regionCode: '370100' });
  admin = await t.seed.admin();

  const a = await t.seed.organization({
    regionCodes: ['370100'],
    categoryCodes: ['LIFE.CHILDCARE'],
    services: [{ name: '托育服务' }],
  });
  const b = await t.seed.organization({
    regionCodes: ['370102'],
    categoryCodes: ['LIFE'],
    foundingType: FoundingType.UNION_FOUNDED,
    services: [{ name: '职工生活服务' }],
  });
  const c = await t.seed.organization({
    verified: false,
    regionCodes: ['370102'],
    categoryCodes: ['LIFE.CHILDCARE'],
    services: [{ name: '未认证服务' }],
  });
  await t.seed.organization({
    homeRegionCode: '370200',
    categoryCodes: ['LIFE.CHILDCARE'],
    services: [{ name: '青岛托育' }],
  });
  await setCapacity(t, a.services[0]!.id, 20);
  await setCapacity(t, b.services[0]!.id, 10);
  await setCapacity(t, c.services[0]!.id, 100);

  const lixia = { regionCode: '370102', categoryCode: 'LIFE.CHILDCARE' };
  for (const [people, age] of [
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
    [10, 10],
  ] as const)
    await seedDemand(t, worker.user.id, { ...lixia, peopleAffected: people, ageDays: age });
  await seedDemand(t, worker.user.id, {
    ...lixia,
    peopleAffected: 50,
    ageDays: 60,
    status: DemandStatus.CLAIMED,
    claimedById: a.organization.id,
  });
  const shizhong = { regionCode: '370103', categoryCode: 'LIFE.CHILDCARE' };
  await seedDemand(t, worker.user.id, { ...shizhong, peopleAffected: 1, ageDays: 40 });
  await seedDemand(t, worker.user.id, { ...shizhong, peopleAffected: 2, ageDays: 50 });
  await seedDemand(t, worker.user.id, { regionCode: '370100', categoryCode: 'LIFE.HARDSHIP', ageDays: 35 });

  const { token } = await seedPublisher(t);
  await awardedProject(t, token, { categoryCode: 'LIFE.CHILDCARE', regionCodes: ['370102'] }, [
    { organizationId: a.organization.id, token: a.token, awardFen: 500_000 },
  ]);
});
afterAll(() => t.stop());

const GAP = `query($regionCode: String, $categoryCode: String, $from: DateTime, $to: DateTime, $days: Int) {
  supplyDemandGap(regionCode: $regionCode, categoryCode: $categoryCode, from: $from, to: $to) {
    region { code } category { code } suppressionThreshold
    cells { region { code } category { code } suppressed openDemands peopleAffected medianOpenAgeDays
      servingOrganizations monthlyCapacity awarded { amountFen yuan currency } gapScore }
    orphanDemands(olderThanDays: $days) { totalCount edges { node { id peopleAffected region { code } } } }
  } }`;

interface Cell {
  region: { code: string };
  category: { code: string };
  suppressed: boolean;
  openDemands: number | null;
  peopleAffected: number | null;
  medianOpenAgeDays: number | null;
  servingOrganizations: number;
  monthlyCapacity: number;
  awarded: { amountFen: string; yuan: string; currency: string };
  gapScore: number | null;
}
interface GapResult {
  supplyDemandGap: {
    cells: Cell[];
    suppressionThreshold: number;
    orphanDemands: {
      totalCount: number;
      edges: { node: { id: string; peopleAffected: number; region: { code: string } } }[];
    } | null;
  };
}

async function gap(token: string | null, variables: Record<string, unknown> = {}) {
  return (
    await t.data<GapResult>(
      GAP,
      { regionCode: '370100', categoryCode: 'LIFE', days: 30, ...variables },
      token,
    )
  ).supplyDemandGap;
}
const cell = (cells: Cell[], region: string, category: string) =>
  cells.find((c) => c.region.code === region && c.category.code === category)!;

describe('supplyDemandGap', () => {
  it('has one cell per child region × child category', async () => {
    const report = await gap(null);
    // Jinan has 12 districts in the reference data; LIFE has 7 children.
    const regions = new Set(report.cells.map((c) => c.region.code));
    const categories = new Set(report.cells.map((c) => c.category.code));
    expect(report.cells).toHaveLength(regions.size * categories.size);
    expect(categories.size).toBe(7);
    expect(regions.has('370102')).toBe(true);
    expect(report.suppressionThreshold).toBe(5);
  });

  it('gives the hand-checked numbers of a cell with five open demands to everyone', async () => {
    const report = await gap(null);
    expect(cell(report.cells, '370102', 'LIFE.CHILDCARE')).toEqual({
      region: { code: '370102' },
      category: { code: 'LIFE.CHILDCARE' },
      suppressed: false,
      openDemands: 5,
      peopleAffected: 20,
      medianOpenAgeDays: 3,
      servingOrganizations: 2,
      monthlyCapacity: 30,
      awarded: { amountFen: '500000', yuan: '5000.00', currency: 'CNY' },
      gapScore: 0.4,
    });
    expect(cell(report.cells, '370102', 'LIFE.ELDERLY_CARE')).toMatchObject({
      servingOrganizations: 1,
      monthlyCapacity: 10,
      awarded: { amountFen: '0' },
    });
  });

  it('suppresses cells with fewer than five demands for anonymous users and workers', async () => {
    for (const token of [null, worker.token]) {
      const small = cell((await gap(token)).cells, '370103', 'LIFE.CHILDCARE');
      expect(small).toMatchObject({
        suppressed: true,
        openDemands: null,
        peopleAffected: null,
        medianOpenAgeDays: null,
        gapScore: null,
        servingOrganizations: 1,
        monthlyCapacity: 20,
      });
    }
  });

  it('shows small cells to union staff, government staff and admins', async () => {
    for (const token of [jinanStaff.token, qingdaoStaff.token, govStaff.token, admin.token]) {
      const small = cell((await gap(token)).cells, '370103', 'LIFE.CHILDCARE');
      expect(small).toMatchObject({
        suppressed: false,
        openDemands: 2,
        peopleAffected: 3,
        medianOpenAgeDays: 45,
        gapScore: 0.1304,
      });
    }
  });

  it('counts only demands submitted in the period', async () => {
    const report = await gap(admin.token, {
      from: new Date(Date.now() - 3.5 * 86_400_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    });
    // Ages 1, 2, 3 days: people 1 + 2 + 3, median 2; money awarded now is inside the period.
    expect(cell(report.cells, '370102', 'LIFE.CHILDCARE')).toMatchObject({
      openDemands: 3,
      peopleAffected: 6,
      medianOpenAgeDays: 2,
      awarded: { amountFen: '500000' },
    });
    const before = await gap(admin.token, { to: new Date(Date.now() - 86_400_000).toISOString() });
    expect(cell(before.cells, '370102', 'LIFE.CHILDCARE').awarded.amountFen).toBe('0');
  });

  it('lists orphan demands, oldest first, to union staff in scope only', async () => {
    const staffView = (await gap(jinanStaff.token)).orphanDemands!;
    expect(staffView.totalCount).toBe(3);
    expect(staffView.edges.map((e) => e.node.region.code)).toEqual(['370103', '370103', '370100']);
    expect(staffView.edges.map((e) => e.node.peopleAffected)).toEqual([2, 1, 1]);
    expect((await gap(jinanStaff.token, { days: 5 })).orphanDemands!.totalCount).toBe(4);
    expect((await gap(qingdaoStaff.token)).orphanDemands!.totalCount).toBe(0);
    expect((await gap(admin.token)).orphanDemands!.totalCount).toBe(3);
    expect((await gap(worker.token)).orphanDemands).toBeNull();
    expect((await gap(null)).orphanDemands).toBeNull();
  });

  it('breaks provinces into cities with the same number of SQL statements', async () => {
    const query = `query($r: String) { supplyDemandGap(regionCode: $r) { cells { openDemands monthlyCapacity } } }`;
    const cities = await t.sqlCount(() => t.data(query, { r: '370000' }));
    const districts = await t.sqlCount(() => t.data(query, { r: '370100' }));
    expect(cities).toBe(districts);
    expect(cities).toBeLessThanOrEqual(8);
    const top = await t.data<{ supplyDemandGap: { cells: Cell[] } }>(
      `{ supplyDemandGap(regionCode: "370000") { cells { region { code } category { code } openDemands suppressed } } }`,
      {},
      admin.token,
    );
    // Every Jinan demand of any category rolls up into Jinan × LIFE: 5 + 2 + 1 open.
    expect(cell(top.supplyDemandGap.cells, '370100', 'LIFE')).toMatchObject({ openDemands: 8 });
  });

  it('refuses unknown codes and an empty period', async () => {
    const bad = await t.gql(GAP, { regionCode: '999999' });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const empty = await t.gql(GAP, {
      regionCode: '370100',
      from: '2026-01-02T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
    });
    expect(empty.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
