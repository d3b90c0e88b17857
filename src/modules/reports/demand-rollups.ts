/**
 * Upkeep of the report rollups (docs/architecture.md, "Report rollups"): the `demand` trigger inserts
 * signed delta rows in the transaction of every change; {@link compactDemandRollups} folds them into
 * `demand_open_rollup` (one process at a time, every few seconds); {@link demandRollupDifferences}
 * and {@link rebuildDemandRollups} are `npm run reports:check` and `npm run reports:rebuild`.
 *
 * @module
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { pgTextArray } from '../../core/events/outbox.js';
import { pruneReportSourceChanges } from './report-cache.js';

/** Advisory lock held by the compaction and the rebuild (an arbitrary constant, unique to this use). */
export const ROLLUP_LOCK_KEY = 4_826_131;

/** A demand's cells and day as rows: every node of its region path × every node of its category path. */
const OPEN_DEMAND_CELLS = `select r as region_code, c as category_code, (d.created_at at time zone 'UTC')::date as day,
         count(*)::bigint as demands, sum(d.people_affected)::bigint as people
    from demand d, unnest(d.region_path) r, unnest(d.category_path) c
   where d.status = 'OPEN' group by 1, 2, 3`;

/**
 * Folds every committed delta into the rollup and deletes it, in one transaction: a report's single
 * statement sees either the deltas or their sum, never both nor neither. Skipped (returns null) while
 * another process compacts or rebuilds. Returns the number of deltas folded.
 */
export async function compactDemandRollups(em: EntityManager): Promise<number | null> {
  return em.fork().transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    const [lock] = await conn.execute<{ locked: boolean }[]>(
      'select pg_try_advisory_xact_lock(?) as locked',
      [ROLLUP_LOCK_KEY],
      'all',
      ctx,
    );
    if (!lock?.locked) return null;
    const [moved] = await conn.execute<{ deltas: number; emptied: string[][] }[]>(
      `with moved as (
         delete from demand_open_rollup_delta
         returning region_code, category_code, day, demands, people
       ), folded as (
         select region_code, category_code, day, sum(demands)::int as demands, sum(people)::bigint as people,
                count(*)::int as n
           from moved group by 1, 2, 3
       ), upserted as (
         insert into demand_open_rollup as o (region_code, category_code, day, demands, people)
         select region_code, category_code, day, demands, people from folded
          where demands <> 0 or people <> 0
         on conflict (region_code, category_code, day) do update
           set demands = o.demands + excluded.demands, people = o.people + excluded.people
         returning o.region_code, o.category_code, o.day, o.demands, o.people
       )
       select (select coalesce(sum(n), 0)::int from folded) as deltas,
              coalesce((select array_agg(array[region_code, category_code, day::text]) from upserted
                         where demands = 0 and people = 0), '{}') as emptied`,
      [],
      'all',
      ctx,
    );
    const emptied = moved?.emptied ?? [];
    // Cell-days whose demands all left keep no row (the rollup stays as small as the open window).
    if (emptied.length > 0)
      await conn.execute(
        `delete from demand_open_rollup o
          using unnest(?::text[], ?::text[], ?::date[]) as e(region_code, category_code, day)
          where o.region_code = e.region_code and o.category_code = e.category_code and o.day = e.day
            and o.demands = 0 and o.people = 0`,
        [emptied.map((e) => e[0]!), emptied.map((e) => e[1]!), emptied.map((e) => e[2]!)].map(pgTextArray),
        'run',
        ctx,
      );
    return moved?.deltas ?? 0;
  });
}

/** A cell-day where the rollup (with its pending deltas) and a recount of the demands disagree. */
export interface RollupDifference {
  regionCode: string;
  categoryCode: string;
  day: string;
  rolledUp: { demands: number; people: number };
  recounted: { demands: number; people: number };
}

/**
 * Every cell-day where rollup + pending deltas differ from a recount of the OPEN demands, in one
 * statement (one snapshot: exact while demands change). Empty when the rollup is right.
 */
export async function demandRollupDifferences(em: EntityManager): Promise<RollupDifference[]> {
  const rows = await em.getConnection().execute<
    {
      region_code: string;
      category_code: string;
      day: string;
      rolled_demands: string;
      rolled_people: string;
      counted_demands: string;
      counted_people: string;
    }[]
  >(
    `with rolled as (
       select region_code, category_code, day, sum(demands)::bigint as demands, sum(people)::bigint as people
         from (select region_code, category_code, day, demands, people from demand_open_rollup
               union all
               select region_code, category_code, day, demands, people from demand_open_rollup_delta) x
        group by 1, 2, 3
     ), counted as (${OPEN_DEMAND_CELLS})
     select region_code, category_code, day::text as day,
            coalesce(r.demands, 0)::text as rolled_demands, coalesce(r.people, 0)::text as rolled_people,
            coalesce(c.demands, 0)::text as counted_demands, coalesce(c.people, 0)::text as counted_people
       from rolled r full join counted c using (region_code, category_code, day)
      where coalesce(r.demands, 0) <> coalesce(c.demands, 0) or coalesce(r.people, 0) <> coalesce(c.people, 0)
      order by 1, 2, 3`,
    [],
    'all',
  );
  return rows.map((r) => ({
    regionCode: r.region_code,
    categoryCode: r.category_code,
    day: r.day,
    rolledUp: { demands: Number(r.rolled_demands), people: Number(r.rolled_people) },
    recounted: { demands: Number(r.counted_demands), people: Number(r.counted_people) },
  }));
}

/** One difference as `reports:check` prints it. */
export function describeRollupDifference(d: RollupDifference): string {
  return (
    `${d.regionCode} × ${d.categoryCode} ${d.day}: rollup ${d.rolledUp.demands} demands, ${d.rolledUp.people} people; ` +
    `recount ${d.recounted.demands} demands, ${d.recounted.people} people`
  );
}

/**
 * The statements of {@link rebuildDemandRollups}, for one transaction: demand writes are held off
 * (SHARE lock) so the recount and the emptied delta table describe the same moment, and a compaction
 * in progress is waited for.
 */
export const DEMAND_ROLLUP_REBUILD: readonly string[] = [
  `select pg_advisory_xact_lock(${ROLLUP_LOCK_KEY})`,
  'lock table demand in share mode',
  'delete from demand_open_rollup_delta',
  'delete from demand_open_rollup',
  `insert into demand_open_rollup (region_code, category_code, day, demands, people) ${OPEN_DEMAND_CELLS}`,
];

/** Recounts the rollup from the demands in one transaction. Returns the number of cell-days written. */
export async function rebuildDemandRollups(em: EntityManager): Promise<number> {
  return em.fork().transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    for (const sql of DEMAND_ROLLUP_REBUILD) await conn.execute(sql, [], 'run', ctx);
    const [row] = await conn.execute<{ cells: number }[]>(
      'select count(*)::int as cells from demand_open_rollup',
      [],
      'all',
      ctx,
    );
    return row?.cells ?? 0;
  });
}

/**
 * Compacts every `intervalSeconds` (REPORT_ROLLUP_COMPACTION_SECONDS; 0: never) on the process
 * running the background jobs; the
 * advisory lock keeps a second process (another hub on the same database) from compacting at the
 * same time. The same tick prunes the report cache's change log (report-cache.ts; docs/architecture.md,
 * "Report cache"). Returns the function that stops the timer and waits for a run in progress.
 */
export function startRollupCompaction(
  orm: MikroORM,
  log: Pick<Logger, 'error'>,
  intervalSeconds: number,
): () => Promise<void> {
  if (intervalSeconds <= 0) return async () => {};
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = Promise.all([
      compactDemandRollups(orm.em).catch((err: unknown) => log.error({ err }, 'rollup compaction failed')),
      pruneReportSourceChanges(orm.em).catch((err: unknown) =>
        log.error({ err }, 'report cache log pruning failed'),
      ),
    ]).finally(() => (running = null));
  }, intervalSeconds * 1000);
  timer.unref(); // never keeps the process alive on its own
  return async () => {
    clearInterval(timer);
    await running;
  };
}
