/**
 * The scale-test data generator shared by `scripts/explain-feed.ts`, `scripts/measure-reports.ts` and
 * the bench/ harness: demands, organizations and workers made with set-based SQL (generate_series).
 *
 * @module
 */
import type pg from 'pg';

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
export type Sql = <R extends pg.QueryResultRow = pg.QueryResultRow>(
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
