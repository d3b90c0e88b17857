import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import type { Context } from '../../core/context.js';
import { BadUserInputError } from '../../core/errors.js';
import { checkCursors, pageFromCursor, pageOptions, type Page } from '../../core/relay/connection.js';
import { parseIdOf, toGlobalId } from '../../core/relay/global-id.js';
import { Role } from '../../core/roles.js';
import { viewerFactsOf } from '../organizations/viewer-facts.js';
import type { Region } from '../regions/region.entity.js';
import type { ServiceCategory } from '../categories/service-category.entity.js';
import { FoundingType, VerificationStatus } from '../organizations/organization.enums.js';
import { Demand } from '../demands/demand.entity.js';
import { DemandStatus } from '../demands/demand.enums.js';
import { Publisher } from '../projects/publisher.entity.js';
import {
  fairnessByFoundingType,
  gapScore,
  herfindahlFromSums,
  isSuppressed,
  ratio,
  SUPPRESSION_THRESHOLD,
  type FoundingTypeAggregate,
} from './statistics.js';
import { rolledUpOpenDemandAggregates } from './open-demand-aggregates.js';
import { ReportCache } from './report-cache.js';
import type { ReferenceCache } from '../reference/reference-cache.js';
import type { ReadRecord } from '../../core/read-records.js';
import { AwardFairnessNames } from './award-fairness-names.js';
import {
  moneyTotal,
  ORPHAN_DAYS_DEFAULT,
  type AwardFairness,
  type OrphanDemandsArgs,
  type FoundingTypeFairnessRow,
  type PublisherFigures,
  type RepeatWinnerFigures,
  type SupplyDemandCell,
  type SupplyDemandGap,
} from './report.types.js';

const DAY_MS = 86_400_000;
/** Repeat winners listed per publisher. */
const REPEAT_WINNERS_MAX = 20;

/** The report period: both ends optional, `to` exclusive. */
export interface Period {
  from?: Date | null;
  to?: Date | null;
}

/** Arguments of `supplyDemandGap`. */
export interface GapArgs extends Period {
  regionCode?: string | null;
  categoryCode?: string | null;
}

/** Arguments of `awardFairness`. */
export interface FairnessArgs extends Period {
  publisherId?: string | null;
  regionCode?: string | null;
}

/**
 * Codes a column may overlap to "reach" a node of a tree: the node's path (itself and its ancestors:
 * serving a city serves its districts) and its descendants (serving part of it). The SQL twin of the
 * directory's `organizationStats` rule.
 */
const reachOf = (table: 'region' | 'service_category', alias: string) =>
  `(${alias}.path || array(select x.code::text from ${table} x where x.path @> array[${alias}.code]::text[]))`;

/**
 * The transparency reports. Every number is a SQL aggregate over index-backed filters or over the
 * report rollups kept by the `demand` trigger (docs/architecture.md, "Report rollups"); JavaScript
 * only lays the aggregates out in cells and applies the formulas of `statistics.ts`.
 */
export class ReportService {
  /**
   * The supply side and the fairness ledger per report, served while nothing they read has changed
   * (docs/architecture.md, "Report cache"): their cost no longer grows with projects and history.
   */
  private readonly cache = new ReportCache();

  constructor(private readonly reference: ReferenceCache) {}

  /** Union staff, government staff and admins see small cells; everyone else sees them suppressed. */
  seesSmallCells(ctx: Pick<Context, 'viewer'>): boolean {
    const roles = ctx.viewer?.roles;
    return roles !== undefined && [Role.UNION_STAFF, Role.GOV_STAFF, Role.ADMIN].some((r) => roles.has(r));
  }

  /**
   * The supply–demand gap by child region × child category (two SQL statements besides loading the
   * two lists of children: the open-demand aggregates of every cell, read from the report rollups
   * (open-demand-aggregates.ts), and the supply and money of every cell).
   */
  async supplyDemandGap(ctx: Context, args: GapArgs): Promise<SupplyDemandGap> {
    assertPeriod(args);
    // The nodes and their children from the process's reference snapshot (reference-cache.ts), in
    // the order the entities' `children` have: regions by code, categories by sort order.
    const { regions: regionTree, categories: categoryTree } = this.reference;
    const [region, category] = await Promise.all([
      args.regionCode ? this.requireRegion(ctx.em, args.regionCode, 'regionCode') : null,
      args.categoryCode ? this.requireCategory(ctx.em, args.categoryCode, 'categoryCode') : null,
    ]);
    const [regions, categories] = await Promise.all([
      region ? regionTree.childrenOf(ctx.em, region) : regionTree.roots(ctx.em),
      category ? categoryTree.childrenOf(ctx.em, category) : categoryTree.roots(ctx.em),
    ]);
    const now = new Date();
    const [demand, supply] = await Promise.all([
      rolledUpOpenDemandAggregates(ctx.em, { region, category, from: args.from, to: args.to, now }),
      this.cache.get(ctx.em, cacheKey('supply', region?.code, category?.code, args.from, args.to), () =>
        this.supplyAggregates(ctx.em, region, category, args),
      ),
    ]);
    const staff = this.seesSmallCells(ctx);
    const cells: SupplyDemandCell[] = [];
    for (const r of regions) {
      for (const c of categories) {
        const key = `${r.code}|${c.code}`;
        const d = demand.get(key);
        const s = supply.get(key);
        const open = d?.open ?? 0;
        const people = d?.people ?? 0;
        const capacity = s?.capacity ?? 0;
        const suppressed = isSuppressed(open, staff);
        cells.push({
          region: r,
          category: c,
          suppressed,
          openDemands: suppressed ? null : open,
          peopleAffected: suppressed ? null : people,
          medianOpenAgeDays: suppressed || d === undefined ? null : d.medianDays,
          servingOrganizations: s?.organizations ?? 0,
          monthlyCapacity: capacity,
          awarded: moneyTotal(s?.awardedFen ?? '0'),
          gapScore: suppressed ? null : gapScore(people, capacity),
        });
      }
    }
    return {
      region,
      category,
      from: args.from ?? null,
      to: args.to ?? null,
      generatedAt: now,
      suppressionThreshold: SUPPRESSION_THRESHOLD,
      cells,
      regionCode: region?.code ?? null,
      categoryCode: category?.code ?? null,
    };
  }

  /**
   * The suggested purchase list (职工点单、工会买单): OPEN demands in the report's region and category
   * subtrees that have waited at least `olderThanDays` with no claim, oldest first, for union staff
   * (inside their own region scope) and admins; null for everyone else. The ids feed
   * `createProjectFromDemands`.
   */
  async orphanDemands(
    ctx: Context,
    report: Pick<SupplyDemandGap, 'regionCode' | 'categoryCode'>,
    args: OrphanDemandsArgs,
  ): Promise<Page<Demand> | null> {
    const viewer = ctx.viewer;
    if (!viewer) return null;
    const isAdmin = viewer.roles.has(Role.ADMIN);
    const scope = viewerFactsOf(viewer).unionScope;
    if (!isAdmin && scope === null) return null;
    const days = args.olderThanDays ?? ORPHAN_DAYS_DEFAULT;
    const and: FilterQuery<Demand>[] = [
      { status: DemandStatus.OPEN, claimedBy: null },
      { createdAt: { $lte: new Date(Date.now() - days * DAY_MS) } },
    ];
    if (report.regionCode) and.push({ regionPath: { $contains: [report.regionCode] } });
    if (report.categoryCode) and.push({ categoryPath: { $contains: [report.categoryCode] } });
    if (!isAdmin && scope !== null) and.push({ regionPath: { $contains: [scope] } });
    const where: FilterQuery<Demand> = { $and: and };
    checkCursors(args, ['timestamp', 'id']);
    const cursor = await ctx.em.findByCursor(Demand, where, {
      ...pageOptions(args),
      orderBy: { createdAt: 'asc', id: 'asc' },
      includeCount: false,
    });
    return pageFromCursor(cursor, () => ctx.em.count(Demand, where));
  }

  /** Per cell: verified organizations serving it, their active services' capacity, money awarded. */
  private async supplyAggregates(
    em: EntityManager,
    region: { code: string } | null,
    category: { code: string } | null,
    period: Period,
  ): Promise<Map<string, { organizations: number; capacity: number; awardedFen: string }>> {
    // Parameters in the order their placeholders appear: the parents (in `cell`), then the period.
    const params: unknown[] = [];
    const regionParent = region ? 'r.parent_code = ?' : 'r.parent_code is null';
    const categoryParent = category ? 'c.parent_code = ?' : 'c.parent_code is null';
    if (region) params.push(region.code);
    if (category) params.push(category.code);
    const awardPeriod = periodSql('p.awarded_at', period, params);
    const rows = await em.getConnection().execute<
      {
        region_code: string;
        category_code: string;
        organizations: number;
        capacity: string;
        awarded_fen: string;
      }[]
    >(
      `with cell as (
         select r.code as region_code, ${reachOf('region', 'r')} as region_reach,
                c.code as category_code, ${reachOf('service_category', 'c')} as category_reach
           from region r cross join service_category c
          where ${regionParent} and ${categoryParent}
       )
       select cell.region_code, cell.category_code,
              (select count(*)::int from organization o
                where o.verification_status = 'VERIFIED'
                  and o.region_codes && cell.region_reach and o.category_codes && cell.category_reach) as organizations,
              (select coalesce(sum(s.monthly_capacity), 0)::text from service s
                 join organization o on o.id = s.organization_id
                where o.verification_status = 'VERIFIED' and s.status = 'ACTIVE'
                  and s.region_codes && cell.region_reach and s.category_codes && cell.category_reach) as capacity,
              (select coalesce(sum(a.awarded_fen), 0)::text from project p
                 join project_application a on a.project_id = p.id and a.status = 'AWARDED'
                where p.region_paths @> array[cell.region_code]::text[]
                  and p.category_path @> array[cell.category_code]::text[]${awardPeriod}) as awarded_fen
         from cell`,
      params,
      'all',
    );
    return new Map(
      rows.map((r) => [
        `${r.region_code}|${r.category_code}`,
        { organizations: r.organizations, capacity: Number(r.capacity), awardedFen: r.awarded_fen },
      ]),
    );
  }

  /** The award fairness ledger (four grouped SQL statements over the same set of projects). */
  async awardFairness(ctx: Context, args: FairnessArgs): Promise<AwardFairness> {
    assertPeriod(args);
    const publisherId = args.publisherId ? parseIdOf('Publisher', args.publisherId, 'publisherId') : null;
    const [publisher, region] = await Promise.all([
      publisherId !== null ? ctx.em.findOne(Publisher, { id: publisherId }) : null,
      args.regionCode ? this.requireRegion(ctx.em, args.regionCode, 'regionCode') : null,
    ]);
    if (publisherId !== null && !publisher) throw BadUserInputError.field('publisherId', 'no such publisher');

    // The figures are derived from the ledger once, and cached with it (same key, same validation):
    // a cached report rebuilds nothing that grows with its projects (docs/architecture.md, "Report cache").
    const figures = await this.cache.get(
      ctx.em,
      cacheKey('fairness', publisherId, region?.code, args.from, args.to),
      async () => this.fairnessFigures(await this.fairnessLedger(ctx.em, publisherId, region, args)),
    );
    // Names are not part of the cache: read per request, when selected (award-fairness-names.ts).
    const names = new AwardFairnessNames(ctx.em, figures.publisherIds, figures.winnerIds);
    return {
      publisher,
      region,
      from: args.from ?? null,
      to: args.to ?? null,
      projects: figures.projects,
      byFoundingType: figures.byFoundingType,
      publishers: figures.publishers.map((row) => ({ ...row, names })),
    };
  }

  /**
   * What an `awardFairness` answer says, from the ledger's grouped rows: everything but names, frozen
   * since every request that finds it in the cache shares it.
   */
  private fairnessFigures({
    byType,
    eligible,
    perPublisher,
    money,
    repeat,
  }: Awaited<ReturnType<ReportService['fairnessLedger']>>): FairnessFigures {
    const eligibleOf = new Map(eligible.map((r) => [r.founding_type, r.n]));
    const aggregates: FoundingTypeAggregate[] = Object.values(FoundingType).map((foundingType) => {
      const row = byType.find((r) => r.founding_type === foundingType);
      return {
        foundingType,
        eligibleOrganizations: eligibleOf.get(foundingType) ?? 0,
        applicants: row?.applicants ?? 0,
        applications: row?.applications ?? 0,
        awards: row?.awards ?? 0,
        awardedFen: Number(row?.awarded_fen ?? 0),
      };
    });
    const repeatOf = new Map<number, RepeatWinnerFigures[]>();
    for (const r of repeat) {
      const id = Number(r.publisher_id);
      const winners = repeatOf.get(id) ?? [];
      winners.push(
        Object.freeze({
          organizationId: toGlobalId('Organization', r.organization_id),
          organizationKey: Number(r.organization_id),
          awards: r.awards,
          awarded: Object.freeze(moneyTotal(r.money)),
        }),
      );
      repeatOf.set(id, winners);
    }
    const moneyOf = new Map(money.map((r) => [Number(r.publisher_id), r]));
    const publishers = perPublisher.map((row) => {
      const id = Number(row.publisher_id);
      const m = moneyOf.get(id);
      return Object.freeze({
        publisherKey: id,
        projects: row.projects,
        projectsWithApplications: row.with_applications,
        singleApplicantProjects: row.single_applicant,
        singleApplicantRate: ratio(row.single_applicant, row.with_applications),
        awarded: Object.freeze(moneyTotal(m?.total ?? '0')),
        herfindahlIndex: m ? herfindahlFromSums(m.sum_sq, m.total) : null,
        repeatWinnerFigures: Object.freeze(repeatOf.get(id) ?? []),
      });
    });
    return Object.freeze({
      projects: perPublisher.reduce((s, r) => s + r.projects, 0),
      byFoundingType: Object.freeze(
        fairnessByFoundingType(aggregates).map((r) =>
          Object.freeze({ ...r, awarded: Object.freeze(moneyTotal(r.awardedFen)) }),
        ),
      ),
      publishers: Object.freeze(publishers),
      publisherIds: Object.freeze(publishers.map((p) => p.publisherKey)),
      winnerIds: Object.freeze([...new Set(repeat.map((r) => Number(r.organization_id)))]),
    });
  }

  /**
   * The ledger's grouped rows: per founding type, eligible organizations, per publisher, money per
   * publisher and repeat winners, over the projects of the report (five statements).
   */
  private async fairnessLedger(
    em: EntityManager,
    publisherId: number | null,
    region: { code: string } | null,
    args: Period,
  ) {
    // The projects of the report, and their live (not withdrawn) applications with founding types.
    const params: unknown[] = [];
    let projectWhere = `p.status <> 'DRAFT'`;
    if (publisherId !== null) {
      projectWhere += ' and p.publisher_id = ?';
      params.push(publisherId);
    }
    if (region) {
      projectWhere += ' and p.region_paths @> array[?]::text[]';
      params.push(region.code);
    }
    projectWhere += periodSql('p.published_at', args, params);
    const base = `with rp as (select p.id, p.publisher_id from project p where ${projectWhere}),
      ra as (select a.project_id, rp.publisher_id, a.organization_id, a.status, a.awarded_fen, o.founding_type
               from project_application a join rp on rp.id = a.project_id
               join organization o on o.id = a.organization_id
              where a.status <> 'WITHDRAWN')`;
    const conn = em.getConnection();

    const eligibleParams: unknown[] = [];
    let eligibleWhere = `o.verification_status = '${VerificationStatus.VERIFIED}'`;
    if (region) {
      eligibleWhere += ` and o.region_codes && (select ${reachOf('region', 'r')} from region r where r.code = ?)`;
      eligibleParams.push(region.code);
    }

    const [byType, eligible, perPublisher, money, repeat] = await Promise.all([
      conn.execute<
        {
          founding_type: FoundingType;
          applicants: number;
          applications: number;
          awards: number;
          awarded_fen: string;
        }[]
      >(
        `${base} select founding_type, count(distinct organization_id)::int as applicants, count(*)::int as applications,
                count(*) filter (where status = 'AWARDED')::int as awards,
                coalesce(sum(awarded_fen) filter (where status = 'AWARDED'), 0)::text as awarded_fen
           from ra group by founding_type`,
        params,
        'all',
      ),
      conn.execute<{ founding_type: FoundingType; n: number }[]>(
        `select o.founding_type, count(*)::int as n from organization o where ${eligibleWhere} group by o.founding_type`,
        eligibleParams,
        'all',
      ),
      conn.execute<
        { publisher_id: string; projects: number; with_applications: number; single_applicant: number }[]
      >(
        `${base}, pp as (select project_id, count(distinct organization_id) as applicants from ra group by project_id)
         select rp.publisher_id, count(*)::int as projects,
                count(pp.project_id)::int as with_applications,
                count(*) filter (where pp.applicants = 1)::int as single_applicant
           from rp left join pp on pp.project_id = rp.id group by rp.publisher_id order by rp.publisher_id`,
        params,
        'all',
      ),
      conn.execute<{ publisher_id: string; total: string; sum_sq: string }[]>(
        `${base}, po as (select publisher_id, organization_id, sum(awarded_fen)::numeric as m
                           from ra where status = 'AWARDED' group by publisher_id, organization_id)
         select publisher_id, sum(m)::text as total, sum(m * m)::text as sum_sq from po group by publisher_id`,
        params,
        'all',
      ),
      conn.execute<{ publisher_id: string; organization_id: string; awards: number; money: string }[]>(
        `${base}, po as (select publisher_id, organization_id, count(*)::int as awards, sum(awarded_fen) as money,
                                row_number() over (partition by publisher_id order by sum(awarded_fen) desc, organization_id) as n
                           from ra where status = 'AWARDED' group by publisher_id, organization_id having count(*) >= 2)
         select publisher_id, organization_id, awards, money::text as money from po where n <= ${REPEAT_WINNERS_MAX}
          order by publisher_id, n`,
        params,
        'all',
      ),
    ]);
    return { byType, eligible, perPublisher, money, repeat };
  }

  private async requireRegion(em: EntityManager, code: string, path: string): Promise<ReadRecord<Region>> {
    const region = await this.reference.regions.find(em, code);
    if (!region) throw BadUserInputError.field(path, `region ${code} does not exist`);
    return region;
  }

  private async requireCategory(
    em: EntityManager,
    code: string,
    path: string,
  ): Promise<ReadRecord<ServiceCategory>> {
    const category = await this.reference.categories.find(em, code);
    if (!category) throw BadUserInputError.field(path, `service category ${code} does not exist`);
    return category;
  }
}

/** An `awardFairness` answer without its names: what the report cache keeps per report. */
interface FairnessFigures {
  readonly projects: number;
  readonly byFoundingType: readonly FoundingTypeFairnessRow[];
  readonly publishers: readonly PublisherFigures[];
  /** Who the answer may name, for the per-request name reads. */
  readonly publisherIds: readonly number[];
  readonly winnerIds: readonly number[];
}

/** A cache key naming a report part, its nodes and its period. */
function cacheKey(part: string, ...args: (string | number | Date | null | undefined)[]): string {
  return JSON.stringify([part, ...args.map((a) => (a instanceof Date ? a.toISOString() : (a ?? null)))]);
}

/** `from` must come before `to` when both are given. */
function assertPeriod(period: Period): void {
  if (period.from && period.to && period.from.getTime() >= period.to.getTime())
    throw BadUserInputError.field('to', 'must be later than from');
}

/** SQL for "column in [from, to)", pushing its parameters. */
export function periodSql(column: string, period: Period, params: unknown[]): string {
  let sql = '';
  if (period.from) {
    sql += ` and ${column} >= ?`;
    params.push(period.from);
  }
  if (period.to) {
    sql += ` and ${column} < ?`;
    params.push(period.to);
  }
  return sql;
}
