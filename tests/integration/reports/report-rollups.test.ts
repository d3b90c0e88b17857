import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Random } from '../../../src/seed/random.js';
import { pgTextArray } from '../../../src/core/events/outbox.js';
import {
  compactDemandRollups,
  describeRollupDifference,
  ROLLUP_LOCK_KEY,
  demandRollupDifferences,
  rebuildDemandRollups,
  startRollupCompaction,
} from '../../../src/modules/reports/demand-rollups.js';
import {
  countedOpenDemandAggregates,
  rolledUpOpenDemandAggregates,
  type OpenDemandQuery,
} from '../../../src/modules/reports/open-demand-aggregates.js';
import type { SeededUser } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { submitDemand } from '../../setup/operations.js';

/**
 * The report rollups give the answers of a count over the demand rows (docs/architecture.md, "Report
 * rollups"): random demands and random changes (SQL and the API), every report shape and random
 * periods, compared before and after compaction; `reports:check` finds a corrupted rollup and
 * `reports:rebuild` repairs it. The seed is printed; REPORT_ROLLUP_SEED=n replays a run.
 */
const SEED = Number(process.env.REPORT_ROLLUP_SEED ?? Math.floor(Math.random() * 1_000_000));
const DAY_MS = 86_400_000;
const ENDORSE = 'mutation ($input: EndorseDemandInput!) { endorseDemand(input: $input) { demand { id } } }';
const WITHDRAW =
  'mutation ($input: WithdrawDemandInput!) { withdrawDemand(input: $input) { demand { id } } }';

let t: TestApp;
let workers: SeededUser[];
let admin: SeededUser;
let rnd: Random;
let regions: { code: string; path: string[] }[];
let categories: { code: string; path: string[] }[];
/** A fixed "now" for both paths: the median ages are compared to the last bit. */
const now = new Date();

beforeAll(async () => {
  console.log(`report-rollups seed: REPORT_ROLLUP_SEED=${SEED}`);
  rnd = new Random(SEED, 'report-rollups');
  t = await startTestApp();
  admin = await t.seed.admin();
  workers = [await t.seed.worker(), await t.seed.worker(), await t.seed.worker()];
  const conn = t.orm.em.getConnection();
  // Jinan and Qingdao with their districts: reports at every level of the region tree.
  regions = await conn.execute(
    `select code, path from region where path && array['370100', '370200']::text[] order by code`,
  );
  categories = await conn.execute(`select code, path from service_category order by code`);
});
afterAll(() => t.stop());

/** A creation time in the last 30 days; often on the same second as another, or near midnight UTC. */
function randomCreatedAt(): Date {
  const day = Math.floor(now.getTime() / DAY_MS) - rnd.int(0, 30);
  const second = rnd.weighted([
    [0, 1],
    [86_399, 1],
    [43_200, 2],
    [rnd.int(0, 86_399), 10],
  ] as const);
  const at = day * DAY_MS + second * 1000 + (rnd.chance(0.5) ? 0 : rnd.int(0, 999));
  return new Date(Math.min(at, now.getTime() - 1000));
}

async function insertDemands(count: number): Promise<void> {
  const values: unknown[] = [];
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const region = rnd.pick(regions);
    const category = rnd.pick(categories);
    const status = rnd.weighted([
      ['OPEN', 8],
      ['EXPIRED', 1],
      ['WITHDRAWN', 1],
    ] as const);
    rows.push(`(?, 'rollup', ?, ?::text[], ?, ?::text[], '{}', ?, 'WORKER', ?, ?, ?, ?)`);
    values.push(
      `需求 ${i}`,
      category.code,
      pgTextArray(category.path),
      region.code,
      pgTextArray(region.path),
      rnd.int(1, 60),
      rnd.pick(workers).user.id,
      status,
      new Date(now.getTime() + 60 * DAY_MS),
      randomCreatedAt(),
    );
  }
  await t.orm.em.getConnection().execute(
    `insert into demand (title, description, category_code, category_path, region_code, region_path, target_groups,
        people_affected, source, submitted_by_id, status, expires_at, created_at) values ${rows.join(', ')}`,
    values,
  );
}

/** Random changes through SQL: status, people, region, category, creation time, deletes. */
async function changeDemands(count: number): Promise<void> {
  const conn = t.orm.em.getConnection();
  const ids = (await conn.execute<{ id: string }[]>(`select id from demand order by id`)).map((r) => r.id);
  for (let i = 0; i < count && ids.length > 0; i++) {
    const id = rnd.pick(ids);
    const change = rnd.pick(['status', 'people', 'region', 'category', 'created', 'delete', 'both'] as const);
    const region = rnd.pick(regions);
    const category = rnd.pick(categories);
    if (change === 'status')
      await conn.execute(`update demand set status = ? where id = ?`, [
        rnd.pick(['OPEN', 'OPEN', 'EXPIRED', 'WITHDRAWN', 'CLOSED']),
        id,
      ]);
    else if (change === 'people')
      await conn.execute(`update demand set people_affected = ? where id = ?`, [rnd.int(1, 80), id]);
    else if (change === 'region')
      await conn.execute(`update demand set region_code = ?, region_path = ?::text[] where id = ?`, [
        region.code,
        pgTextArray(region.path),
        id,
      ]);
    else if (change === 'category')
      await conn.execute(`update demand set category_code = ?, category_path = ?::text[] where id = ?`, [
        category.code,
        pgTextArray(category.path),
        id,
      ]);
    else if (change === 'created')
      await conn.execute(`update demand set created_at = ? where id = ?`, [randomCreatedAt(), id]);
    else if (change === 'both')
      await conn.execute(
        `update demand set status = 'OPEN', people_affected = people_affected + 1, region_code = ?, region_path = ?::text[] where id = ?`,
        [region.code, pgTextArray(region.path), id],
      );
    else {
      await conn.execute(`delete from demand where id = ?`, [id]);
      ids.splice(ids.indexOf(id), 1);
    }
  }
}

/** Every report shape: the roots, a city, a district; all categories, a top one, a leaf. */
function reportShapes(): OpenDemandQuery[] {
  const node = (code: string, list: { code: string; path: string[] }[]) => list.find((n) => n.code === code)!;
  const top = categories.find(
    (c) => c.path.length === 1 && categories.some((x) => x.path.length > 1 && x.path[0] === c.code),
  )!;
  const leaf = categories.find((c) => c.path.length > 1)!;
  const regionNodes = [null, node('370100', regions), node('370102', regions), node('370200', regions)];
  const categoryNodes = [null, top, leaf];
  const periods: { from?: Date | null; to?: Date | null }[] = [
    {},
    { from: randomCreatedAt() },
    { to: randomCreatedAt() },
    // Whole days, partial days at both ends, and a period inside one day.
    ...[0, 1, 2].map(() => {
      const [a, b] = [randomCreatedAt(), randomCreatedAt()].sort((x, y) => x.getTime() - y.getTime());
      return { from: a, to: new Date(b!.getTime() + 1) };
    }),
    (() => {
      const a = randomCreatedAt();
      return { from: a, to: new Date(a.getTime() + 3_600_000) };
    })(),
    {
      from: new Date(Math.floor(now.getTime() / DAY_MS - 10) * DAY_MS),
      to: new Date(Math.floor(now.getTime() / DAY_MS - 3) * DAY_MS),
    },
  ];
  // Every shape without a period and with two of the periods (a different two at every call).
  return regionNodes.flatMap((region) =>
    categoryNodes.flatMap((category) =>
      [{}, rnd.pick(periods), rnd.pick(periods)].map((p) => ({ region, category, ...p, now })),
    ),
  );
}

/** Every report shape answered the same by the rollup and by the count; returns how many cells. */
async function expectSameAnswers(): Promise<number> {
  let cells = 0;
  for (const q of reportShapes()) {
    const em = t.orm.em.fork();
    const [rolled, counted] = await Promise.all([
      rolledUpOpenDemandAggregates(em, q),
      countedOpenDemandAggregates(t.orm.em.fork(), q),
    ]);
    const label = `region ${q.region?.code ?? '-'} category ${q.category?.code ?? '-'} from ${q.from?.toISOString() ?? '-'} to ${q.to?.toISOString() ?? '-'} (REPORT_ROLLUP_SEED=${SEED})`;
    expect(Object.fromEntries(rolled), label).toEqual(Object.fromEntries(counted));
    cells += counted.size;
  }
  return cells;
}

describe('report rollups', () => {
  it('answer as the count does, before and after compaction, through random changes', async () => {
    const pendingDeltas = async () =>
      (
        await t.orm.em
          .getConnection()
          .execute<{ count: number }[]>(`select count(*)::int as count from demand_open_rollup_delta`)
      )[0]!.count;
    // Another process compacting (the test holds the compaction's lock): this one skips its turn.
    const holder = new pg.Client({ connectionString: t.config.databaseUrl! });
    await holder.connect();
    try {
      await insertDemands(120);
      for (let round = 0; round < 3; round++) {
        await holder.query('select pg_advisory_lock($1)', [ROLLUP_LOCK_KEY]);
        await changeDemands(40);
        await insertDemands(20);
        expect(await pendingDeltas()).toBeGreaterThan(0);
        expect(await expectSameAnswers()).toBeGreaterThan(0);
        expect(await compactDemandRollups(t.orm.em)).toBeNull(); // another process holds the lock
        await holder.query('select pg_advisory_unlock($1)', [ROLLUP_LOCK_KEY]);
        await compactDemandRollups(t.orm.em);
        expect(await pendingDeltas()).toBe(0);
        await expectSameAnswers();
      }
    } finally {
      await holder.end();
    }
    expect(await demandRollupDifferences(t.orm.em.fork())).toEqual([]);

    // The timer the background-jobs process runs (REPORT_ROLLUP_COMPACTION_SECONDS; off in tests).
    await changeDemands(10);
    expect(await pendingDeltas()).toBeGreaterThan(0);
    const stop = startRollupCompaction(t.orm, { error: () => {} }, 1);
    try {
      await vi.waitFor(async () => expect(await pendingDeltas()).toBe(0), { timeout: 20_000, interval: 100 });
    } finally {
      await stop();
    }
    await expectSameAnswers();
  });

  it('follow the API: submissions, endorsements, withdrawals', async () => {
    const submitted = [];
    for (let i = 0; i < 4; i++)
      submitted.push(
        await submitDemand(t, workers[i % 2]!.token, { regionCode: rnd.pick(['370102', '370103']) }),
      );
    for (const demand of submitted.slice(0, 3))
      await t.data(ENDORSE, { input: { demandId: demand.id } }, workers[2]!.token);
    await t.data(WITHDRAW, { input: { demandId: submitted[0]!.id } }, workers[0]!.token);
    await expectSameAnswers();
    // The report itself (staff see every cell) gives the counted numbers.
    const counted = await countedOpenDemandAggregates(t.orm.em.fork(), {
      region: regions.find((r) => r.code === '370100')!,
      category: categories.find((c) => c.code === 'LIFE')!,
      now: new Date(),
    });
    const { supplyDemandGap } = await t.data<{
      supplyDemandGap: {
        cells: {
          region: { code: string };
          category: { code: string };
          openDemands: number;
          peopleAffected: number;
        }[];
      };
    }>(
      `{ supplyDemandGap(regionCode: "370100", categoryCode: "LIFE") { cells { region { code } category { code } openDemands peopleAffected } } }`,
      {},
      admin.token,
    );
    for (const cell of supplyDemandGap.cells) {
      const c = counted.get(`${cell.region.code}|${cell.category.code}`);
      expect(cell.openDemands).toBe(c?.open ?? 0);
      expect(cell.peopleAffected).toBe(c?.people ?? 0);
    }
    await compactDemandRollups(t.orm.em);
    await expectSameAnswers();
  });

  it('reports:check finds a corrupted cell and reports:rebuild repairs it', async () => {
    const conn = t.orm.em.getConnection();
    await compactDemandRollups(t.orm.em);
    const [victim] = await conn.execute<{ region_code: string; category_code: string; day: string }[]>(
      `select region_code, category_code, day::text as day from demand_open_rollup order by region_code, category_code, day limit 1`,
    );
    await conn.execute(
      `update demand_open_rollup set demands = demands + 2 where region_code = ? and category_code = ? and day = ?::date`,
      [victim!.region_code, victim!.category_code, victim!.day],
    );
    await conn.execute(
      `insert into demand_open_rollup_delta (region_code, category_code, day, demands, people) values ('370102', 'NOPE', '2020-01-01', 1, 1)`,
    );
    const differences = await demandRollupDifferences(t.orm.em.fork());
    expect(differences).toHaveLength(2);
    expect(differences).toContainEqual(
      expect.objectContaining({
        regionCode: victim!.region_code,
        categoryCode: victim!.category_code,
        day: victim!.day,
      }),
    );

    // What `npm run reports:check` prints for it.
    expect(differences.map(describeRollupDifference)).toContain(
      `370102 × NOPE 2020-01-01: rollup 1 demands, 1 people; recount 0 demands, 0 people`,
    );

    expect(await rebuildDemandRollups(t.orm.em)).toBeGreaterThan(0);
    expect(await demandRollupDifferences(t.orm.em.fork())).toEqual([]);
    await expectSameAnswers();
  });
});
