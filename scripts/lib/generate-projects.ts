/**
 * Set-based generator for the purchase-of-service side of the scale data, run after `generateData`
 * (`./generate.ts`): services for the generated organizations, publishers, projects with
 * applications and awards, and two report viewers (an admin and a Jinan union staff member). Enough
 * for `supplyDemandGap`'s capacity and money columns, `awardFairness` and the OCDS export to do real
 * work.
 *
 * @module
 */
import type { Sql } from './generate.js';

/** Sizes of the generated purchase-of-service data. */
export interface ProjectOptions {
  publishers: number;
  projects: number;
}

/** What the report measurements need. */
export interface ProjectFixture {
  /** A user with the ADMIN role. */
  adminUserId: number;
  /** A UNION_STAFF user scoped to Jinan (370100). */
  unionStaffUserId: number;
  /** The publisher with the most projects. */
  busiestPublisherId: number;
  services: number;
  applications: number;
  awards: number;
}

/**
 * Inserts 1–3 services per organization (its categories, regions and groups; 85% ACTIVE), then
 * `publishers` publishers (the provincial union first, then units in cities skewed towards the big
 * ones: unions, government departments, enterprises), then `projects` projects spread over them
 * (a leaf category; the publisher's region or one of its districts; statuses from DRAFT to COMPLETED
 * over two years), each non-draft project with 1–8 applications (about 4) from distinct
 * organizations of every founding type. Decided projects award their first applicant (skewed
 * towards a small pool, so repeat winners and concentration exist) and sometimes a second one; the
 * rest are rejected or, now and then, withdrawn. ANALYZEs the tables it filled.
 */
export async function generateProjects(sql: Sql, options: ProjectOptions): Promise<ProjectFixture> {
  await sql(
    `insert into service (organization_id, name, description, category_codes, region_codes, target_groups,
                          mode, fee, monthly_capacity, status)
     select o.id, o.name || ' 服务' || k, '', o.category_codes, o.region_codes, o.target_groups,
            (array['ON_SITE','ONLINE','BOTH'])[1 + (o.id + k) % 3],
            (array['FREE','SUBSIDISED','PAID'])[1 + (o.id * 7 + k) % 3],
            20 + floor(random() * 480)::int,
            case when u < 0.85 then 'ACTIVE' when u < 0.95 then 'PAUSED' else 'RETIRED' end
       from organization o
       cross join lateral generate_series(1, 1 + (o.id % 3)::int) k
       cross join lateral (select random() + 0 * k as u) r`,
  );

  await sql(
    `with city as (select row_number() over (order by code) as i, code from region where level = 'CITY'),
          n as (select count(*)::int as cities from city)
     insert into publisher (kind, name, region_code)
     select case when g = 1 then 'UNION' else (array['UNION','UNION','GOVERNMENT','ENTERPRISE'])[1 + g % 4] end,
            case when g = 1 then '省总工会' else '采购单位' || g end,
            case when g = 1 then '370000' else c.code end
       from generate_series(1, $1::int) g
       cross join n
       join city c on c.i = 1 + floor(power(((g * 7919) % 1000) / 1000.0, 1.6) * n.cities)::int`,
    [options.publishers],
  );

  await sql(
    `with pub as (select row_number() over (order by id) as i, id, region_code from publisher),
          leaf as (select row_number() over (order by sort_order, code) as i, code, path from service_category c
                    where not exists (select 1 from service_category k where k.parent_code = c.code)),
          n as (select (select count(*) from pub)::int as pubs, (select count(*) from leaf)::int as leaves),
          r as (select g, 1 + floor(power(random(), 1.5) * n.pubs)::int as pi, 1 + floor(random() * n.leaves)::int as li,
                       random() as u_status, random() as u_misc,
                       now() - interval '40 days' - random() * interval '700 days' as opened
                  from generate_series(1, $1::int) g cross join n),
          s as (select r.*, case when u_status < 0.05 then 'DRAFT' when u_status < 0.15 then 'PUBLISHED'
                                 when u_status < 0.20 then 'EVALUATING' when u_status < 0.40 then 'AWARDED'
                                 when u_status < 0.65 then 'IN_PROGRESS' when u_status < 0.90 then 'COMPLETED'
                                 when u_status < 0.95 then 'CANCELLED' else 'UNSUCCESSFUL' end as status
                  from r),
          t as (select s.*,
                       case when status = 'DRAFT' then now() + interval '10 days'
                            when status = 'PUBLISHED' then now() - interval '5 days'
                            else opened end as opens
                  from s)
     insert into project (publisher_id, title, description, category_code, category_path, region_codes, region_paths,
                          target_groups, budget_fen, procurement_method, application_opens_at, application_closes_at,
                          status, status_reason, outcome, evaluation_score, published_at, awarded_at, started_at,
                          closed_at, created_at, updated_at)
     select p.id, '购买服务项目 ' || t.g, '项目说明 ' || t.g, l.code, l.path, array[rg.code], rg.path,
            case when u_misc < 0.7 then '{}'::text[] else '{MIGRANT_WORKERS}'::text[] end,
            (50 + floor(u_misc * 950)::int)::bigint * 100000,
            case when u_misc < 0.8 then 'OPEN' when u_misc < 0.95 then 'SELECTIVE' else 'DIRECT' end,
            t.opens, t.opens + interval '30 days',
            t.status,
            case when t.status in ('CANCELLED', 'UNSUCCESSFUL') then '无合适申报' end,
            case when t.status = 'COMPLETED' then '服务已交付' end,
            case when t.status = 'COMPLETED' then 1 + floor(u_misc * 5)::int end,
            case when t.status <> 'DRAFT' then t.opens - interval '1 day' end,
            case when t.status in ('AWARDED', 'IN_PROGRESS', 'COMPLETED') then t.opens + interval '35 days' end,
            case when t.status in ('IN_PROGRESS', 'COMPLETED') then t.opens + interval '40 days' end,
            case when t.status in ('COMPLETED', 'CANCELLED', 'UNSUCCESSFUL') then t.opens + interval '39 days' end,
            t.opens - interval '2 days', t.opens + interval '40 days'
       from t
       join pub p on p.i = t.pi
       join leaf l on l.i = t.li
       cross join lateral (select x.code, x.path from region x
                            where x.path @> array[p.region_code]::text[] and x.level <> 'PROVINCE'
                            order by random() + 0 * t.g limit 1) rg`,
    [options.projects],
  );

  await sql(
    `with org as (select min(id) as base, count(*)::int as n from organization),
          pr as (select p.id, p.status, p.budget_fen, p.published_at, p.application_closes_at, p.awarded_at,
                        floor(power(random(), 3) * org.n)::int as w, floor(random() * 8)::int as extra, random() as u2
                   from project p cross join org where p.status <> 'DRAFT')
     insert into project_application (project_id, organization_id, proposal, requested_fen, status, awarded_fen,
                                      created_at, updated_at)
     select pr.id, org.base + (pr.w + k * greatest(1, org.n / 8)) % org.n, '申报方案',
            req.fen, st.status,
            case when st.status = 'AWARDED' then least(req.fen, pr.budget_fen) end,
            pr.published_at + interval '2 days', coalesce(pr.awarded_at, pr.published_at + interval '2 days')
       from pr cross join org
       cross join lateral generate_series(0, pr.extra) k
       cross join lateral (select ceil(pr.budget_fen * (0.5 + random() * 0.6))::bigint + 0 * k as fen, random() + 0 * k as u) req
       cross join lateral (
         select case
                  when pr.status in ('AWARDED', 'IN_PROGRESS', 'COMPLETED') and (k = 0 or (k = 1 and pr.u2 < 0.2)) then 'AWARDED'
                  when k > 0 and req.u < 0.05 then 'WITHDRAWN'
                  when pr.status in ('PUBLISHED') then 'SUBMITTED'
                  when pr.status = 'EVALUATING' then case when req.u < 0.4 then 'SHORTLISTED' else 'SUBMITTED' end
                  else 'REJECTED' end as status) st`,
  );

  const [admin] = await sql<{ id: string }>(
    `insert into app_user (email, password_hash, display_name, roles)
     values ('bench-admin@example.test', 'not-a-hash', '管理员', '{ADMIN}') returning id`,
  );
  const [staff] = await sql<{ id: string }>(
    `insert into app_user (email, password_hash, display_name, roles, region_scope_code)
     values ('bench-union@example.test', 'not-a-hash', '济南市总工会', '{UNION_STAFF}', '370100') returning id`,
  );
  const [busiest] = await sql<{ id: string }>(
    `select publisher_id as id from project group by publisher_id order by count(*) desc, publisher_id limit 1`,
  );
  const [counts] = await sql<{ services: number; applications: number; awards: number }>(
    `select (select count(*) from service)::int as services, (select count(*) from project_application)::int as applications,
            (select count(*) from project_application where status = 'AWARDED')::int as awards`,
  );
  await sql('analyze service, publisher, project, project_application, app_user');
  return {
    adminUserId: Number(admin?.id),
    unionStaffUserId: Number(staff?.id),
    busiestPublisherId: Number(busiest?.id),
    services: counts?.services ?? 0,
    applications: counts?.applications ?? 0,
    awards: counts?.awards ?? 0,
  };
}
