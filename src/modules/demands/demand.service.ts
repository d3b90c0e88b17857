import type { EntityManager } from '@mikro-orm/postgresql';
import type { Limits } from '../../core/config.js';
import type { Actor, Context } from '../../core/context.js';
import type { Page } from '../../core/relay/connection.js';
import type { ReadRecord } from '../../core/read-records.js';
import type { Demand, DemandProgress } from './demand.entity.js';
import type { DemandViewer } from './demand.policy.js';
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
import type { DemandListArgs, DemandsArgs, MatchingOrganizationsArgs } from './demand.args.js';
import { DemandViewerFacts } from './demand-viewer-facts.js';
import type { ReadAttempt, VerifiedOrganizations } from '../organizations/verified-organizations.js';
import { DemandQueriesService, type RankedOrganization } from './demand-queries.service.js';
import { DemandSubmissionService } from './demand-submission.service.js';
import { DemandClaimsService } from './demand-claims.service.js';
import { sweepDemands } from './demand-sweep.js';

export { factsOf, organizationsServingFilter, scopeOf } from './demand-filters.js';
export type { RankedOrganization } from './demand-queries.service.js';

/**
 * The demand domain: submission, the lifecycle (each change in one transaction with its audit entry
 * and, for status changes, its outbox event), the feed, matching and the periodic sweep.
 *
 * Concurrency: every change locks the demand row (`SELECT … FOR UPDATE`, by id only, so a waiter
 * re-reads the committed status) and then consults the entity's transition table. Two organizations
 * claiming at once: the second waits, sees CLAIMED, and gets CONFLICT. A claim also locks the
 * organization row, always after the demand, so the open-claim cap cannot be overrun by parallel
 * claims and locks are always taken in the same order.
 *
 * A thin facade; the rules live in its parts:
 * - demand-viewer-facts.ts: the viewer's facts for the access rules, cached per operation;
 * - demand-queries.service.ts: one demand, the feed, endorsements, matching organizations;
 * - demand-submission.service.ts: submit, endorse, withdraw;
 * - demand-claims.service.ts: claim, progress, fulfil, release, rate, close, project awards;
 * - demand-change.ts: the locked, audited shape of every change (`change`) and `reopenDemand`;
 * - demand-sweep.ts: expiry and claim lapse (`sweepDemands`) and its timer;
 * - demand-filters.ts: the pure facts and MikroORM filters (`factsOf`, `organizationsServingFilter`, …);
 * - demand-feed-sql.ts: the feed's WHERE clause (`addVisibility`, `addFilter`, `addCursor`).
 */
export class DemandService {
  private readonly viewers = new DemandViewerFacts();
  private readonly queries: DemandQueriesService;
  private readonly submission: DemandSubmissionService;
  private readonly claims: DemandClaimsService;

  constructor(private readonly limits: Limits) {
    this.queries = new DemandQueriesService(limits, this.viewers);
    this.submission = new DemandSubmissionService(limits, this.viewers);
    this.claims = new DemandClaimsService(limits, this.viewers);
  }

  /** The viewer's facts for the access rules, or null when anonymous. One query per operation. */
  viewerFacts(ctx: Context): Promise<DemandViewer | null> {
    return this.viewers.viewerFacts(ctx);
  }

  /** Which organizations are VERIFIED, batched per fork and turn (the live feed re-reads it per event). */
  verification(em: EntityManager, attempt?: ReadAttempt): VerifiedOrganizations {
    return this.viewers.verification(em, attempt);
  }

  /** Whether the viewer may see the demand (`canSeeDemand`, with their endorsement of it). */
  sees(em: EntityManager, viewer: DemandViewer, demand: Demand): Promise<boolean> {
    return this.viewers.sees(em, viewer, demand);
  }

  /** Those of `demands` the viewer may see, as `sees` decides. */
  visibleAmong(em: EntityManager, viewer: DemandViewer, demands: readonly Demand[]): Promise<Demand[]> {
    return this.viewers.visibleAmong(em, viewer, demands);
  }

  /** The demand if it exists and the viewer may see it; null otherwise (also for anonymous viewers). */
  findVisible(ctx: Context, id: number): Promise<Demand | null> {
    return this.queries.findVisible(ctx, id);
  }

  /** `demand(id)`: UNAUTHENTICATED for anonymous viewers, null when absent or not visible. */
  get(ctx: Context, globalId: string): Promise<Demand | null> {
    return this.queries.get(ctx, globalId);
  }

  /**
   * The feed: what the viewer may see, filtered, newest (or oldest) first by (createdAt, id);
   * `properties`: what the caller reads of each demand (null: everything).
   */
  list(
    ctx: Context,
    args: DemandsArgs,
    properties: ReadonlySet<string> | null = null,
  ): Promise<Page<ReadRecord<Demand>>> {
    return this.queries.list(ctx, args, properties);
  }

  /** The demands one party submitted, endorsed or claimed; see `DemandQueriesService.listOf`. */
  listOf(
    ctx: Context,
    party: { submittedBy: number } | { endorsedBy: number } | { claimedBy: number },
    args: DemandListArgs,
    properties: ReadonlySet<string> | null = null,
  ): Promise<Page<ReadRecord<Demand>>> {
    return this.queries.listOf(ctx, party, args, properties);
  }

  /** A worker or union staff submit a demand; see `DemandSubmissionService.submit`. */
  submit(ctx: Context, input: SubmitDemandInput): Promise<Demand> {
    return this.submission.submit(ctx, input);
  }

  /** The OPEN demands that look like a just submitted one; see `DemandSubmissionService.similarOpen`. */
  similarOpen(
    ctx: Context,
    demand: Demand,
    properties: ReadonlySet<string> | null,
  ): Promise<ReadRecord<Demand>[]> {
    return this.submission.similarOpen(ctx, demand, properties);
  }

  /** "Me too": once per worker; adds one to the endorsement count and to the people affected. */
  endorse(ctx: Context, input: EndorseDemandInput): Promise<Demand> {
    return this.submission.endorse(ctx, input);
  }

  /** The submitter takes the demand back. */
  withdraw(ctx: Context, input: WithdrawDemandInput): Promise<Demand> {
    return this.submission.withdraw(ctx, input);
  }

  /** An organization claims a demand; see `DemandClaimsService.claim`. */
  claim(ctx: Context, input: ClaimDemandInput): Promise<Demand> {
    return this.claims.claim(ctx, input);
  }

  /** A project's demands become CLAIMED by its awardee; see `DemandClaimsService.claimForAward`. */
  claimForAward(
    actor: Actor,
    demandIds: readonly number[],
    organizationId: number,
    summary: Record<string, unknown>,
  ): Promise<{ claimed: Demand[]; skipped: Demand[] }> {
    return this.claims.claimForAward(actor, demandIds, organizationId, summary);
  }

  /** A suspended organization's open claims become OPEN; see `DemandClaimsService.reopenClaimsOfSuspended`. */
  reopenClaimsOfSuspended(actor: Actor, organizationId: number): Promise<Demand[]> {
    return this.claims.reopenClaimsOfSuspended(actor, organizationId);
  }

  /** A project's demands become FULFILLED; see `DemandClaimsService.fulfilForProject`. */
  fulfilForProject(
    actor: Actor,
    demands: readonly Demand[],
    organizationId: number,
    summary: Record<string, unknown>,
  ): Promise<void> {
    return this.claims.fulfilForProject(actor, demands, organizationId, summary);
  }

  /** The notes of the demand's service the viewer may read; see `DemandQueriesService.progressNotes`. */
  progressNotes(ctx: Context, demand: ReadRecord<Demand>): Promise<DemandProgress[]> {
    return this.queries.progressNotes(ctx, demand);
  }

  /** Whether the worker said "me too" to the demand (endorsements are never taken back). */
  hasEndorsed(em: EntityManager, demandId: number, userId: number): Promise<boolean> {
    return this.queries.hasEndorsed(em, demandId, userId);
  }

  /** The claiming organization (or an admin) gives the demand back: OPEN again, for others. */
  release(ctx: Context, input: ReleaseDemandInput): Promise<Demand> {
    return this.claims.release(ctx, input);
  }

  /** The claiming organization reports progress; the first report moves CLAIMED to IN_SERVICE. */
  reportProgress(
    ctx: Context,
    input: ReportDemandProgressInput,
  ): Promise<{ demand: Demand; progress: DemandProgress }> {
    return this.claims.reportProgress(ctx, input);
  }

  /** The claiming organization (or an admin) reports the demand served. */
  fulfil(ctx: Context, input: FulfilDemandInput): Promise<Demand> {
    return this.claims.fulfil(ctx, input);
  }

  /** The submitter rates the service once, after fulfilment; see `DemandClaimsService.rate`. */
  rate(ctx: Context, input: RateDemandInput): Promise<Demand> {
    return this.claims.rate(ctx, input);
  }

  /** Union staff in scope (or an admin) close a demand with a reason, or as a duplicate of another. */
  close(ctx: Context, input: CloseDemandInput): Promise<Demand> {
    return this.claims.close(ctx, input);
  }

  /** Verified organizations that can serve the demand, ranked; see `DemandQueriesService`. */
  matchingOrganizations(ctx: Context, args: MatchingOrganizationsArgs): Promise<Page<RankedOrganization>> {
    return this.queries.matchingOrganizations(ctx, args);
  }

  /** Expiry and claim lapse, as of `now`; see `sweepDemands` (demand-sweep.ts). */
  sweep(em: EntityManager, now: Date): Promise<{ expired: number; lapsed: number }> {
    return sweepDemands(em, now, this.limits);
  }
}
