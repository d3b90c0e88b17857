import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/core/config.js';
import { connectOrm } from '../../../src/core/db/db.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Context } from '../../../src/core/context.js';
import { pgTextArray } from '../../../src/core/events/outbox.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { Role } from '../../../src/core/roles.js';
import { createSchema } from '../../../src/schema.js';
import { Random } from '../../../src/seed/random.js';
import { PublisherConcentrationResolver } from '../../../src/modules/reports/award-fairness.resolver.js';
import { pruneReportSourceChanges } from '../../../src/modules/reports/report-cache.js';
import {
  ReportService,
  type FairnessArgs,
  type GapArgs,
} from '../../../src/modules/reports/report.service.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

/**
 * The report cache (docs/architecture.md, "Report cache") answers as a report computed afresh:
 * random changes to organizations, services, projects and applications, each followed by every
 * report shape read from two app instances on one database (two per-process caches) and compared
 * with a new `ReportService` (no cache). A change committed while a report is being computed, and a
 * change made through the API, are seen by the next report of either instance, with no wait.
 * REPORT_CACHE_SEED=n replays a run.
 */
const SEED = Number(process.env.REPORT_CACHE_SEED ?? Math.floor(Math.random() * 1_000_000));
const DAY_MS = 86_400_000;

let t: TestApp;
let second: { app: App; orm: MikroORM };
let rnd: Random;
let worker: SeededUser;
let organizations: SeededOrganization[];
let publisherIds: number[];
let regions: { code: string; path: string[] }[];
let categories: { code: string; path: string[] }[];

beforeAll(async () => {
  console.log(`report-cache seed: REPORT_CACHE_SEED=${SEED}`);
  rnd = new Random(SEED, 'report-cache');
  t = await startTestApp();
  const log = pino({ level: 'silent' });
  const orm = await connectOrm(t.databaseUrl, log);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: t.databaseUrl,
    HOST: '127.0.0.1',
    NOTIFY_POLL_MS: '0',
  });
  second = { app: await createApp({ config, orm, log, schema: await createSchema() }), orm };
  worker = await t.seed.worker();
  const conn = t.orm.em.getConnection();
  regions = await conn.execute(
    `select code, path from region where path && array['370100', '370200']::text[] order by code`,
  );
  categories = await conn.execute(`select code, path from service_category order by code`);
  organizations = [];
  for (let i = 0; i < 8; i++) {
    const codes = () => [rnd.pick(regions).code];
    organizations.push(
      await t.seed.organization({
        admin: worker,
        regionCodes: codes(),
        categoryCodes: [rnd.pick(categories).code],
        services: [{ name: `服务${i}a` }, { name: `服务${i}b`, regionCodes: codes() }],
      }),
    );
  }
  await conn.execute(`update service set monthly_capacity = 10 + (id % 7) * 5`);
  publisherIds = [];
  for (let i = 0; i < 2; i++) publisherIds.push((await t.seed.publisher(await t.seed.worker())).id);
  for (let i = 0; i < 6; i++) {
    const category = rnd.pick(categories);
    const project = await t.seed.project(rnd.pick(publisherIds), {
      categoryCode: category.code,
      regionCodes: [rnd.pick(regions).code],
    });
    for (const o of organizations.filter(() => rnd.chance(0.4)))
      await insertApplication(project.id, o.organization.id);
  }
});
afterAll(async () => {
  await second?.app.stop();
  await second?.orm.close();
  await t?.stop();
});

async function insertApplication(projectId: number, organizationId: number): Promise<void> {
  const awarded = rnd.chance(0.5);
  await t.orm.em.getConnection().execute(
    `insert into project_application (project_id, organization_id, proposal, requested_fen, status, awarded_fen)
     values (?, ?, '方案', 100000, ?, ?) on conflict do nothing`,
    [
      projectId,
      organizationId,
      awarded ? 'AWARDED' : rnd.pick(['SUBMITTED', 'REJECTED', 'WITHDRAWN']),
      awarded ? rnd.int(1, 9) * 10_000 : null,
    ],
  );
  if (awarded)
    await t.orm.em
      .getConnection()
      .execute(
        `update project set status = 'AWARDED', awarded_at = now() - make_interval(days => ?) where id = ?`,
        [rnd.int(0, 20), projectId],
      );
}

/** One random change to what the cached parts read, through SQL. */
async function randomChange(conn: { execute: (sql: string, params?: unknown[]) => Promise<unknown> }) {
  const org = rnd.pick(organizations).organization.id;
  const region = rnd.pick(regions);
  const category = rnd.pick(categories);
  const change = rnd.pick([
    'verification',
    'orgRegions',
    'orgCategories',
    'founding',
    'serviceStatus',
    'capacity',
    'serviceRegions',
    'serviceCategories',
    'serviceAdd',
    'serviceDelete',
    'projectPaths',
    'projectAwardedAt',
    'projectStatus',
    'application',
    'applicationStatus',
    // Not report sources: the ledger stays cached, its names must follow all the same.
    'orgName',
    'publisherName',
  ] as const);
  switch (change) {
    case 'orgName':
      return conn.execute(`update organization set name = ? where id = ?`, [`更名${rnd.int(1, 1e6)}`, org]);
    case 'publisherName':
      return conn.execute(`update publisher set name = ? where id = ?`, [
        `更名${rnd.int(1, 1e6)}`,
        rnd.pick(publisherIds),
      ]);
    case 'verification':
      return conn.execute(`update organization set verification_status = ? where id = ?`, [
        rnd.pick(['VERIFIED', 'VERIFIED', 'PENDING', 'SUSPENDED']),
        org,
      ]);
    case 'orgRegions':
      return conn.execute(`update organization set region_codes = ?::text[] where id = ?`, [
        pgTextArray([region.code, rnd.pick(regions).code]),
        org,
      ]);
    case 'orgCategories':
      return conn.execute(`update organization set category_codes = ?::text[] where id = ?`, [
        pgTextArray([category.code]),
        org,
      ]);
    case 'founding':
      return conn.execute(`update organization set founding_type = ? where id = ?`, [
        rnd.pick(['UNION_FOUNDED', 'UNION_INCUBATED', 'INDEPENDENT']),
        org,
      ]);
    case 'serviceStatus':
      return conn.execute(
        `update service set status = ? where id = (select id from service where organization_id = ? order by id limit 1)`,
        [rnd.pick(['ACTIVE', 'PAUSED', 'RETIRED']), org],
      );
    case 'capacity':
      return conn.execute(`update service set monthly_capacity = ? where organization_id = ?`, [
        rnd.int(0, 90),
        org,
      ]);
    case 'serviceRegions':
      return conn.execute(`update service set region_codes = ?::text[] where organization_id = ?`, [
        pgTextArray([region.code]),
        org,
      ]);
    case 'serviceCategories':
      return conn.execute(`update service set category_codes = ?::text[] where organization_id = ?`, [
        pgTextArray([category.code]),
        org,
      ]);
    case 'serviceAdd':
      return conn.execute(
        `insert into service (organization_id, name, category_codes, region_codes, target_groups, mode, fee, monthly_capacity)
         values (?, '新服务', ?::text[], ?::text[], '{ALL_WORKERS}', 'ON_SITE', 'FREE', ?)`,
        [org, pgTextArray([category.code]), pgTextArray([region.code]), rnd.int(1, 50)],
      );
    case 'serviceDelete':
      return conn.execute(
        `delete from service where id = (select max(id) from service where organization_id = ?)`,
        [org],
      );
    case 'projectPaths':
      return conn.execute(
        `update project set region_paths = ?::text[], category_path = ?::text[]
          where id = (select id from project order by random() limit 1)`,
        [pgTextArray(region.path), pgTextArray(category.path)],
      );
    case 'projectAwardedAt':
      return conn.execute(
        `update project set awarded_at = now() - make_interval(days => ?), published_at = now() - make_interval(days => ?)
          where id = (select id from project order by random() limit 1)`,
        [rnd.int(0, 20), rnd.int(0, 30)],
      );
    case 'projectStatus':
      return conn.execute(
        `update project set status = ? where id = (select id from project order by random() limit 1)`,
        [rnd.pick(['DRAFT', 'PUBLISHED', 'AWARDED', 'CANCELLED'])],
      );
    case 'application':
      return insertApplication(
        (
          await t.orm.em
            .getConnection()
            .execute<{ id: number }[]>(`select id from project order by random() limit 1`)
        )[0]!.id,
        org,
      );
    case 'applicationStatus':
      // At most one live application per project and organization: only a sole one changes.
      return conn.execute(
        `update project_application a set status = ?, awarded_fen = ?
          where a.id = (select id from project_application order by random() limit 1)
            and not exists (select 1 from project_application b
                             where b.project_id = a.project_id and b.organization_id = a.organization_id and b.id <> a.id)`,
        rnd.chance(0.5)
          ? ['AWARDED', rnd.int(1, 9) * 10_000]
          : [rnd.pick(['SUBMITTED', 'REJECTED', 'WITHDRAWN']), null],
      );
  }
}

/** An admin's context on `orm` (admins see small cells: the suppression rule is applied all the same). */
function contextOn(orm: MikroORM, roles: Role[] = [Role.ADMIN]): Context {
  return { em: orm.em.fork(), viewer: { roles: new Set(roles) } } as unknown as Context;
}

const gapShapes = (): GapArgs[] => {
  const past = new Date(Date.now() - rnd.int(1, 15) * DAY_MS);
  return [
    {},
    { regionCode: '370100', categoryCode: 'LIFE' },
    { regionCode: '370102' },
    { categoryCode: rnd.pick(categories).code, from: past },
    { regionCode: '370100', to: past },
  ];
};
const fairnessShapes = (): FairnessArgs[] => [
  {},
  { regionCode: '370100' },
  { publisherId: toGlobalId('Publisher', rnd.pick(publisherIds)) },
  { from: new Date(Date.now() - rnd.int(1, 25) * DAY_MS) },
];

/** What a supplyDemandGap answer says, without its entities. */
async function gap(reports: ReportService, orm: MikroORM, args: GapArgs, roles?: Role[]) {
  const r = await reports.supplyDemandGap(contextOn(orm, roles), args);
  return r.cells.map((c) => ({ ...c, region: c.region.code, category: c.category.code }));
}

/**
 * What an awardFairness answer says, its publishers and winners resolved as the GraphQL fields do
 * (award-fairness.resolver.ts), reduced to their ids and names.
 */
async function fairness(reports: ReportService, orm: MikroORM, args: FairnessArgs) {
  const r = await reports.awardFairness(contextOn(orm), args);
  return {
    projects: r.projects,
    byFoundingType: r.byFoundingType,
    publishers: await Promise.all(
      r.publishers.map(async (row) => {
        const { names: _names, publisherKey, repeatWinnerFigures: _figures, ...p } = row;
        const publisher = await _names.publisher(publisherKey);
        return {
          ...p,
          publisher: publisher && { id: publisher.id, name: publisher.name },
          repeatWinners: await Promise.all(
            new PublisherConcentrationResolver()
              .repeatWinners(row)
              .map(async ({ names, organizationKey, ...w }) => {
                const organization = await names.verifiedWinner(organizationKey);
                return {
                  ...w,
                  organization: organization && { id: organization.id, name: organization.name },
                };
              }),
          ),
        };
      }),
    ),
  };
}

/** Every shape (or `some` of each kind) from both instances' caches equals a fresh computation. */
async function expectFresh(label: string, some?: number): Promise<void> {
  const instances = [t.app.services.reports, second.app.services.reports];
  const orms = [t.orm, second.orm];
  const pick = <T>(shapes: T[]) => (some ? Array.from({ length: some }, () => rnd.pick(shapes)) : shapes);
  for (const args of pick(gapShapes())) {
    const fresh = await gap(new ReportService(t.app.services.reference), t.orm, args);
    for (const i of [0, 1])
      expect(
        await gap(instances[i]!, orms[i]!, args),
        `${label}: gap ${JSON.stringify(args)} on instance ${i} (REPORT_CACHE_SEED=${SEED})`,
      ).toEqual(fresh);
  }
  for (const args of pick(fairnessShapes())) {
    const fresh = await fairness(new ReportService(t.app.services.reference), t.orm, args);
    for (const i of [0, 1])
      expect(
        await fairness(instances[i]!, orms[i]!, args),
        `${label}: fairness ${JSON.stringify(args)} on instance ${i} (REPORT_CACHE_SEED=${SEED})`,
      ).toEqual(fresh);
  }
}

describe('report cache', () => {
  it('answers as a fresh report on two instances through random changes', async () => {
    await expectFresh('initially');
    const conn = t.orm.em.getConnection();
    // Both instances hold every shape from the first pass; each round changes something and
    // reads two shapes of each report (the others stay cached, stale unless validated).
    for (let round = 0; round < 8; round++) {
      const changes = rnd.int(1, 3);
      for (let i = 0; i < changes; i++) await randomChange(conn);
      await expectFresh(`after round ${round}`, 2);
    }
    await expectFresh('at the end');
  }, 120_000);

  it('serves a repeated report without recomputing it, and recomputes after any change', async () => {
    const reports = t.app.services.reports;
    const compute = vi.spyOn(
      ReportService.prototype as unknown as { supplyAggregates: () => unknown },
      'supplyAggregates',
    );
    try {
      const args = { regionCode: '370100', categoryCode: 'LIFE' };
      await gap(reports, t.orm, args);
      compute.mockClear();
      await gap(reports, t.orm, args);
      await gap(reports, t.orm, args, [Role.WORKER]);
      expect(compute).not.toHaveBeenCalled();
      // A statement that changes no row still counts: the trigger is per statement.
      await conn().execute(`update service set monthly_capacity = monthly_capacity where id = 0`);
      await gap(reports, t.orm, args);
      expect(compute).toHaveBeenCalledTimes(1);
    } finally {
      compute.mockRestore();
    }
  });

  it('keeps the awardFairness figures with its cached ledger, and reads names per request', async () => {
    const reports = t.app.services.reports;
    const db = conn();
    await db.execute(
      `update project set status = 'PUBLISHED' where id = (select min(id) from project) and status = 'DRAFT'`,
    );
    const first = await reports.awardFairness(contextOn(t.orm), {});
    const second = await reports.awardFairness(contextOn(t.orm), {});
    // Derived from the ledger once: a cached report rebuilds nothing that grows with its projects.
    expect(second.byFoundingType).toBe(first.byFoundingType);
    const row = second.publishers[0]!;
    expect(row.repeatWinnerFigures).toBe(first.publishers[0]!.repeatWinnerFigures);
    expect(row.names).not.toBe(first.publishers[0]!.names);
    // A rename is no report source: the figures stay cached, the next answer has the new name.
    await db.execute(`update publisher set name = ? where id = ?`, ['改名后的发布方', row.publisherKey]);
    const renamed = await reports.awardFairness(contextOn(t.orm), {});
    expect(renamed.byFoundingType).toBe(first.byFoundingType);
    expect((await renamed.publishers[0]!.names.publisher(row.publisherKey))?.name).toBe('改名后的发布方');
    // Any statement on a source column, even one changing no row, derives them again.
    await db.execute(`update organization set founding_type = founding_type where id = 0`);
    const changed = await reports.awardFairness(contextOn(t.orm), {});
    expect(changed.byFoundingType).not.toBe(first.byFoundingType);
    expect(await fairness(reports, t.orm, {})).toEqual(
      await fairness(new ReportService(t.app.services.reference), t.orm, {}),
    );
  });

  it('sees a change that commits while the report is being computed', async () => {
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('begin');
      // Begun before the reports below, committed after they took their snapshot.
      await other.query(
        `update service set monthly_capacity = coalesce(monthly_capacity, 0) + 1000 where organization_id = $1`,
        [organizations[1]!.organization.id],
      );
      await other.query(`update organization set verification_status = 'SUSPENDED' where id = $1`, [
        organizations[2]!.organization.id,
      ]);
      await other.query(
        `update project_application a set status = 'AWARDED', awarded_fen = 123400
          where a.id = (select min(id) from project_application)
            and not exists (select 1 from project_application b
                             where b.project_id = a.project_id and b.organization_id = a.organization_id and b.id <> a.id)`,
      );
      await expectFresh('with a transaction open');
      await other.query('commit');
      await expectFresh('once it committed');
    } finally {
      await other.end();
    }
  });

  it('sees a change made through the API on both instances at once', async () => {
    const org = organizations[0]!;
    await t.data(
      `mutation ($input: AddServiceInput!) { addService(input: $input) { service { id } } }`,
      {
        input: {
          organizationId: toGlobalId('Organization', org.organization.id),
          name: '新增服务',
          categoryCodes: ['LIFE'],
          regionCodes: ['370102'],
          mode: 'ON_SITE',
          fee: 'FREE',
          monthlyCapacity: 777,
        },
      },
      worker.token,
    );
    await expectFresh('after addService');
  });

  it('recomputes what it cached before the change log was pruned, and keeps answering from the cache after', async () => {
    await expectFresh('before pruning');
    const db = conn();
    // Two passes, the first one's horizon made old enough: everything below it is deleted.
    await db.execute(`update report_source_horizon set next_at = now() - interval '1 day'`);
    await pruneReportSourceChanges(t.orm.em);
    await db.execute(`update report_source_horizon set next_at = now() - interval '1 day'`);
    expect(await pruneReportSourceChanges(t.orm.em)).toBeGreaterThan(0);
    await randomChange(db);
    await expectFresh('after pruning');
  });
});

const conn = () => t.orm.em.getConnection();
