import type { Context } from '../../core/context.js';
import { FairnessFlagKind } from '../projects/fairness.enums.js';
import { ProjectFairnessFlag } from '../projects/fairness-flag.entity.js';
import { periodSql } from './report.service.js';
import type { AwardFairness } from './report.types.js';
import { FAIRNESS_FLAGS_LISTED, type FairnessFlagsReport } from './fairness-flags-report.types.js';

/**
 * `awardFairness.flags`: the fairness flags of the ledger's own projects (non-draft, published in
 * [from, to), of its publisher and in its region's subtree when given), counted in one grouped
 * statement, with the most recent listed.
 */
export class FairnessFlagReportService {
  async flags(
    ctx: Context,
    report: Pick<AwardFairness, 'publisher' | 'region' | 'from' | 'to'>,
  ): Promise<FairnessFlagsReport> {
    const params: unknown[] = [];
    let projectWhere = `p.status <> 'DRAFT'`;
    if (report.publisher) {
      projectWhere += ' and p.publisher_id = ?';
      params.push(report.publisher.id);
    }
    if (report.region) {
      projectWhere += ' and p.region_paths @> array[?]::text[]';
      params.push(report.region.code);
    }
    projectWhere += periodSql('p.published_at', report, params);
    const rows = await ctx.em
      .getConnection()
      .execute<{ kind: FairnessFlagKind | null; flags: number; projects: number; recent: string[] | null }[]>(
        `with f as (select f.id, f.kind, f.project_id from project_fairness_flag f
                    join project p on p.id = f.project_id where ${projectWhere})
       select kind, count(*)::int as flags, count(distinct project_id)::int as projects, null::text[] as recent
         from f group by grouping sets ((kind), ())
       union all
       select null, 0, 0, array(select id::text from f order by id desc limit ${FAIRNESS_FLAGS_LISTED})`,
        params,
        'all',
      );
    const totals = rows.find((r) => r.kind === null && r.recent === null);
    const recentIds = (rows.find((r) => r.recent !== null)?.recent ?? []).map(Number);
    const recent = recentIds.length
      ? await ctx.em.find(ProjectFairnessFlag, { id: { $in: recentIds } }, { orderBy: { id: 'desc' } })
      : [];
    return {
      total: totals?.flags ?? 0,
      projectsFlagged: totals?.projects ?? 0,
      byKind: Object.values(FairnessFlagKind).map((kind) => {
        const row = rows.find((r) => r.kind === kind);
        return { kind, flags: row?.flags ?? 0, projects: row?.projects ?? 0 };
      }),
      recent,
    };
  }
}
