import type { Context } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ForbiddenError } from '../../core/errors.js';
import { toGlobalId } from '../../core/relay/global-id.js';
import { Role } from '../../core/roles.js';
import { viewerFactsOf } from '../organizations/viewer-facts.js';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { moneyTotal, ORPHAN_DAYS_DEFAULT } from './report.types.js';
import {
  SUGGESTED_DEMANDS_MAX,
  type SuggestedProject,
  type SuggestedProjects,
  type SuggestedProjectsArgs,
} from './suggested-projects.types.js';

const DAY_MS = 86_400_000;

/** Statuses in which a project has been awarded: its cost per person served is known. */
const COMPARABLE_STATUSES = ['AWARDED', 'IN_PROGRESS', 'COMPLETED'];
/** A demand in a project of these statuses is already being bought (`createProjectFromDemands`). */
const LIVE_TENDER_STATUSES = ['DRAFT', 'PUBLISHED', 'EVALUATING'];

/**
 * Suggested projects from unmet demand (docs/domain.md, "Suggested projects"): the orphan demands of
 * `orphanDemands`, grouped per child region × category, each group with a budget from the awarded cost
 * per person served of comparable past projects. Two SQL statements: the groups, then the comparable
 * projects of every group.
 */
export class SuggestedProjectsService {
  async suggest(ctx: Context, args: SuggestedProjectsArgs): Promise<SuggestedProjects> {
    const viewer = requireViewer(ctx.viewer);
    const isAdmin = viewer.roles.has(Role.ADMIN);
    const scope = viewerFactsOf(viewer).unionScope;
    if (!isAdmin && scope === null)
      throw new ForbiddenError('Only union staff with a region scope and admins see suggested projects.');
    const regionCode = args.regionCode ?? (isAdmin ? null : scope);
    const [region, category] = await Promise.all([
      regionCode ? ctx.em.findOne(Region, { code: regionCode }) : null,
      args.categoryCode ? ctx.em.findOne(ServiceCategory, { code: args.categoryCode }) : null,
    ]);
    if (regionCode && !region)
      throw BadUserInputError.field('regionCode', `region ${regionCode} does not exist`);
    if (args.categoryCode && !category)
      throw BadUserInputError.field('categoryCode', `service category ${args.categoryCode} does not exist`);
    if (!isAdmin && !region!.path.includes(scope!))
      throw new ForbiddenError(`Region ${region!.code} is outside your union's region scope.`, {
        regionCode: region!.code,
      });

    const now = new Date();
    const days = args.olderThanDays ?? ORPHAN_DAYS_DEFAULT;
    // Paths run root → self: the child of the region on a demand's path is at index depth + 1; a
    // demand of the region itself (no child there) is grouped under the region.
    const childIndex = (region?.path.length ?? 0) + 1;
    const params: unknown[] = [now, new Date(now.getTime() - days * DAY_MS), ...LIVE_TENDER_STATUSES];
    let where = '';
    if (region) {
      where += ' and d.region_path @> array[?]::text[]';
      params.push(region.code);
    }
    if (category) {
      where += ' and d.category_path @> array[?]::text[]';
      params.push(category.code);
    }
    const conn = ctx.em.getConnection();
    const groups = await conn.execute<
      {
        region_code: string;
        category_code: string;
        demands: number;
        people: number;
        endorsements: number;
        oldest_days: number;
        median_days: number;
        demand_ids: string[];
      }[]
    >(
      `with o as (
         select d.id, coalesce(d.region_path[${childIndex}], d.region_code) as region_code, d.category_code,
                d.people_affected, d.endorsement_count, d.created_at,
                extract(epoch from (?::timestamptz - d.created_at)) / 86400 as age_days
           from demand d
          where d.status = 'OPEN' and d.claimed_by_id is null and d.created_at <= ?
            and not exists (select 1 from project_demand pd join project p on p.id = pd.project_id
                             where pd.demand_id = d.id and p.status in (?, ?, ?))${where}
       )
       select region_code, category_code, count(*)::int as demands, sum(people_affected)::int as people,
              sum(endorsement_count)::int as endorsements,
              round(max(age_days)::numeric, 2)::float8 as oldest_days,
              round((percentile_cont(0.5) within group (order by age_days))::numeric, 2)::float8 as median_days,
              (array_agg(id::text order by created_at, id))[1:${SUGGESTED_DEMANDS_MAX}] as demand_ids
         from o group by region_code, category_code
        order by people desc, oldest_days desc, region_code, category_code`,
      params,
      'all',
    );
    const suggestions: SuggestedProject[] = [];
    if (groups.length) {
      const [bases, regions, categories] = await Promise.all([
        this.comparableProjects(ctx, groups),
        ctx.em.find(Region, { code: { $in: [...new Set(groups.map((g) => g.region_code))] } }),
        ctx.em.find(ServiceCategory, { code: { $in: [...new Set(groups.map((g) => g.category_code))] } }),
      ]);
      const regionOf = new Map(regions.map((r) => [r.code, r]));
      const categoryOf = new Map(categories.map((c) => [c.code, c]));
      for (const g of groups) {
        const basis = bases.get(`${g.region_code}|${g.category_code}`);
        const costPerPersonFen = basis ? roundedQuotient(basis.awardedFen, BigInt(basis.people)) : null;
        suggestions.push({
          region: regionOf.get(g.region_code)!,
          category: categoryOf.get(g.category_code)!,
          demandCount: g.demands,
          demandIds: g.demand_ids.map((id) => toGlobalId('Demand', id)),
          peopleAffected: g.people,
          endorsements: g.endorsements,
          oldestWaitDays: g.oldest_days,
          medianWaitDays: g.median_days,
          suggestedBudget: costPerPersonFen !== null ? moneyTotal(costPerPersonFen * BigInt(g.people)) : null,
          budgetBasis:
            basis && costPerPersonFen !== null
              ? {
                  comparableProjects: basis.projects,
                  totalAwarded: moneyTotal(basis.awardedFen),
                  peopleServed: basis.people,
                  costPerPerson: moneyTotal(costPerPersonFen),
                }
              : null,
          budgetUnavailableReason: basis
            ? null
            : `No AWARDED, IN_PROGRESS or COMPLETED project made from workers’ demands in category ${g.category_code} for region ${g.region_code} or its parent: no cost per person served to go by.`,
        });
      }
    }
    return { region, category, olderThanDays: days, generatedAt: now, suggestions };
  }

  /**
   * Per group, the comparable past projects: same category, one of their regions the group's region
   * or its parent, awarded (AWARDED, IN_PROGRESS, COMPLETED), made from demands with people affected.
   * Their money awarded and the people affected by their linked demands (as of now).
   */
  private async comparableProjects(
    ctx: Context,
    groups: readonly { region_code: string; category_code: string }[],
  ): Promise<Map<string, { projects: number; awardedFen: bigint; people: number }>> {
    const list = groups.map(() => '?').join(', ');
    const rows = await ctx.em.getConnection().execute<
      {
        region_code: string;
        category_code: string;
        projects: number;
        awarded_fen: string;
        people: number;
      }[]
    >(
      `with cell as (select * from unnest(array[${list}]::text[], array[${list}]::text[]) as c(region_code, category_code)),
       served as (
         select cell.region_code, cell.category_code, p.id,
                (select coalesce(sum(a.awarded_fen), 0) from project_application a
                  where a.project_id = p.id and a.status = 'AWARDED') as awarded_fen,
                (select coalesce(sum(d.people_affected), 0) from project_demand pd join demand d on d.id = pd.demand_id
                  where pd.project_id = p.id) as people
           from cell join region r on r.code = cell.region_code
           join project p on p.category_code = cell.category_code
            and p.status in (${COMPARABLE_STATUSES.map(() => '?').join(', ')})
            and p.region_codes && array_remove(array[r.code, r.parent_code]::text[], null)
       )
       select region_code, category_code, count(*)::int as projects, sum(awarded_fen)::text as awarded_fen,
              sum(people)::int as people
         from served where people > 0 group by region_code, category_code`,
      [...groups.map((g) => g.region_code), ...groups.map((g) => g.category_code), ...COMPARABLE_STATUSES],
      'all',
    );
    return new Map(
      rows.map((r) => [
        `${r.region_code}|${r.category_code}`,
        { projects: r.projects, awardedFen: BigInt(r.awarded_fen), people: r.people },
      ]),
    );
  }
}

/** a ÷ b rounded to the nearest integer, halves up (a, b ≥ 0, b > 0). */
function roundedQuotient(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}
