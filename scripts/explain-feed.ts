/**
 * Measures the demand feed and the matcher at scale: starts a scratch embedded PostgreSQL in a
 * `mktemp -d` folder, migrates it, loads the reference data, generates demands and organizations
 * with set-based SQL, ANALYZEs, then runs the app's own service methods as a member of a verified
 * organization, captures the exact SQL they send (knex's `query` event, after MikroORM has inlined
 * the parameters) and prints `EXPLAIN (ANALYZE, BUFFERS)` for each statement, with a summary table.
 *
 *   npx tsx scripts/explain-feed.ts --demands 1000000 --orgs 10000 [--users 100000] [--keep]
 *
 * The generator (`generateData`) is exported for the bench/ harness.
 */
import 'reflect-metadata';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../src/core/config.js';
import { viewerOf, type Viewer } from '../src/core/auth.js';
import type { Context } from '../src/core/context.js';
import { ensureDatabase, withDatabase } from '../src/core/database-url.js';
import { connectOrm, migrate } from '../src/core/db.js';
import { startEmbeddedPostgres } from '../src/core/embedded-postgres.js';
import { loadReferenceData } from '../src/core/reference-data.js';
import { toGlobalId } from '../src/core/relay/global-id.js';
import { createServices } from '../src/services.js';
import { User } from '../src/modules/accounts/user.entity.js';
import { OrganizationMember } from '../src/modules/organizations/membership.entity.js';
import type { DemandsArgs, MatchingOrganizationsArgs } from '../src/modules/demands/demand.args.js';
import { DemandStatus } from '../src/modules/demands/demand.enums.js';

/** Sizes of the generated data. */
export interface GenerateOptions {
  demands: number;
  organizations: number;
  /** Workers who submit the demands. */
  users: number;
}

/** What the generator made that the measurements need. */
export interface GeneratedFixture {
  /** A worker who is ORG_ADMIN of `organizationId` (VERIFIED; serves LIFE in Jinan for female workers). */
  viewerUserId: number;
  organizationId: number;
  /** A recent OPEN demand (LIFE.CHILDCARE in Lixia, Jinan) to rank organizations for. */
  demandId: number;
}

/** Runs SQL on a plain pg client and returns the rows. */
type Sql = <R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values?: unknown[],
) => Promise<R[]>;

/** Titles by top-level category, so the trigram index sees realistic text. */
const TITLES = [
  '周末儿童托管',
  '职工心理疏导',
  '劳动争议法律咨询',
  '新就业形态劳动者技能培训',
  '困难职工家庭帮扶',
  '老人日间照料',
  '职工子女暑期托管',
  '农民工工资维权',
  '女职工孕期关爱',
  '职工文体活动场地',
  '团餐配送',
  '职业病康复指导',
];

/**
 * Fills the scratch database set-based (generate_series; no row-by-row round trips). Distributions:
 * regions skewed towards the big cities (Jinan and Qingdao districts come first by code, and the
 * index is drawn as random()^1.6), 90% districts and 10% cities; categories 85% leaves, skewed the
 * same way; statuses 60% OPEN, then CLAIMED/IN_SERVICE/FULFILLED/CLOSED/WITHDRAWN/EXPIRED;
 * `createdAt` spread over two years, denser recently, and rising with the id as in a live table (rows
 * are appended as they are submitted, so the heap is in time order); 70% of demands for all workers. Organizations:
 * 85% VERIFIED, 1–3 categories (mostly top level), 1–2 cities or districts, 60% general audience.
 * The demand and organization secondary indexes are dropped during the load and rebuilt from their
 * own definitions (much faster than maintaining GIN indexes row by row).
 */
export async function generateData(sql: Sql, options: GenerateOptions): Promise<GeneratedFixture> {
  await sql(`set maintenance_work_mem = '512MB'`);
  const indexes = await sql<{ indexname: string; indexdef: string }>(
    `select indexname, indexdef from pg_indexes
      where schemaname = 'public' and tablename in ('demand', 'organization')
        and indexname not in (select conname from pg_constraint)`,
  );
  for (const index of indexes) await sql(`drop index "${index.indexname}"`);

  await sql(
    `create temporary table leaf_category as
       select row_number() over (order by c.sort_order, c.code) as i, c.code, c.path
         from service_category c
        where not exists (select 1 from service_category k where k.parent_code = c.code)`,
  );
  await sql(
    `create temporary table top_category as
       select row_number() over (order by sort_order, code) as i, code, path
         from service_category where parent_code is null`,
  );
  await sql(
    `create temporary table district as
       select row_number() over (order by code) as i, code, path from region where level = 'DISTRICT'`,
  );
  await sql(
    `create temporary table city as
       select row_number() over (order by code) as i, code, path from region where level = 'CITY'`,
  );
  const [counts] = await sql<{ leaves: number; tops: number; districts: number; cities: number }>(
    `select (select count(*) from leaf_category)::int as leaves, (select count(*) from top_category)::int as tops,
            (select count(*) from district)::int as districts, (select count(*) from city)::int as cities`,
  );
  if (!counts) throw new Error('no reference data');

  await sql(
    `insert into app_user (email, password_hash, display_name, roles)
     select 'bench' || g || '@example.test', 'not-a-hash', '职工' || g, '{WORKER}'
       from generate_series(1, $1::int) g`,
    [options.users + 1],
  );
  const [firstUser] = await sql<{ id: string }>(
    `select min(id) as id from app_user where email like 'bench%'`,
  );
  const userBase = Number(firstUser?.id);

  // Organization 1 of the batch is the viewer's: fixed scope so the measurements are reproducible.
  await sql(
    `with r as (
       select g,
              1 + floor(random() * $2)::int as c1, 1 + floor(random() * $2)::int as c2,
              1 + floor(random() * $3)::int as l1,
              1 + floor(power(random(), 1.6) * $4)::int as cy, 1 + floor(power(random(), 1.6) * $5)::int as d1,
              random() as p, random() as q, random() as s, random() as v
         from generate_series(1, $1::int) g)
     insert into organization (name, credit_code, kind, founding_type, home_region_code, region_codes,
                               category_codes, target_groups, description, verification_status,
                               verification_decided_at, rating_sum, rating_count, created_at)
     select '社会组织' || g,
            '5' || lpad(g::text, 17, '0'),
            (array['SOCIAL_GROUP','SOCIAL_SERVICE_AGENCY','FOUNDATION','OTHER'])[1 + (g % 4)],
            (array['UNION_FOUNDED','UNION_INCUBATED','INDEPENDENT','INDEPENDENT'])[1 + (g % 4)],
            cy.code,
            case when g = 1 then '{370100}'
                 when p < 0.55 then array[cy.code]
                 when p < 0.85 then array[d.code]
                 when p < 0.97 then array[cy.code, d.code]
                 else '{370000}' end,
            case when g = 1 then '{LIFE}'
                 when q < 0.5 then array[t1.code]
                 when q < 0.8 then array[t1.code, l.code]
                 else array[t1.code, t2.code, l.code] end,
            case when g = 1 then '{FEMALE_WORKERS}'
                 when s < 0.6 then '{ALL_WORKERS}'
                 else array[(array['FEMALE_WORKERS','DISABLED_WORKERS','MIGRANT_WORKERS','HARDSHIP_WORKERS',
                                   'NEW_EMPLOYMENT_FORMS'])[1 + floor(s * 1000)::int % 5]] end,
            '',
            case when g = 1 or v < 0.85 then 'VERIFIED' when v < 0.95 then 'PENDING' else 'SUSPENDED' end,
            now(),
            (g % 7) * 4, g % 7,
            now() - random() * interval '3 years'
       from r
       join top_category t1 on t1.i = r.c1
       join top_category t2 on t2.i = r.c2
       join leaf_category l on l.i = r.l1
       join city cy on cy.i = r.cy
       join district d on d.i = r.d1
      order by g`,
    [options.organizations, counts.tops, counts.leaves, counts.cities, counts.districts],
  );
  const [firstOrg] = await sql<{ id: string }>(
    `select min(id) as id from organization where credit_code like '5%'`,
  );
  const orgBase = Number(firstOrg?.id);

  await sql(
    `with r as (
       select g,
              random() as u_cat, 1 + floor(power(random(), 1.6) * $2)::int as leaf,
              1 + floor(random() * $3)::int as top,
              random() as u_reg, 1 + floor(power(random(), 1.6) * $4)::int as dist,
              1 + floor(power(random(), 1.6) * $5)::int as cty,
              random() as u_status, random() as u_group, random() as u_misc,
              now() - power(1 - g::float8 / $1, 1.5) * interval '730 days' - random() * interval '5 minutes' as created,
              1 + floor(random() * $6)::int as submitter, floor(random() * $7)::int as claimer
         from generate_series(1, $1::int) g)
     insert into demand (title, description, category_code, category_path, region_code, region_path,
                         target_groups, urgency, people_affected, endorsement_count, source, submitted_by_id,
                         anonymous, contact, contact_consent, status, claimed_by_id, claimed_at,
                         last_progress_at, expires_at, created_at, updated_at)
     select (array[${TITLES.map((x) => `'${x}'`).join(',')}])[1 + g % ${TITLES.length}] || ' ' || g,
            '职工反映的需求，编号 ' || g,
            c.code, c.path, rg.code, rg.path,
            case when u_group < 0.7 then '{ALL_WORKERS}'
                 else array[(array['FEMALE_WORKERS','DISABLED_WORKERS','MIGRANT_WORKERS','HARDSHIP_WORKERS',
                                   'NEW_EMPLOYMENT_FORMS'])[1 + floor(u_group * 1000)::int % 5]] end,
            (array['NORMAL','NORMAL','NORMAL','LOW','HIGH','URGENT'])[1 + floor(u_misc * 6)::int],
            1 + floor(u_misc * 40)::int, floor(u_misc * 10)::int,
            case when u_misc < 0.9 then 'WORKER' when u_misc < 0.97 then 'UNION_SURVEY' else 'ENTERPRISE' end,
            $8::bigint + submitter, u_misc < 0.1, null, u_misc < 0.5,
            st.status,
            case when st.status in ('CLAIMED','IN_SERVICE','FULFILLED') then $9::bigint + claimer end,
            case when st.status in ('CLAIMED','IN_SERVICE','FULFILLED') then created + interval '2 days' end,
            case when st.status in ('CLAIMED','IN_SERVICE','FULFILLED') then created + interval '3 days' end,
            case when st.status = 'OPEN' then now() + interval '30 days' else created + interval '30 days' end,
            created, created
       from r
       cross join lateral (select case when u_cat < 0.85 then (select l.code from leaf_category l where l.i = r.leaf)
                                       else (select t.code from top_category t where t.i = r.top) end as code) cc
       join service_category c on c.code = cc.code
       cross join lateral (select case when u_reg < 0.9 then (select d.code from district d where d.i = r.dist)
                                       else (select y.code from city y where y.i = r.cty) end as code) rc
       join region rg on rg.code = rc.code
       cross join lateral (select case when u_status < 0.60 then 'OPEN' when u_status < 0.65 then 'CLAIMED'
                                       when u_status < 0.70 then 'IN_SERVICE' when u_status < 0.82 then 'FULFILLED'
                                       when u_status < 0.85 then 'CLOSED' when u_status < 0.88 then 'WITHDRAWN'
                                       else 'EXPIRED' end as status) st`,
    [
      options.demands,
      counts.leaves,
      counts.tops,
      counts.districts,
      counts.cities,
      options.users,
      options.organizations,
      userBase,
      orgBase,
    ],
  );

  for (const index of indexes) await sql(index.indexdef);

  const viewerUserId = userBase; // the first generated user is not a submitter (submitters start at +1)
  await sql(`insert into organization_member (organization_id, user_id, role) values ($1, $2, 'ORG_ADMIN')`, [
    orgBase,
    viewerUserId,
  ]);
  const [target] = await sql<{ id: string }>(
    `insert into demand (title, description, category_code, category_path, region_code, region_path,
                         target_groups, people_affected, source, submitted_by_id, status, expires_at)
     select '周末儿童托管 基准', '基准需求', c.code, c.path, r.code, r.path, '{FEMALE_WORKERS}', 3, 'WORKER',
            $1::bigint + 1, 'OPEN', now() + interval '30 days'
       from service_category c, region r where c.code = 'LIFE.CHILDCARE' and r.code = '370102'
     returning id`,
    [userBase],
  );
  await sql('analyze');
  return { viewerUserId, organizationId: orgBase, demandId: Number(target?.id) };
}

/** One node of a JSON plan, as far as this script reads it. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Sort Method'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** A measured statement for the summary table. */
interface Measured {
  query: string;
  shape: string;
  rows: number;
  examined: number;
  buffers: number;
  ms: number;
  warnings: string[];
}

/** Compact plan shape: node types with their index or relation, outermost first. */
function shapeOf(node: PlanNode): string {
  const own =
    node['Node Type'] === 'Index Scan' || node['Node Type'] === 'Index Only Scan'
      ? `${node['Node Type']}${node['Scan Direction'] === 'Backward' ? ' Backward' : ''}(${node['Index Name']})`
      : node['Index Name']
        ? `${node['Node Type']}(${node['Index Name']})`
        : node['Relation Name']
          ? `${node['Node Type']}(${node['Relation Name']})`
          : node['Node Type'];
  const children = (node.Plans ?? []).map(shapeOf);
  if (children.length === 0) return own;
  return `${own} ← ${children.length === 1 ? children[0] : `[${children.join(', ')}]`}`;
}

/** Rows read from tables and indexes (what the query had to look at), and plan warnings. */
function inspect(node: PlanNode, warnings: string[]): number {
  const loops = node['Actual Loops'] || 1;
  let examined = 0;
  // Index and table scans count what they read; a bitmap heap scan adds only what it threw away
  // (its bitmap index scans below already counted the rest).
  if (node['Node Type'] === 'Bitmap Heap Scan') examined += (node['Rows Removed by Filter'] ?? 0) * loops;
  else if (/Scan/.test(node['Node Type']))
    examined += (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * loops;
  if (
    node['Node Type'] === 'Seq Scan' &&
    node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) > 10_000
  )
    warnings.push(`sequential scan on ${node['Relation Name']}`);
  if (node['Node Type'] === 'Sort') {
    const input = node.Plans?.[0]?.['Actual Rows'] ?? 0;
    if (input > 10_000) warnings.push(`sort over ${input} rows`);
  }
  for (const child of node.Plans ?? []) examined += inspect(child, warnings);
  return examined;
}

/** Captures every statement the ORM sends while `fn` runs (formatted, parameters inlined). */
async function capture(orm: MikroORM, fn: () => Promise<unknown>): Promise<string[]> {
  const knex = orm.em.getConnection().getKnex();
  const statements: string[] = [];
  const listener = (data: { sql: string }) => void statements.push(data.sql);
  knex.on('query', listener);
  try {
    await fn();
  } finally {
    knex.off('query', listener);
  }
  return statements.filter((s) => /^\s*(select|with)\b/i.test(s));
}

/** Runs EXPLAIN (ANALYZE, BUFFERS) on a statement (after one warm-up run) and prints the plan. */
async function explain(sql: Sql, label: string, statement: string): Promise<Measured> {
  await sql(statement);
  const [json] = await sql<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[] }>(
    `explain (analyze, buffers, format json) ${statement}`,
  );
  const result = json?.['QUERY PLAN'][0];
  if (!result) throw new Error(`no plan for ${label}`);
  const text = await sql<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${statement}`);
  console.log(`\n=== ${label}\n${statement}\n`);
  console.log(text.map((r) => r['QUERY PLAN']).join('\n'));
  const warnings: string[] = [];
  const examined = inspect(result.Plan, warnings);
  return {
    query: label,
    shape: shapeOf(result.Plan),
    rows: result.Plan['Actual Rows'],
    examined,
    buffers: (result.Plan['Shared Hit Blocks'] ?? 0) + (result.Plan['Shared Read Blocks'] ?? 0),
    ms: result['Execution Time'],
    warnings,
  };
}

/** The statements of one service call that touch the big tables (the small PK lookups are skipped). */
function mainStatements(statements: string[]): string[] {
  return statements.filter(
    (s) => /from "(demand|organization)" as/.test(s) && !/where "\w+"\."id" (= '?\d+'?( |$)|in \()/.test(s),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      demands: { type: 'string', default: '1000000' },
      orgs: { type: 'string', default: '10000' },
      users: { type: 'string', default: '100000' },
      keep: { type: 'boolean', default: false },
    },
  });
  const options: GenerateOptions = {
    demands: Number(values.demands),
    organizations: Number(values.orgs),
    users: Number(values.users),
  };
  for (const [name, n] of Object.entries(options))
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);

  const log = pino({ level: 'warn' });
  const scratch = mkdtempSync(path.join(tmpdir(), 'niudai-explain-'));
  chmodSync(scratch, 0o755); // as root, PostgreSQL runs as 'postgres', which must enter this folder
  const started = Date.now();
  const db = await startEmbeddedPostgres(path.join(scratch, 'pgdata'), log);
  let orm: MikroORM | undefined;
  const client = new pg.Client({ connectionString: db.url('niudai_explain') });
  try {
    await ensureDatabase(db.url('postgres'), 'niudai_explain');
    const url = withDatabase(db.url('postgres'), 'niudai_explain');
    orm = await connectOrm(url);
    await migrate(orm);
    await loadReferenceData(orm);
    await client.connect();
    const sql: Sql = async (text, params) => (await client.query(text, params)).rows;

    const t0 = Date.now();
    const fixture = await generateData(sql, options);
    const [size] = await sql<{ demand: string; organization: string }>(
      `select pg_size_pretty(pg_total_relation_size('demand')) as demand,
              pg_size_pretty(pg_total_relation_size('organization')) as organization`,
    );
    console.log(
      `Generated ${options.demands} demands, ${options.organizations} organizations, ${options.users} users ` +
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
      const em = orm!.em.fork();
      const user = await em.findOneOrFail(User, { id: fixture.viewerUserId }, { populate: ['regionScope'] });
      const memberships = await em.find(OrganizationMember, { user: fixture.viewerUserId });
      const viewer: Viewer = viewerOf(user, memberships, new Date(Date.now() + 3_600_000));
      // The viewer is loaded; the measured operation gets its own fork, as a request does.
      return { em: orm!.em.fork(), viewer, requestId: 'explain-feed', log: log as Context['log'], services };
    };
    const list = async (args: Partial<DemandsArgs>) =>
      services.demands.list(await contextFor(), args as DemandsArgs);

    const results: Measured[] = [];
    const measure = async (label: string, run: () => Promise<unknown>): Promise<string[]> => {
      const statements = mainStatements(await capture(orm!, run));
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
      services.demands.matchingOrganizations(await contextFor(), {
        demandId: toGlobalId('Demand', fixture.demandId),
        first: 20,
      } as MatchingOrganizationsArgs),
    );

    const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
    console.log(`\n=== Summary (${options.demands} demands, ${options.organizations} organizations)\n`);
    console.log(
      `${pad('query', 36)} ${pad('rows', 6)} ${pad('examined', 9)} ${pad('buffers', 8)} ${pad('ms', 8)} plan shape`,
    );
    for (const r of results)
      console.log(
        `${pad(r.query, 36)} ${pad(String(r.rows), 6)} ${pad(String(r.examined), 9)} ${pad(String(r.buffers), 8)} ${pad(r.ms.toFixed(2), 8)} ${r.shape}${r.warnings.length ? `  !! ${r.warnings.join('; ')}` : ''}`,
      );
    console.log(`\nTotal ${((Date.now() - started) / 1000).toFixed(0)} s. Scratch folder: ${scratch}`);
  } finally {
    await client.end().catch(() => undefined);
    await orm?.close();
    await db.stop();
    if (!values.keep) rmSync(scratch, { recursive: true, force: true });
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
