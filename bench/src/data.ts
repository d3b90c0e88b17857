import cliProgress from 'cli-progress';
import type pg from 'pg';

/**
 * Deterministic benchmark data, written set-based (generate_series) straight into the migrated
 * schema: no randomness, so every run and every peer sees the same rows.
 */

/** The logins the harness signs in with; every bench user has {@link BENCH_PASSWORD}. */
export const BENCH_WORKER = 'bench-worker@example.test';
export const BENCH_ORG_ADMIN = 'bench-org-admin@example.test';
export const BENCH_PASSWORD = 'bench-password-123';

/** Users, so demands have submitters; the first two are the bench's own logins. */
export async function createUsers(db: pg.Pool, passwordHash: string, count: number): Promise<void> {
  await db.query(
    `insert into app_user (email, password_hash, display_name, roles)
     values ($1, $3, '压测职工', '{WORKER}'), ($2, $3, '压测社会组织管理员', '{WORKER}')
     on conflict (email) do nothing`,
    [BENCH_WORKER, BENCH_ORG_ADMIN, passwordHash],
  );
  await db.query(
    `insert into app_user (email, password_hash, display_name, roles)
     select 'bench-user-' || i || '@example.test', $2, '职工' || i, '{WORKER}'
       from generate_series(1, $1::int) i
     on conflict (email) do nothing`,
    [count, passwordHash],
  );
}

/**
 * `count` verified organizations (ids in order of `i`): each serves one LIFE/WORK/CAREER
 * subcategory in its home city (cycling through the 16 cities), with a searchable name.
 */
export async function createOrganizations(db: pg.Pool, from: number, to: number): Promise<void> {
  await db.query(
    `with cats as (
        select row_number() over (order by code) - 1 as n, code, name from service_category where parent_code is not null),
      cities as (select row_number() over (order by code) - 1 as n, code, name from region where level = 'CITY'),
      nc as (select count(*) c from cats), nr as (select count(*) c from cities)
     insert into organization (name, credit_code, kind, founding_type, home_region_code, region_codes,
        category_codes, target_groups, description, verification_status, verification_decided_at, search_text, grade)
     select o.name, '52' || lpad(i::text, 16, '0'), 'SOCIAL_SERVICE_AGENCY',
            (array['UNION_FOUNDED','UNION_INCUBATED','INDEPENDENT'])[1 + i % 3],
            cities.code, array[cities.code], array[cats.code], '{ALL_WORKERS}',
            o.description, 'VERIFIED', now(), lower(o.name || ' ‖ ' || o.description),
            (array['NONE','GRADE_3A','GRADE_4A','GRADE_5A'])[1 + i % 4]
       from generate_series($1::int, $2::int) i
       cross join nc cross join nr
       join cats on cats.n = (i * 7) % nc.c
       join cities on cities.n = i % nr.c
       cross join lateral (select cities.name || cats.name || '服务中心' || i as name,
                                  '为' || cities.name || '职工提供' || cats.name || '服务（编号' || i || '）' as description) o
     on conflict (credit_code) do nothing`,
    [from, to],
  );
}

/** Makes the bench org admin an ORG_ADMIN of `organizationId`. */
export async function addOrgAdmin(db: pg.Pool, organizationId: number): Promise<void> {
  await db.query(
    `insert into organization_member (organization_id, user_id, role)
     select $1, id, 'ORG_ADMIN' from app_user where email = $2
     on conflict do nothing`,
    [organizationId, BENCH_ORG_ADMIN],
  );
}

/**
 * Demands `from`..`to` (1-based serial `i`, created one second apart, newest = highest `i`):
 * demand `i` belongs to organization `1 + (i - 1) / perOrg` when `perOrg` is given (its category and
 * city), otherwise category and district are spread over every leaf and district.
 */
export async function createDemands(
  db: pg.Pool,
  from: number,
  to: number,
  options: { perOrg?: number; users: number; status?: (i: string) => string },
): Promise<void> {
  const status = options.status?.('i') ?? `'OPEN'`;
  const shape = options.perOrg
    ? `join organization org on org.id = 1 + (i - 1) / ${options.perOrg}
       join service_category cat on cat.code = org.category_codes[1]
       join region reg on reg.code = org.home_region_code`
    : `cross join nc cross join nr
       join cats on cats.n = (i * 7919) % nc.c join service_category cat on cat.code = cats.code
       join districts on districts.n = (i * 104729) % nr.c join region reg on reg.code = districts.code`;
  await db.query(
    `with cats as (select row_number() over (order by code) - 1 as n, code from service_category where parent_code is not null),
      districts as (select row_number() over (order by code) - 1 as n, code from region where level <> 'PROVINCE'),
      nc as (select count(*) c from cats), nr as (select count(*) c from districts),
      first_user as (select min(id) id from app_user where email like 'bench-user-%')
     insert into demand (title, description, category_code, category_path, region_code, region_path, target_groups,
        urgency, people_affected, source, submitted_by_id, status, expires_at, created_at, updated_at)
     select reg.name || cat.name || '需求' || i, '职工需要' || cat.name || '，地点' || reg.name || '（' || i || '）',
            cat.code, cat.path, reg.code, reg.path,
            case when i % 5 = 0 then '{FEMALE_WORKERS}'::text[] else '{}'::text[] end,
            (array['LOW','NORMAL','HIGH','URGENT'])[1 + i % 4], 1 + i % 50, 'WORKER',
            (select id from first_user) + (i % $3::int), ${status},
            now() + interval '50 days', now() - interval '20 days' + i * interval '1 millisecond',
            now()
       from generate_series($1::bigint, $2::bigint) i
       ${shape}`,
    [from, to, options.users],
  );
}

/** Generates demands up to `total` in batches with a progress bar. */
export async function growDemands(db: pg.Pool, have: number, total: number, users: number): Promise<void> {
  if (total <= have) return;
  const bar = new cliProgress.SingleBar(
    { format: `demands {bar} {value}/{total} ({eta}s left)`, etaBuffer: 5 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, have);
  const batch = 50_000;
  for (let from = have + 1; from <= total; from += batch) {
    const to = Math.min(total, from + batch - 1);
    await createDemands(db, from, to, {
      users,
      status: (i) =>
        `case when ${i} % 10 < 6 then 'OPEN' when ${i} % 10 < 8 then 'FULFILLED' else 'EXPIRED' end`,
    });
    bar.update(to);
  }
  bar.stop();
  await db.query('analyze demand');
}
