/**
 * The report cache (docs/architecture.md, "Report cache"): report parts that do not depend on demand
 * history — the supply side of `supplyDemandGap`, the `awardFairness` ledger — kept per process and
 * per report (its nodes and period), and served only while nothing they read has changed.
 *
 * Exact without waiting for any event: statement-level triggers record in `report_source_change` the
 * id of every transaction that changes a table those parts read (migrations/Migration20261204030000.ts).
 * Before computing, the cache takes the database's snapshot; before serving, it asks in one statement
 * whether a transaction recorded there is visible now but was not in that snapshot. A change is
 * therefore seen by every process, this one or another, by the first report that starts after its
 * COMMIT, with no relay in between.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../core/db/pooled-query.js';

/** Reports kept per process; the least recently used is dropped beyond this. */
const MAX_ENTRIES = 256;

/** How long the pruning waits before dropping change rows below a horizon it saw (see {@link pruneReportSourceChanges}). */
export const REPORT_SOURCE_RETENTION_MINUTES = 10;

interface Entry {
  /** The snapshot (`pg_current_snapshot()` as text) taken before the value was computed. */
  snapshot: string;
  value: unknown;
}

/**
 * True when the value computed after snapshot `?` may be stale: a recorded transaction is visible
 * to this statement but was not to that snapshot, or the log was pruned past that snapshot's oldest
 * running transaction (its rows are gone). Rows from before the snapshot's xmin were committed (or
 * aborted) before it was taken; only the few newer ones are looked at, through the primary key.
 * The upper bound ignores ids from the future (a log restored from another cluster's dump).
 */
const CHANGED_SINCE = `(select h.pruned_below > pg_snapshot_xmin(s.snap) from report_source_horizon h where h.id = 1)
    or exists (select 1 from report_source_change c
                where c.xid >= pg_snapshot_xmin(s.snap) and c.xid < pg_snapshot_xmax(pg_current_snapshot())
                  and not pg_visible_in_snapshot(c.xid, s.snap))`;

/** A per-process cache of report parts, validated against the database at every read. */
export class ReportCache {
  private readonly entries = new Map<string, Entry>();

  /**
   * The value of `key`, computed by `compute` on the first read and again after any change to the
   * report sources committed since the snapshot it was computed after. One statement when cached.
   */
  async get<T>(em: EntityManager, key: string, compute: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    // Prepared: run by every cached report, its planning cost more than its index range scan.
    const [row] = await executePrepared<{ snapshot: string; changed: boolean | null }>(
      em,
      'report_cache',
      entry
        ? `select pg_current_snapshot()::text as snapshot, (${CHANGED_SINCE}) as changed
             from (select ?::pg_snapshot as snap) s`
        : 'select pg_current_snapshot()::text as snapshot, null as changed',
      entry ? [entry.snapshot] : [],
    );
    if (entry && row?.changed === false) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.value as T;
    }
    // The snapshot is taken before `compute` starts, so whatever `compute` reads is at least as new:
    // a change committed in between is in the value and still makes the next read recompute.
    const value = await compute();
    this.entries.delete(key);
    this.entries.set(key, { snapshot: row!.snapshot, value });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  /** The number of reports held (tests). */
  get size(): number {
    return this.entries.size;
  }
}

/**
 * Drops change rows that no cached value can still need, in two steps so no clock of any process
 * matters: each pass remembers the oldest running transaction (`next_below`), and a pass at least
 * {@link REPORT_SOURCE_RETENTION_MINUTES} later deletes the rows below it and raises the watermark
 * `pruned_below`. A cached value whose snapshot is older than the watermark is recomputed
 * ({@link ReportCache.get}), so pruning costs at most one recomputation per report every
 * retention period. Returns the rows deleted. Runs beside the rollup compaction.
 */
export async function pruneReportSourceChanges(em: EntityManager): Promise<number> {
  return em.fork().transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    // Ids above every transaction begun so far come from another cluster (a restored dump): they
    // can never match, and a watermark among them would keep every cached value from being used.
    await conn.execute(
      `with future as (
         delete from report_source_change where xid >= pg_snapshot_xmax(pg_current_snapshot()) returning 1
       )
       update report_source_horizon
          set pruned_below = pg_snapshot_xmin(pg_current_snapshot()),
              next_below = pg_snapshot_xmin(pg_current_snapshot()), next_at = now()
        where id = 1 and greatest(pruned_below, next_below) >= pg_snapshot_xmax(pg_current_snapshot())`,
      [],
      'run',
      ctx,
    );
    const [due] = await conn.execute<{ below: string }[]>(
      `update report_source_horizon
          set pruned_below = greatest(pruned_below, next_below),
              next_below = pg_snapshot_xmin(pg_current_snapshot()), next_at = now()
        where id = 1 and next_at <= now() - make_interval(mins => ?)
        returning pruned_below::text as below`,
      [REPORT_SOURCE_RETENTION_MINUTES],
      'all',
      ctx,
    );
    if (!due) return 0;
    const [deleted] = await conn.execute<{ rows: number }[]>(
      `with gone as (delete from report_source_change where xid < ?::xid8 returning 1)
       select count(*)::int as rows from gone`,
      [due.below],
      'all',
      ctx,
    );
    return deleted?.rows ?? 0;
  });
}
