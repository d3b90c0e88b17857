import { selectIds } from '../../core/id-queries.js';
import { Cursor, LockMode, raw, ref, type FilterQuery } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Limits } from '../../core/config.js';
import type { Actor, Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  type FieldProblem,
} from '../../core/errors.js';
import { emitEvent, Topic } from '../../core/events/outbox.js';
import { Role } from '../../core/roles.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { invalidCursorError, pageOptions, type Page } from '../../core/relay/connection.js';
import { demandRecordPage, partyIdsOf } from './demand-records.js';
import { recordAudit } from '../audit/audit.js';
import { TargetGroup } from '../categories/target-group.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Region, RegionLevel } from '../regions/region.entity.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import { Demand, DemandEndorsement, DemandProgress, illegalTransition } from './demand.entity.js';
import { DemandOrder, DemandSource, DemandStatus, DemandUrgency } from './demand.enums.js';
import { ACTIVE_CLAIM_STATUSES, canTransition } from './demand-lifecycle.js';
import {
  browsesOpenDemands,
  canSeeDemand,
  inUnionScope,
  type DemandFacts,
  type DemandViewer,
} from './demand-access.js';
import {
  canServe,
  isGeneralAudience,
  normalizeTargetGroups,
  scoreMatch,
  type DemandScope,
  type MatchScore,
  type OrganizationScope,
} from './demand-matching.js';
import type {
  ClaimDemandInput,
  CloseDemandInput,
  EndorseDemandInput,
  FulfilDemandInput,
  RateDemandInput,
  ReleaseDemandInput,
  ReportDemandProgressInput,
  SubmitDemandInput,
  WithdrawDemandInput,
} from './demand.inputs.js';
import type { DemandFilter, DemandsArgs, MatchingOrganizationsArgs } from './demand.args.js';

/** pg_trgm's similarity above which an open demand counts as "looks the same" at submission. */
const SIMILARITY_THRESHOLD = 0.3;
const SIMILAR_LIMIT = 5;
/** How many candidate organizations `matchingOrganizations` ranks; a demand rarely has more. */
const MATCH_CANDIDATE_LIMIT = 1000;
/** Rows each sweep pass changes per transaction; the timer catches up on the next tick. */
const SWEEP_BATCH = 500;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Statuses a worker may still say "me too" to. */
const ENDORSABLE: readonly DemandStatus[] = [
  DemandStatus.OPEN,
  DemandStatus.CLAIMED,
  DemandStatus.IN_SERVICE,
];

/** One ranked organization of `matchingOrganizations`. */
export interface RankedOrganization extends MatchScore {
  organization: Organization;
}

/** The facts of a loaded demand, for the pure access rules. */
export function factsOf(demand: Demand): DemandFacts {
  return {
    ...partyIdsOf(demand),
    status: demand.status,
    regionPath: demand.regionPath,
    anonymous: demand.anonymous,
    contactConsent: demand.contactConsent,
  };
}

/** A demand as the matcher sees it. */
export function scopeOf(demand: Demand): DemandScope {
  return {
    categoryPath: demand.categoryPath,
    regionPath: demand.regionPath,
    targetGroups: demand.targetGroups,
  };
}

/**
 * "Organization X can serve it" as a MikroORM filter on Demand, the SQL twin of `canServe`: the
 * demand's category path shares a code with the organization's categories, its region path with the
 * organization's regions (GIN `&&` on both), and the target groups fit. Stored demands always have
 * at least one group (none given = ALL_WORKERS), so "either side general" needs no empty-array test.
 */
export function servableByFilter(organization: OrganizationScope): FilterQuery<Demand> {
  return {
    categoryPath: { $overlap: [...organization.categoryCodes] },
    regionPath: { $overlap: [...organization.regionCodes] },
    ...(isGeneralAudience(organization.targetGroups)
      ? {}
      : { targetGroups: { $overlap: [...organization.targetGroups, TargetGroup.ALL_WORKERS] } }),
  };
}

/** Verified organizations that can serve a demand, as a MikroORM filter on Organization. */
export function organizationsServingFilter(demand: DemandScope): FilterQuery<Organization> {
  return {
    verificationStatus: VerificationStatus.VERIFIED,
    categoryCodes: { $overlap: [...demand.categoryPath] },
    regionCodes: { $overlap: [...demand.regionPath] },
    ...(isGeneralAudience(demand.targetGroups)
      ? {}
      : {
          $or: [
            { targetGroups: { $overlap: [...demand.targetGroups, TargetGroup.ALL_WORKERS] } },
            { [raw((alias: string) => `cardinality(${alias}.target_groups)`)]: 0 },
          ],
        }),
  };
}

/** The list twin of `canSeeDemand` (demand-access.ts): the rows a viewer may see. */
export function visibilityFilter(viewer: DemandViewer): FilterQuery<Demand> {
  if (viewer.isAdmin) return {};
  const anyOf: FilterQuery<Demand>[] = [{ submittedBy: viewer.userId }];
  if (browsesOpenDemands(viewer)) anyOf.push({ status: DemandStatus.OPEN });
  if (viewer.memberOrgIds.length > 0) anyOf.push({ claimedBy: { $in: [...viewer.memberOrgIds] } });
  if (viewer.unionScope !== null) anyOf.push({ regionPath: { $contains: [viewer.unionScope] } });
  return { $or: anyOf };
}

/**
 * The demand domain: submission, the lifecycle (each change in one transaction with its audit entry
 * and, for status changes, its outbox event), the feed, matching and the periodic sweep.
 *
 * Concurrency: every change locks the demand row (`SELECT … FOR UPDATE`, by id only, so a waiter
 * re-reads the committed status) and then consults the entity's transition table. Two organizations
 * claiming at once: the second waits, sees CLAIMED, and gets CONFLICT. A claim also locks the
 * organization row, always after the demand, so the open-claim cap cannot be overrun by parallel
 * claims and locks are always taken in the same order.
 */
export class DemandService {
  /**
   * Per operation and viewer: the viewer's facts, computed once. Keyed by both because the event
   * feed resolves one event for many subscribers in one shared EntityManager fork (event-pass.ts):
   * each must still be judged by its own facts.
   */
  private readonly viewerCache = new WeakMap<EntityManager, WeakMap<Viewer, Promise<DemandViewer | null>>>();
  /** Per operation: which organizations are VERIFIED, batched over every viewer sharing the fork. */
  private readonly verifiedCache = new WeakMap<EntityManager, DataLoader<number, boolean>>();

  constructor(private readonly limits: Limits) {}

  /** The viewer's facts for the access rules, or null when anonymous. One query per operation. */
  viewerFacts(ctx: Context): Promise<DemandViewer | null> {
    if (!ctx.viewer) return Promise.resolve(null);
    let byViewer = this.viewerCache.get(ctx.em);
    if (!byViewer) this.viewerCache.set(ctx.em, (byViewer = new WeakMap()));
    let facts = byViewer.get(ctx.viewer);
    if (!facts) {
      facts = this.loadViewerFacts(ctx);
      byViewer.set(ctx.viewer, facts);
    }
    return facts;
  }

  /** Whether each organization is VERIFIED: one query per fork and tick, whoever asks. */
  private verifiedLoader(em: EntityManager): DataLoader<number, boolean> {
    let loader = this.verifiedCache.get(em);
    if (!loader) {
      loader = new DataLoader(async (ids: readonly number[]) => {
        const set = new Set(
          await selectIds(em, Organization, {
            id: { $in: [...ids] },
            verificationStatus: VerificationStatus.VERIFIED,
          }),
        );
        return ids.map((id) => set.has(id));
      });
      this.verifiedCache.set(em, loader);
    }
    return loader;
  }

  private async loadViewerFacts(ctx: Context): Promise<DemandViewer | null> {
    const viewer = ctx.viewer;
    if (!viewer) return null;
    const memberOrgIds = [...viewer.memberships.keys()];
    // `loadViewer` reads which are verified together with the account; others are looked up here.
    const known = viewer.verifiedOrgIds ? new Set(viewer.verifiedOrgIds) : null;
    const loader = this.verifiedLoader(ctx.em);
    const verified = known
      ? memberOrgIds.map((id) => known.has(id))
      : await Promise.all(memberOrgIds.map((id) => loader.load(id)));
    const scope = viewer.user.regionScope;
    return {
      userId: viewer.userId,
      isAdmin: viewer.roles.has(Role.ADMIN),
      isWorker: viewer.roles.has(Role.WORKER),
      unionScope: viewer.roles.has(Role.UNION_STAFF) && scope ? scope.code : null,
      memberOrgIds,
      verifiedOrgIds: memberOrgIds.filter((_, i) => verified[i]),
    };
  }

  private async requireFacts(ctx: Context): Promise<DemandViewer> {
    requireViewer(ctx.viewer);
    return (await this.viewerFacts(ctx)) as DemandViewer;
  }

  /** The demand if it exists and the viewer may see it; null otherwise (also for anonymous viewers). */
  async findVisible(ctx: Context, id: number): Promise<Demand | null> {
    const viewer = await this.viewerFacts(ctx);
    if (!viewer) return null;
    const demand = await ctx.em.findOne(Demand, { id });
    return demand && canSeeDemand(viewer, factsOf(demand)) ? demand : null;
  }

  /** `demand(id)`: UNAUTHENTICATED for anonymous viewers, null when absent or not visible. */
  async get(ctx: Context, globalId: string): Promise<Demand | null> {
    await this.requireFacts(ctx);
    return this.findVisible(ctx, parseIdOf('Demand', globalId, 'id'));
  }

  /** The feed: what the viewer may see, filtered, newest (or oldest) first by (createdAt, id). */
  async list(ctx: Context, args: DemandsArgs): Promise<Page<Demand>> {
    const viewer = await this.requireFacts(ctx);
    const where: FilterQuery<Demand> = {
      $and: [visibilityFilter(viewer), await this.feedFilter(ctx.em, args.filter ?? null)],
    };
    const direction = args.orderBy === DemandOrder.OLDEST ? 'asc' : 'desc';
    for (const [name, value] of [
      ['after', args.after],
      ['before', args.before],
    ] as const) {
      if (value != null && !isCursor(value)) throw BadUserInputError.field(name, 'is not a valid cursor');
    }
    try {
      // Read-only records, not entities: the feed is read, never changed (demand-records.ts).
      return await demandRecordPage(ctx.em, where, args, direction);
    } catch (error) {
      if (invalidCursorError(error)) throw BadUserInputError.field('after', 'is not a valid cursor');
      throw error;
    }
  }

  private async feedFilter(em: EntityManager, filter: DemandFilter | null): Promise<FilterQuery<Demand>> {
    if (!filter) return {};
    const and: FilterQuery<Demand>[] = [];
    if (filter.categoryCode) and.push({ categoryPath: { $contains: [filter.categoryCode] } });
    if (filter.regionCode) and.push({ regionPath: { $contains: [filter.regionCode] } });
    if (filter.targetGroups?.length) and.push({ targetGroups: { $overlap: filter.targetGroups } });
    if (filter.statuses?.length) and.push({ status: { $in: filter.statuses } });
    if (filter.urgency?.length) and.push({ urgency: { $in: filter.urgency } });
    if (filter.createdAfter) and.push({ createdAt: { $gte: filter.createdAfter } });
    if (filter.createdBefore) and.push({ createdAt: { $lt: filter.createdBefore } });
    if (filter.matchingOrganization) {
      const path = 'filter.matchingOrganization';
      const id = parseIdOf('Organization', filter.matchingOrganization, path);
      const organization = await em.findOne(Organization, { id });
      if (!organization) throw BadUserInputError.field(path, 'no such organization');
      and.push(servableByFilter(organization));
    }
    return and.length ? { $and: and } : {};
  }

  /**
   * A worker submits a demand (source WORKER), or union staff submit one on workers' behalf (source
   * UNION_SURVEY or ENTERPRISE) in a region inside their scope. The demand, its audit entry and its
   * DEMAND_PUBLISHED event commit together. Returns similar OPEN demands, so the worker may endorse
   * one of them instead.
   */
  async submit(
    ctx: Context,
    input: SubmitDemandInput,
  ): Promise<{ demand: Demand; similarOpenDemands: Demand[] }> {
    const viewer = await this.requireFacts(ctx);
    const isUnionStaff = ctx.viewer?.roles.has(Role.UNION_STAFF) ?? false;
    const source = input.source ?? (viewer.isWorker ? DemandSource.WORKER : null);
    if (source === null)
      throw BadUserInputError.field('input.source', 'union staff must give UNION_SURVEY or ENTERPRISE');
    if (source === DemandSource.WORKER && !viewer.isWorker)
      throw new ForbiddenError('Only workers submit demands with source WORKER.');
    if (source !== DemandSource.WORKER && !isUnionStaff)
      throw new ForbiddenError('Only union staff submit demands on workers’ behalf.');

    const [category, region] = await Promise.all([
      ctx.em.findOne(ServiceCategory, { code: input.categoryCode }),
      ctx.em.findOne(Region, { code: input.regionCode }),
    ]);
    const problems: FieldProblem[] = [];
    if (!category) problems.push({ path: 'input.categoryCode', message: 'no such service category' });
    if (!region) problems.push({ path: 'input.regionCode', message: 'no such region' });
    else if (region.level === RegionLevel.PROVINCE)
      problems.push({ path: 'input.regionCode', message: 'must be a city or a district, not a province' });
    if (problems.length || !category || !region) throw new BadUserInputError(problems);
    if (source !== DemandSource.WORKER && !inUnionScope(viewer, { regionPath: region.path }))
      throw new ForbiddenError('The region is outside your union’s scope.');

    const now = new Date();
    const demand = await ctx.em.transactional(async (em) => {
      const created = em.create(Demand, {
        title: input.title.trim(),
        description: input.description.trim(),
        category: ref(category),
        categoryPath: category.path,
        region: ref(region),
        regionPath: region.path,
        targetGroups: normalizeTargetGroups(input.targetGroups ?? []),
        urgency: input.urgency ?? DemandUrgency.NORMAL,
        peopleAffected: input.peopleAffected ?? 1,
        source,
        submittedBy: ref(em.getReference(User, viewer.userId)),
        anonymous: input.anonymous ?? false,
        contact: input.contact?.trim() || null,
        contactConsent: input.contactConsent ?? false,
        expiresAt: new Date(now.getTime() + this.limits.demandExpiryDays * DAY_MS),
        createdAt: now,
      });
      await em.flush(); // the id is needed by the audit entry and the event
      recordAudit(this.actor(ctx, em), 'demand.submit', created, {
        categoryCode: category.code,
        regionCode: region.code,
        source,
      });
      await emitEvent(em, { topic: Topic.DEMAND_PUBLISHED, entityId: created.id, ...scopeOf(created) });
      return created;
    });
    return { demand, similarOpenDemands: await this.similarOpen(ctx, demand) };
  }

  /** OPEN demands in the same category and region whose title is trigram-similar (pg_trgm `%`). */
  private async similarOpen(ctx: Context, demand: Demand): Promise<Demand[]> {
    const rows = await ctx.em.getConnection().execute<{ id: string | number }[]>(
      `select id from demand
        where status = 'OPEN' and category_code = ? and region_code = ? and id <> ?
          and similarity(title, ?) >= ?
        order by similarity(title, ?) desc, id desc
        limit ?`,
      [
        demand.category.code,
        demand.region.code,
        demand.id,
        demand.title,
        SIMILARITY_THRESHOLD,
        demand.title,
        SIMILAR_LIMIT,
      ],
    );
    const ids = rows.map((r) => Number(r.id));
    if (ids.length === 0) return [];
    const byId = new Map((await ctx.em.find(Demand, { id: { $in: ids } })).map((d) => [d.id, d]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** "Me too": once per worker; adds one to the endorsement count and to the people affected. */
  endorse(ctx: Context, input: EndorseDemandInput): Promise<Demand> {
    return this.change(ctx, input.demandId, async (em, demand, viewer) => {
      if (demand.submittedBy.id === viewer.userId)
        throw new ConflictError('You submitted this demand; endorse other workers’ demands.');
      if (!ENDORSABLE.includes(demand.status))
        throw new ConflictError(`The demand is ${demand.status}; it can no longer be endorsed.`, {
          currentStatus: demand.status,
        });
      // The demand row is locked, so this check and the insert cannot race for one worker.
      if ((await em.count(DemandEndorsement, { demand: demand.id, worker: viewer.userId })) > 0)
        throw new ConflictError('You have already endorsed this demand.');
      em.create(DemandEndorsement, {
        demand: ref(demand),
        worker: ref(em.getReference(User, viewer.userId)),
      });
      demand.endorsementCount += 1;
      demand.peopleAffected += 1;
      return { action: 'demand.endorse', summary: { endorsementCount: demand.endorsementCount } };
    });
  }

  /** The submitter takes the demand back. */
  withdraw(ctx: Context, input: WithdrawDemandInput): Promise<Demand> {
    return this.change(ctx, input.demandId, (_em, demand, viewer) => {
      if (demand.submittedBy.id !== viewer.userId)
        throw new ForbiddenError('Only the submitter may withdraw a demand.');
      demand.transitionTo(DemandStatus.WITHDRAWN);
      return { action: 'demand.withdraw', summary: {} };
    });
  }

  /**
   * A member of a VERIFIED organization that can serve the demand (or an admin, naming the
   * organization) claims it. One organization at a time; at most `demandMaxOpenClaims` open claims
   * per organization.
   */
  claim(ctx: Context, input: ClaimDemandInput): Promise<Demand> {
    const organizationId = parseIdOf('Organization', input.organizationId, 'input.organizationId');
    return this.change(
      ctx,
      input.demandId,
      async (em, demand, viewer) => {
        if (!viewer.isAdmin && !viewer.memberOrgIds.includes(organizationId))
          throw new ForbiddenError('You can claim only for an organization you are a member of.');
        if (demand.status !== DemandStatus.OPEN) throw illegalTransition(demand.status, DemandStatus.CLAIMED);
        const organization = await em.findOne(
          Organization,
          { id: organizationId },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (!organization) throw new NotFoundError('Organization', input.organizationId);
        if (organization.verificationStatus !== VerificationStatus.VERIFIED)
          throw new ForbiddenError('Only VERIFIED organizations can claim demands.');
        if (!canServe(organization, scopeOf(demand)))
          throw new ForbiddenError(
            'This organization does not serve the demand’s category, region or target groups.',
          );
        const open = await em.count(Demand, {
          claimedBy: organizationId,
          status: { $in: [...ACTIVE_CLAIM_STATUSES] },
        });
        if (open >= this.limits.demandMaxOpenClaims)
          throw new ConflictError(
            `The organization already holds ${open} open claims, the most allowed (${this.limits.demandMaxOpenClaims}); fulfil or release one first.`,
            { openClaims: open, maxOpenClaims: this.limits.demandMaxOpenClaims },
          );
        const now = new Date();
        demand.transitionTo(DemandStatus.CLAIMED);
        demand.claimedBy = ref(organization);
        demand.claimedAt = now;
        demand.lastProgressAt = now;
        return { action: 'demand.claim', summary: { organizationId } };
      },
      // Whoever may claim for the organization may learn that the race was lost; anyone else who
      // cannot see the demand gets NOT_FOUND, as on every other path (no probing for demand ids).
      { skipVisibility: (viewer) => viewer.isAdmin || viewer.memberOrgIds.includes(organizationId) },
    );
  }

  /**
   * 职工点单、工会买单: the demands a project was made from become CLAIMED by the organization the
   * project was awarded to, in the caller's transaction (`actor.em` must be the transaction's). Each
   * goes through the transition table and gets its audit entry (with `summary`, e.g. the project) and
   * its DEMAND_UPDATED event, so the submitter hears of it over `demandUpdated`. The open-claim cap
   * does not apply: the publisher bought the service; the organization is not hoarding. Demands that
   * may no longer become CLAIMED (withdrawn, expired, claimed by someone else meanwhile) are left as
   * they are and returned as `skipped`. Writes outbox events: call it last in the transaction.
   */
  async claimForAward(
    actor: Actor,
    demandIds: readonly number[],
    organizationId: number,
    summary: Record<string, unknown>,
  ): Promise<{ claimed: Demand[]; skipped: Demand[] }> {
    if (demandIds.length === 0) return { claimed: [], skipped: [] };
    const em = actor.em;
    // Locked by id, in id order (as every other path locks demands one at a time, no cycle).
    const demands = await em.find(
      Demand,
      { id: { $in: [...demandIds] } },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true },
    );
    const now = new Date();
    const claimed: Demand[] = [];
    const skipped: Demand[] = [];
    for (const demand of demands) {
      if (!canTransition(demand.status, DemandStatus.CLAIMED)) {
        skipped.push(demand);
        continue;
      }
      const before = demand.status;
      demand.transitionTo(DemandStatus.CLAIMED);
      demand.claimedBy = ref(em.getReference(Organization, organizationId));
      demand.claimedAt = now;
      demand.lastProgressAt = now;
      recordAudit(actor, 'demand.claim', demand, {
        ...summary,
        organizationId,
        from: before,
        to: demand.status,
      });
      claimed.push(demand);
    }
    await em.flush();
    for (const demand of claimed)
      await emitEvent(em, { topic: Topic.DEMAND_UPDATED, entityId: demand.id, ...scopeOf(demand) });
    return { claimed, skipped };
  }

  /**
   * 职工点单、工会买单, the last step: demands the organization reports fulfilled for a project it won
   * become FULFILLED, in the caller's transaction (`actor.em` must be the transaction's). The caller
   * has locked the rows and checked them (linked to the project, CLAIMED or IN_SERVICE by
   * `organizationId`); each still goes through the transition table and gets its `demand.fulfil`
   * audit entry (with `summary`, e.g. the project) and its DEMAND_UPDATED event, so the submitter,
   * the endorsers and the organization hear of it. Writes outbox events: call it last in the
   * transaction.
   */
  async fulfilForProject(
    actor: Actor,
    demands: readonly Demand[],
    organizationId: number,
    summary: Record<string, unknown>,
  ): Promise<void> {
    const em = actor.em;
    for (const demand of demands) {
      const before = demand.status;
      demand.transitionTo(DemandStatus.FULFILLED);
      recordAudit(actor, 'demand.fulfil', demand, {
        ...summary,
        organizationId,
        from: before,
        to: demand.status,
      });
    }
    await em.flush();
    for (const demand of demands)
      await emitEvent(em, { topic: Topic.DEMAND_UPDATED, entityId: demand.id, ...scopeOf(demand) });
  }

  /** Whether the worker said "me too" to the demand (endorsements are never taken back). */
  async hasEndorsed(em: EntityManager, demandId: number, userId: number): Promise<boolean> {
    return (await em.count(DemandEndorsement, { demand: demandId, worker: userId })) > 0;
  }

  /** The claiming organization (or an admin) gives the demand back: OPEN again, for others. */
  release(ctx: Context, input: ReleaseDemandInput): Promise<Demand> {
    return this.change(ctx, input.demandId, (_em, demand, viewer) => {
      this.requireClaimant(viewer, demand, true);
      const organizationId = demand.claimedBy?.id ?? null;
      demand.transitionTo(DemandStatus.OPEN);
      this.reopen(demand, new Date());
      return { action: 'demand.release', summary: { organizationId, hasReason: Boolean(input.reason) } };
    });
  }

  /** The claiming organization reports progress; the first report moves CLAIMED to IN_SERVICE. */
  async reportProgress(
    ctx: Context,
    input: ReportDemandProgressInput,
  ): Promise<{ demand: Demand; progress: DemandProgress }> {
    let progress: DemandProgress | undefined;
    const demand = await this.change(ctx, input.demandId, (em, demand, viewer) => {
      this.requireClaimant(viewer, demand, false);
      if (demand.status === DemandStatus.CLAIMED) demand.transitionTo(DemandStatus.IN_SERVICE);
      else if (demand.status !== DemandStatus.IN_SERVICE)
        throw illegalTransition(demand.status, DemandStatus.IN_SERVICE);
      progress = this.addProgress(em, demand, viewer, input.note);
      return { action: 'demand.progress', summary: {} };
    });
    return { demand, progress: progress as DemandProgress };
  }

  /** The claiming organization (or an admin) reports the demand served. */
  fulfil(ctx: Context, input: FulfilDemandInput): Promise<Demand> {
    return this.change(ctx, input.demandId, (em, demand, viewer) => {
      this.requireClaimant(viewer, demand, true);
      demand.transitionTo(DemandStatus.FULFILLED);
      if (input.note) this.addProgress(em, demand, viewer, input.note);
      return { action: 'demand.fulfil', summary: { organizationId: demand.claimedBy?.id ?? null } };
    });
  }

  /**
   * The submitter rates the service once, after fulfilment; the rating adds to the organization's
   * sum and count in the same transaction (an atomic increment, so parallel ratings never lose one).
   */
  rate(ctx: Context, input: RateDemandInput): Promise<Demand> {
    return this.change(ctx, input.demandId, async (em, demand, viewer) => {
      if (demand.submittedBy.id !== viewer.userId)
        throw new ForbiddenError('Only the submitter may rate a demand.');
      if (demand.status !== DemandStatus.FULFILLED)
        throw new ConflictError(`The demand is ${demand.status}; it can be rated only once FULFILLED.`, {
          currentStatus: demand.status,
        });
      if (demand.rating != null) throw new ConflictError('You have already rated this demand.');
      const organizationId = demand.claimedBy?.id;
      if (organizationId === undefined) throw new ConflictError('No organization served this demand.');
      demand.rating = input.rating;
      demand.ratingComment = input.comment?.trim() || null;
      demand.ratedAt = new Date();
      await em
        .createQueryBuilder(Organization)
        .update({ ratingSum: raw('rating_sum + ?', [input.rating]), ratingCount: raw('rating_count + 1') })
        .where({ id: organizationId })
        .execute();
      return { action: 'demand.rate', summary: { organizationId, rating: input.rating } };
    });
  }

  /** Union staff in scope (or an admin) close a demand with a reason, or as a duplicate of another. */
  close(ctx: Context, input: CloseDemandInput): Promise<Demand> {
    const duplicateOfId =
      input.duplicateOfId != null ? parseIdOf('Demand', input.duplicateOfId, 'input.duplicateOfId') : null;
    return this.change(ctx, input.demandId, async (em, demand, viewer) => {
      if (!viewer.isAdmin && !inUnionScope(viewer, demand))
        throw new ForbiddenError('Only union staff whose scope covers the demand, or admins, may close it.');
      if (duplicateOfId !== null) {
        if (duplicateOfId === demand.id)
          throw BadUserInputError.field('input.duplicateOfId', 'a demand cannot duplicate itself');
        const original = await em.findOne(Demand, { id: duplicateOfId });
        if (!original || !canSeeDemand(viewer, factsOf(original)))
          throw BadUserInputError.field('input.duplicateOfId', 'no such demand');
        demand.transitionTo(DemandStatus.CLOSED_DUPLICATE);
        demand.duplicateOf = ref(original);
      } else {
        demand.transitionTo(DemandStatus.CLOSED);
      }
      demand.closeReason = input.reason.trim();
      return { action: 'demand.close', summary: { duplicateOf: input.duplicateOfId ?? null } };
    });
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
    await this.requireFacts(ctx);
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

  /**
   * Expiry and claim lapse, as of `now`: OPEN demands past `expiresAt` become EXPIRED; CLAIMED or
   * IN_SERVICE demands with no progress for `demandClaimLapseHours` are OPEN again. Each change has
   * its audit entry (actor: the system) and its DEMAND_UPDATED event. Rows locked by a running
   * mutation are skipped (SKIP LOCKED) and taken on the next run, so several processes may sweep at
   * once. Returns how many demands changed.
   */
  async sweep(em: EntityManager, now: Date): Promise<{ expired: number; lapsed: number }> {
    const lapseBefore = new Date(now.getTime() - this.limits.demandClaimLapseHours * HOUR_MS);
    return em.fork().transactional(async (tx) => {
      const actor: Actor = { em: tx, viewer: null, requestId: `sweep-${now.toISOString()}` };
      const expiring = await tx.find(
        Demand,
        { status: DemandStatus.OPEN, expiresAt: { $lte: now } },
        { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, limit: SWEEP_BATCH, orderBy: { id: 'asc' } },
      );
      const lapsing = await tx.find(
        Demand,
        { status: { $in: [...ACTIVE_CLAIM_STATUSES] }, lastProgressAt: { $lte: lapseBefore } },
        { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, limit: SWEEP_BATCH, orderBy: { id: 'asc' } },
      );
      for (const demand of expiring) {
        demand.transitionTo(DemandStatus.EXPIRED);
        recordAudit(actor, 'demand.expire', demand, {});
      }
      for (const demand of lapsing) {
        const organizationId = demand.claimedBy?.id ?? null;
        demand.transitionTo(DemandStatus.OPEN);
        this.reopen(demand, now);
        recordAudit(actor, 'demand.claimLapse', demand, { organizationId });
      }
      for (const demand of [...expiring, ...lapsing])
        await emitEvent(tx, { topic: Topic.DEMAND_UPDATED, entityId: demand.id, ...scopeOf(demand) });
      return { expired: expiring.length, lapsed: lapsing.length };
    });
  }

  /**
   * The shape of every change: lock the demand row, check the viewer may see it, apply the change
   * (which checks permissions and the state machine and may throw), then queue the audit entry and,
   * if the status moved, the DEMAND_UPDATED event — all in one transaction, so a refused or failed
   * change leaves nothing behind.
   */
  private async change(
    ctx: Context,
    demandGlobalId: string,
    apply: (
      em: EntityManager,
      demand: Demand,
      viewer: DemandViewer,
    ) =>
      | { action: string; summary: Record<string, unknown> }
      | Promise<{ action: string; summary: Record<string, unknown> }>,
    options: { skipVisibility?: (viewer: DemandViewer) => boolean } = {},
  ): Promise<Demand> {
    const viewer = await this.requireFacts(ctx);
    const id = parseIdOf('Demand', demandGlobalId, 'input.demandId');
    return ctx.em.transactional(async (em) => {
      // Locked by id alone: a waiter then re-reads the committed row and sees its new status.
      const demand = await em.findOne(Demand, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const visible =
        demand && (options.skipVisibility?.(viewer) === true || canSeeDemand(viewer, factsOf(demand)));
      if (!demand || !visible) throw new NotFoundError('Demand', demandGlobalId);
      const before = demand.status;
      const { action, summary } = await apply(em, demand, viewer);
      recordAudit(this.actor(ctx, em), action, demand, { ...summary, from: before, to: demand.status });
      if (demand.status !== before)
        await emitEvent(em, { topic: Topic.DEMAND_UPDATED, entityId: demand.id, ...scopeOf(demand) });
      return demand;
    });
  }

  private actor(ctx: Context, em: EntityManager): Actor {
    return { em, viewer: ctx.viewer, requestId: ctx.requestId };
  }

  /** Members of the claiming organization; admins too when `adminToo`. */
  private requireClaimant(viewer: DemandViewer, demand: Demand, adminToo: boolean): void {
    const claimedBy = demand.claimedBy?.id;
    const isMember = claimedBy !== undefined && viewer.memberOrgIds.includes(claimedBy);
    if (isMember || (adminToo && viewer.isAdmin)) return;
    if (claimedBy === undefined) throw illegalTransition(demand.status, 'changed by an organization');
    throw new ForbiddenError('Only members of the organization that claimed the demand may do this.');
  }

  /** Back to OPEN: no claimant, and a fresh expiry window for organizations to claim it. */
  private reopen(demand: Demand, now: Date): void {
    demand.claimedBy = null;
    demand.claimedAt = null;
    demand.lastProgressAt = null;
    const window = new Date(now.getTime() + this.limits.demandExpiryDays * DAY_MS);
    if (demand.expiresAt < window) demand.expiresAt = window;
  }

  private addProgress(em: EntityManager, demand: Demand, viewer: DemandViewer, note: string): DemandProgress {
    const organizationId = demand.claimedBy?.id;
    if (organizationId === undefined) throw illegalTransition(demand.status, DemandStatus.IN_SERVICE);
    demand.lastProgressAt = new Date();
    return em.create(DemandProgress, {
      demand: ref(demand),
      organization: ref(em.getReference(Organization, organizationId)),
      author: ref(em.getReference(User, viewer.userId)),
      note: note.trim(),
    });
  }
}

/** Whether a client's cursor decodes as one of MikroORM's keyset cursors (a bad one is their mistake). */
function isCursor(value: string): boolean {
  try {
    return Array.isArray(Cursor.decode(value));
  } catch {
    return false;
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
