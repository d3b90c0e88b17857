/**
 * The demand side of `supplyDemandGap`: per cell (child region × child category of the report's
 * nodes), the OPEN demands created in the period, their people affected and their median age in days.
 * Two ways to the same answer: {@link rolledUpOpenDemandAggregates} (what the report runs: rollup +
 * pending deltas, docs/architecture.md "Report rollups") and {@link countedOpenDemandAggregates} (a
 * count over the demand rows, the definition the property test and `reports:check` hold it to).
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../core/db/pooled-query.js';

const DAY_MS = 86_400_000;

/**
 * A report whose region subtree × category subtree has at most this many code pairs (a city × a
 * top-level category: about a hundred) reads its medians from its few OPEN demands through the OPEN
 * (category, region) index; a larger one (the province) from the rollup's histogram and one or two
 * rows per cell (docs/architecture.md, "Report rollups").
 */
const SMALL_REPORT_CODE_PAIRS = 256;

/** One cell's open demands. */
export interface OpenDemandAggregate {
  open: number;
  people: number;
  medianDays: number | null;
}

/** Aggregates by `${regionCode}|${categoryCode}`; cells without open demands are absent. */
export type OpenDemandAggregates = Map<string, OpenDemandAggregate>;

/** The report's nodes (null: the roots) and period (`to` exclusive), as of `now`. */
export interface OpenDemandQuery {
  region: { code: string; path: readonly string[] } | null;
  category: { code: string; path: readonly string[] } | null;
  from?: Date | null;
  to?: Date | null;
  now: Date;
}

interface Row {
  region_code: string;
  category_code: string;
  open_demands: number;
  people: string;
  median_days: number | null;
}

function toMap(rows: Row[]): OpenDemandAggregates {
  return new Map(
    rows.map((r) => [
      `${r.region_code}|${r.category_code}`,
      { open: r.open_demands, people: Number(r.people), medianDays: r.median_days },
    ]),
  );
}

/** SQL for "column in [from, to)", pushing its parameters. */
function periodSql(
  column: string,
  from: Date | null | undefined,
  to: Date | null | undefined,
  params: unknown[],
) {
  let sql = '';
  if (from) {
    sql += ` and ${column} >= ?`;
    params.push(from);
  }
  if (to) {
    sql += ` and ${column} < ?`;
    params.push(to);
  }
  return sql;
}

/**
 * The aggregates counted from the demand rows: the median is PostgreSQL's `percentile_cont(0.5)` of
 * the ages in seconds, in days rounded to 2 places.
 */
export async function countedOpenDemandAggregates(
  em: EntityManager,
  q: OpenDemandQuery,
): Promise<OpenDemandAggregates> {
  // Paths run root → self, so the child of the parent on a demand's path is at index depth + 1.
  const regionIndex = (q.region?.path.length ?? 0) + 1;
  const categoryIndex = (q.category?.path.length ?? 0) + 1;
  const params: unknown[] = [q.now];
  let where = `d.status = 'OPEN' and cardinality(d.region_path) >= ${regionIndex} and cardinality(d.category_path) >= ${categoryIndex}`;
  if (q.region) {
    where += ' and d.region_path @> array[?]::text[]';
    params.push(q.region.code);
  }
  if (q.category) {
    where += ' and d.category_path @> array[?]::text[]';
    params.push(q.category.code);
  }
  where += periodSql('d.created_at', q.from, q.to, params);
  const rows = await em.getConnection().execute<Row[]>(
    `select d.region_path[${regionIndex}] as region_code, d.category_path[${categoryIndex}] as category_code,
            count(*)::int as open_demands, sum(d.people_affected)::text as people,
            round((percentile_cont(0.5) within group (order by extract(epoch from (?::timestamptz - d.created_at))) / 86400)::numeric, 2)::float8 as median_days
       from demand d where ${where} group by 1, 2`,
    params,
    'all',
  );
  return toMap(rows);
}

/** Midnight UTC at or after `t` (the first whole day of a period starting at `t`). */
const dayCeil = (t: Date) => new Date(Math.ceil(t.getTime() / DAY_MS) * DAY_MS);
/** Midnight UTC at or before `t`. */
const dayFloor = (t: Date) => new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);

/**
 * The same aggregates from the rollup, in one statement (one snapshot, so exact while demands
 * change and while the deltas are compacted):
 *
 * 1. per cell and day, rollup rows + pending deltas for the whole UTC days inside the period, and the
 *    demand rows themselves for the partial days at its ends;
 * 2. counts and people are sums of those; the per-day counts are a histogram of creation times, which
 *    says on which day(s) the two middle demands of a cell (positions ⌊(n−1)/2⌋ and ⌊n/2⌋ in creation
 *    order) were created and at which offset of that day;
 * 3. those one or two demands are read from the OPEN (category, region, created_at) index, and their
 *    ages combined exactly as `percentile_cont(0.5)` does (`first + 0.5 × (second − first)` in
 *    float8, youngest first), so the median is the counted one to the last bit.
 */
export async function rolledUpOpenDemandAggregates(
  em: EntityManager,
  q: OpenDemandQuery,
): Promise<OpenDemandAggregates> {
  const params: unknown[] = [];
  const cellWhere = [
    q.region ? 'r.parent_code = ?' : 'r.parent_code is null',
    q.category ? 'c.parent_code = ?' : 'c.parent_code is null',
  ];
  if (q.region) params.push(q.region.code);
  if (q.category) params.push(q.category.code);

  // Whole days [first, last) from the rollup; the rest of the period from the rows.
  const first = q.from ? dayCeil(q.from) : null;
  const last = q.to ? dayFloor(q.to) : null;
  const wholeDays = !(first && last && first.getTime() >= last.getTime());
  const rowRanges: [Date | null, Date | null][] = [];
  if (!wholeDays) rowRanges.push([q.from ?? null, q.to ?? null]);
  else {
    if (q.from && first && q.from.getTime() < first.getTime()) rowRanges.push([q.from, first]);
    if (q.to && last && last.getTime() < q.to.getTime()) rowRanges.push([last, q.to]);
  }
  const dayParams: unknown[] = [];
  let dayWhere = '';
  if (first) {
    dayWhere += ' and o.day >= ?::date';
    dayParams.push(first.toISOString().slice(0, 10));
  }
  if (last) {
    dayWhere += ' and o.day < ?::date';
    dayParams.push(last.toISOString().slice(0, 10));
  }
  const parts: string[] = [];
  if (wholeDays) {
    for (const table of ['demand_open_rollup', 'demand_open_rollup_delta']) {
      parts.push(`select o.region_code, o.category_code, o.day, o.demands::bigint as demands, o.people::bigint as people
                    from ${table} o join cell on cell.region_code = o.region_code and cell.category_code = o.category_code
                   where true${dayWhere}`);
      params.push(...dayParams);
    }
  }
  for (const [start, end] of rowRanges) {
    parts.push(`select r as region_code, c as category_code, (d.created_at at time zone 'UTC')::date as day,
                       1::bigint as demands, d.people_affected::bigint as people
                  from demand d, unnest(d.region_path) r, unnest(d.category_path) c, cell
                 where d.status = 'OPEN' and cell.region_code = r and cell.category_code = c${periodSql('d.created_at', start, end, params)}`);
  }
  // The demands created in a day of a cell, within the period: where the middle ones are looked up.
  const windowStart = `greatest(m.day::timestamp at time zone 'UTC', ${q.from ? '?::timestamptz' : `'-infinity'::timestamptz`})`;
  const windowEnd = `least((m.day + 1)::timestamp at time zone 'UTC', ${q.to ? '?::timestamptz' : `'infinity'::timestamptz`})`;
  if (q.from) params.push(q.from);
  if (q.to) params.push(q.to);
  params.push(q.now);
  // A small report (few code pairs under its nodes) takes its medians from its OPEN rows instead.
  const regionSubtree = q.region ? 'x.path @> array[?]::text[]' : 'true';
  const categorySubtree = q.category ? 'x.path @> array[?]::text[]' : 'true';
  const subtreeParams = [...(q.region ? [q.region.code] : []), ...(q.category ? [q.category.code] : [])];
  const regionIndex = (q.region?.path.length ?? 0) + 1;
  const categoryIndex = (q.category?.path.length ?? 0) + 1;
  const rowMedianParams: unknown[] = [
    q.now,
    ...(q.category ? [q.category.code] : []),
    ...(q.region ? [q.region.code] : []),
  ];
  const rowMedianPeriod = periodSql('d.created_at', q.from, q.to, rowMedianParams);
  // Planning this statement costs PostgreSQL about as much as running it (~7 of ~15 ms at the
  // province level): prepared, it is planned once per pooled connection and shape.
  const rows = await executePrepared<Row>(
    em,
    'report_open_demands',
    `with report as (
       select (select count(*) from region x where ${regionSubtree})
            * (select count(*) from service_category x where ${categorySubtree}) <= ${SMALL_REPORT_CODE_PAIRS} as small
     ), cell as (
       select r.code as region_code, c.code as category_code
         from region r cross join service_category c where ${cellWhere.join(' and ')}
     ), day_counts as (
       select region_code, category_code, day, sum(demands)::bigint as n, sum(people)::bigint as people
         from (${parts.join(' union all ')}) x
        group by 1, 2, 3 having sum(demands) <> 0
     ), days as (
       select *, (sum(n) over (partition by region_code, category_code order by day))::bigint - n as before,
              (sum(n) over (partition by region_code, category_code))::bigint as total
         from day_counts
     ), middle_days as (
       select *, (total - 1) / 2 as lo, total / 2 as hi from days
        where not (select small from report) and before <= total / 2 and before + n > (total - 1) / 2
     ), middle as (
       select m.region_code, m.category_code, v.created_at
         from middle_days m cross join lateral (
           select d.created_at from demand d
            where d.status = 'OPEN'
              and d.category_code = any(array(select x.code from service_category x where x.path @> array[m.category_code]::text[]))
              and d.region_code = any(array(select x.code from region x where x.path @> array[m.region_code]::text[]))
              -- Not indexable on purpose (docs/architecture.md, "Report rollups"): at the province
              -- level the GIN path index returns every demand of history and the planner, estimating
              -- a generic parameter, would AND it with the OPEN index (1.2 s per cell at 1M demands).
              and (d.region_path || '{}'::text[]) @> array[m.region_code]::text[]
              and (d.category_path || '{}'::text[]) @> array[m.category_code]::text[]
              and d.created_at >= ${windowStart} and d.created_at < ${windowEnd}
            order by d.created_at
            offset greatest(m.lo - m.before, 0)
            limit least(m.hi, m.before + m.n - 1) - greatest(m.lo, m.before) + 1) v
     ), ages as (
       select region_code, category_code,
              extract(epoch from (?::timestamptz - max(created_at)))::float8 as youngest,
              extract(epoch from (?::timestamptz - min(created_at)))::float8 as oldest
         from middle group by 1, 2
     ), row_medians as (
       -- A small report's OPEN demands, a few hundred at most, through the OPEN (category, region)
       -- index: the median as countedOpenDemandAggregates computes it, without a lookup per cell.
       select d.region_path[${regionIndex}] as region_code, d.category_path[${categoryIndex}] as category_code,
              round((percentile_cont(0.5) within group (order by extract(epoch from (?::timestamptz - d.created_at))) / 86400)::numeric, 2)::float8 as median_days
         from demand d
        where (select small from report) and d.status = 'OPEN'
          and d.category_code = any(array(select x.code from service_category x where ${categorySubtree}))
          and d.region_code = any(array(select x.code from region x where ${regionSubtree}))
          and cardinality(d.region_path) >= ${regionIndex} and cardinality(d.category_path) >= ${categoryIndex}${rowMedianPeriod}
        group by 1, 2
     )
     select t.region_code, t.category_code, t.open_demands, t.people,
            coalesce(rm.median_days,
              round(((case when t.open_demands % 2 = 1 then a.youngest
                           else a.youngest + 0.5::float8 * (a.oldest - a.youngest) end) / 86400)::numeric, 2)::float8) as median_days
       from (select region_code, category_code, sum(n)::int as open_demands, sum(people)::text as people
               from day_counts group by 1, 2) t
       left join ages a using (region_code, category_code)
       left join row_medians rm using (region_code, category_code)`,
    [...subtreeParams, ...params, q.now, ...rowMedianParams],
  );
  return toMap(rows);
}
