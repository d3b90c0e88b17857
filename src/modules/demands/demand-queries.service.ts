import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Limits } from '../../core/config.js';
import type { Context } from '../../core/context.js';
import { BadUserInputError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { checkCursors, pageOptions, type Page } from '../../core/relay/connection.js';
import type { ReadRecord } from '../../core/read-records.js';
import { demandRecordPage } from './demand-records.js';
import { Organization } from '../organizations/organization.entity.js';
import { getOrganization } from '../organizations/organization.policy.js';
import { Demand, DemandEndorsement, type DemandProgress } from './demand.entity.js';
import { DemandOrder } from './demand.enums.js';
import { ACTIVE_CLAIM_STATUSES } from './demand-lifecycle.js';
import { scoreMatch, type MatchScore } from './demand-matching.js';
import { addVisibility, canServe, seesProgressNote } from './demand.policy.js';
import { factsOf, organizationsServingFilter, scopeOf } from './demand-filters.js';
import { addFilter, FeedConditions } from './demand-feed.sql.js';
import type { DemandViewerFactsService } from './demand-viewer-facts.service.js';
import type { DemandFilter, DemandListArgs, DemandsArgs, MatchingOrganizationsArgs } from './demand.args.js';

/** How many candidate organizations `matchingOrganizations` ranks; a demand rarely has more. */
const MATCH_CANDIDATE_LIMIT = 1000;

/** One ranked organization of `matchingOrganizations`. */
export interface RankedOrganization extends MatchScore {
  organization: Organization;
}

/** Reading demands: one demand, the feed, endorsements and the organizations matching a demand. */
export class DemandQueriesService {
  constructor(
    private readonly limits: Limits,
    private readonly viewers: DemandViewerFactsService,
  ) {}

  /** The demand if it exists and the viewer may see it; null otherwise (also for anonymous viewers). */
  async findVisible(ctx: Context, id: number): Promise<Demand | null> {
    const viewer = await this.viewers.viewerFacts(ctx);
    if (!viewer) return null;
    const demand = await ctx.em.findOne(Demand, { id });
    return demand && (await this.viewers.sees(ctx.em, viewer, demand)) ? demand : null;
  }

  /** `demand(id)`: UNAUTHENTICATED for anonymous viewers, null when absent or not visible. */
  async get(ctx: Context, globalId: string): Promise<Demand | null> {
    await this.viewers.requireFacts(ctx);
    return this.findVisible(ctx, parseIdOf('Demand', globalId, 'id'));
  }

  /**
   * The feed: what the viewer may see, filtered, newest (or oldest) first by (createdAt, id), reading
   * only `properties` of each demand (null: all; see demand-selection.ts).
   */
  async list(
    ctx: Context,
    args: DemandsArgs,
    properties: ReadonlySet<string> | null,
  ): Promise<Page<ReadRecord<Demand>>> {
    const viewer = await this.viewers.requireFacts(ctx);
    const where = new FeedConditions();
    addVisibility(where, viewer, args.filter?.statuses);
    if (args.filter) addFilter(where, args.filter, await this.servableBy(ctx, args.filter));
    const direction = args.orderBy === DemandOrder.OLDEST ? 'asc' : 'desc';
    checkCursors(args, ['timestamp', 'id']);
    // Read-only records, not entities: the feed is read, never changed (demand-records.ts).
    return demandRecordPage(ctx.em, where, args, direction, properties);
  }

  /**
   * `User.submittedDemands`, `User.endorsedDemands` and `Organization.claimedDemands`: the demands
   * one party holds, newest first, in `status` when given. The callers decide who may ask; the rows
   * are still narrowed to what the viewer may see (`addVisibility`), so no list shows a demand that
   * `demand(id)` would not.
   */
  async listOf(
    ctx: Context,
    party: { submittedBy: number } | { endorsedBy: number } | { claimedBy: number },
    args: DemandListArgs,
    properties: ReadonlySet<string> | null,
  ): Promise<Page<ReadRecord<Demand>>> {
    const viewer = await this.viewers.requireFacts(ctx);
    checkCursors(args, ['timestamp', 'id']);
    const where = new FeedConditions();
    addVisibility(where, viewer, args.status ? [args.status] : null);
    if ('submittedBy' in party) where.add('d.submitted_by_id = ?', party.submittedBy);
    else if ('endorsedBy' in party)
      where.add(
        'd.id = any(array(select e.demand_id from demand_endorsement e where e.worker_id = ?))',
        party.endorsedBy,
      );
    else where.add('d.claimed_by_id = ?', party.claimedBy);
    if (args.status) where.add('d.status = ?', args.status);
    return demandRecordPage(ctx.em, where, args, 'desc', properties);
  }

  /**
   * The organization `filter.matchingOrganization` names, if any: BAD_USER_INPUT when there is none
   * or the viewer may not see it (the same answer, so the filter cannot probe for pending ones).
   */
  private async servableBy(ctx: Context, filter: DemandFilter): Promise<Organization | null> {
    if (!filter.matchingOrganization) return null;
    const path = 'filter.matchingOrganization';
    const id = parseIdOf('Organization', filter.matchingOrganization, path);
    const organization = await getOrganization(ctx, id);
    if (!organization) throw BadUserInputError.field(path, 'no such organization');
    return organization;
  }

  /**
   * The notes of the demand's service the viewer may read (`seesProgressNote`), oldest first; whether
   * she endorsed it is read only when that decides.
   */
  async progressNotes(ctx: Context, demand: ReadRecord<Demand>): Promise<DemandProgress[]> {
    const viewer = await this.viewers.viewerFacts(ctx);
    if (!viewer) return [];
    const notes = await ctx.loaders.demandProgress.latestNotes(demand.id);
    const facts = factsOf(demand);
    const shownAs = (endorsed: boolean) =>
      notes.filter((n) => seesProgressNote(viewer, facts, n.organization.id, endorsed));
    const shown = shownAs(false);
    if (shown.length === notes.length || !viewer.isWorker) return shown;
    return (await ctx.loaders.demandProgress.endorsedBy(viewer.userId, demand.id)) ? shownAs(true) : shown;
  }

  /** Whether the worker said "me too" to the demand (endorsements are never taken back). */
  async hasEndorsed(em: EntityManager, demandId: number, userId: number): Promise<boolean> {
    return (await em.count(DemandEndorsement, { demand: demandId, worker: userId })) > 0;
  }

  /**
   * Verified organizations that can serve the demand, ranked by `scoreMatch` (best first, then by
   * id), with the reasons of each score. The candidates are few (those serving the demand's category
   * and region), so they are ranked in memory; the cursor is the (score, id) of the last edge.
   */
  async matchingOrganizations(
    ctx: Context,
    args: MatchingOrganizationsArgs,
  ): Promise<Page<RankedOrganization>> {
    await this.viewers.requireFacts(ctx);
    const demand = await this.findVisible(ctx, parseIdOf('Demand', args.demandId, 'demandId'));
    if (!demand) throw new NotFoundError('Demand', args.demandId);
    const scope = scopeOf(demand);
    const candidates = (
      await ctx.em.find(Organization, organizationsServingFilter(scope), {
        orderBy: { id: 'asc' },
        limit: MATCH_CANDIDATE_LIMIT,
      })
    ).filter((o) => canServe(o, scope));
    const load = await this.openClaimCounts(
      ctx.em,
      candidates.map((o) => o.id),
    );
    const ranked = candidates
      .map((organization) => ({
        organization,
        ...scoreMatch(
          { ...organization, openClaims: load.get(organization.id) ?? 0 },
          scope,
          this.limits.demandMaxOpenClaims,
        ),
      }))
      .sort((a, b) => b.score - a.score || a.organization.id - b.organization.id);
    return rankedPage(ranked, args);
  }

  /** Open claims (CLAIMED or IN_SERVICE) per organization, in one grouped query. */
  private async openClaimCounts(em: EntityManager, organizationIds: number[]): Promise<Map<number, number>> {
    if (organizationIds.length === 0) return new Map();
    const rows = await em
      .createQueryBuilder(Demand, 'd')
      .select(['d.claimed_by_id', raw('count(*) as n')])
      .where({ claimedBy: { $in: organizationIds }, status: { $in: [...ACTIVE_CLAIM_STATUSES] } })
      .groupBy('d.claimed_by_id')
      .execute<{ claimed_by_id: string | number; n: string | number }[]>('all', false);
    return new Map(rows.map((r) => [Number(r.claimed_by_id), Number(r.n)]));
  }
}

/** Cursor of a ranked edge: opaque to clients, (score, id) inside. */
function rankCursor(item: RankedOrganization): string {
  return Buffer.from(`${item.score}:${item.organization.id}`, 'utf8').toString('base64url');
}

/** A page of an in-memory ranked list, after the (score, id) the `after` cursor names. */
function rankedPage(ranked: RankedOrganization[], args: MatchingOrganizationsArgs): Page<RankedOrganization> {
  const { first = 20 } = pageOptions(args);
  let start = 0;
  if (args.after) {
    const [score, id] = Buffer.from(args.after, 'base64url').toString('utf8').split(':').map(Number);
    if (score === undefined || id === undefined || Number.isNaN(score) || Number.isNaN(id))
      throw BadUserInputError.field('after', 'is not a valid cursor');
    start = ranked.findIndex((r) => r.score < score || (r.score === score && r.organization.id > id));
    if (start === -1) start = ranked.length;
  }
  const items = ranked.slice(start, start + first);
  const edges = items.map((node) => ({ cursor: rankCursor(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: start + first < ranked.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    count: () => Promise.resolve(ranked.length),
  };
}
