/**
 * Scenario 6: a full open-data export. Services (two per organization), publishers and projects
 * spread over every status, with amendments and awards, written set-based; then each export is
 * fetched whole from the running server while its RSS is sampled, for the time and the peak RSS of
 * each (the exports stream in batches, so the peak should not grow with the data).
 */
import type pg from 'pg';
import { processRssBytes, round, sleep } from './util.js';

/** `count` services, two per organization 1..count/2, every tenth paused. */
export async function createServices(db: pg.Pool, count: number): Promise<void> {
  await db.query(
    `insert into service (organization_id, name, description, category_codes, region_codes, target_groups, mode, fee,
        monthly_capacity, status)
     select o.id, o.name || '服务' || k, '为职工提供的第' || k || '项服务', o.category_codes, o.region_codes,
            o.target_groups, (array['ON_SITE','ONLINE','BOTH'])[1 + (o.id + k) % 3], (array['FREE','SUBSIDISED','PAID'])[1 + o.id % 3],
            case when o.id % 2 = 0 then 40 + o.id % 60 end, case when (o.id + k) % 10 = 0 then 'PAUSED' else 'ACTIVE' end
       from organization o cross join generate_series(1, 2) k
      where o.id <= $1::int / 2`,
    [count],
  );
}

/**
 * `count` projects of 50 publishers, in every public status by `i % 8`: published, amended,
 * evaluating, awarded, in progress, completed, cancelled, unsuccessful; each past the tender has one
 * application per project, awarded where the award is decided.
 */
export async function createProjects(db: pg.Pool, count: number): Promise<void> {
  await db.query(
    `insert into publisher (kind, name, region_code)
     select (array['UNION','GOVERNMENT','ENTERPRISE'])[1 + i % 3], '压测发布方' || i, c.code
       from generate_series(1, 50) i
       join (select row_number() over (order by code) - 1 as n, code from region where level = 'CITY') c
         on c.n = i % (select count(*) from region where level = 'CITY')`,
  );
  await db.query(
    `with statuses as (select array['PUBLISHED','PUBLISHED','EVALUATING','AWARDED','IN_PROGRESS','COMPLETED','CANCELLED','UNSUCCESSFUL'] s)
     insert into project (publisher_id, title, description, category_code, category_path, region_codes, region_paths,
        target_groups, budget_fen, procurement_method, application_opens_at, application_closes_at, documents, status,
        status_reason, outcome, evaluation_score, published_at, awarded_at, started_at, closed_at, created_at, updated_at)
     select (select min(id) from publisher) + i % 50, '压测项目' || i, '第' || i || '个购买服务项目', o.category_codes[1],
            cat.path, o.region_codes, r.path, '{ALL_WORKERS}', 1000000 + i * 100,
            (array['OPEN','SELECTIVE','DIRECT'])[1 + i % 3],
            now() - interval '60 days', now() - interval '30 days' + (case when i % 8 < 2 then interval '60 days' else interval '0' end),
            '[{"title":"招募公告","url":"https://example.cn/notice.pdf"}]', st.s[1 + i % 8],
            case when i % 8 >= 6 then '压测原因' end, case when i % 8 = 5 then '服务完成' end, case when i % 8 = 5 then 4 end,
            now() - interval '59 days', case when i % 8 between 3 and 5 then now() - interval '20 days' end,
            case when i % 8 in (4, 5) then now() - interval '15 days' end,
            case when i % 8 >= 5 then now() - interval '5 days' end, now() - interval '61 days', now()
       from generate_series(1, $1::int) i cross join statuses st
       join organization o on o.id = 1 + i % (select count(*) from organization)
       join service_category cat on cat.code = o.category_codes[1]
       join region r on r.code = o.region_codes[1]`,
    [count],
  );
  await db.query(
    `insert into project_amendment (project_id, rationale, changes, created_at)
     select id, '压测变更', jsonb_build_object('budgetFen', jsonb_build_object('from', budget_fen - 100, 'to', budget_fen)),
            now() - interval '40 days'
       from project where id % 4 = 1`,
  );
  await db.query(
    `insert into project_application (project_id, organization_id, proposal, requested_fen, status, awarded_fen)
     select p.id, o.id, '方案', p.budget_fen,
            case when p.status in ('AWARDED','IN_PROGRESS','COMPLETED') then 'AWARDED' else 'SUBMITTED' end,
            case when p.status in ('AWARDED','IN_PROGRESS','COMPLETED') then p.budget_fen end
       from project p join organization o on o.id = 1 + p.id % (select count(*) from organization)
      where p.status <> 'PUBLISHED'`,
  );
}

export const EXPORT_PATHS = [
  '/opendata/hsds/organizations.ndjson',
  '/opendata/hsds/services.ndjson',
  '/opendata/ocds/releases.json',
  '/opendata/ocds/records.json',
];

/** Fetches one export whole, sampling the server's RSS every 20 ms meanwhile. */
export async function measureExport(
  baseUrl: string,
  serverPid: number,
  exportPath: string,
): Promise<Record<string, unknown>> {
  const rssBefore = processRssBytes(serverPid);
  let peak = rssBefore;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, processRssBytes(serverPid));
      await sleep(20);
    }
  })();
  const started = performance.now();
  const res = await fetch(`${baseUrl}${exportPath}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (const byte of chunk) if (byte === 10) lines += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  const mb = (b: number) => round(b / 1024 / 1024, 1);
  return {
    export: exportPath,
    status: res.status,
    seconds: round(seconds, 2),
    megabytes: mb(bytes),
    lines,
    rssBeforeMb: mb(rssBefore),
    peakRssMb: mb(peak),
  };
}
