import { LockMode, raw, ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, Context } from '../../core/context.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { emitEvent, Topic } from '../../core/events/outbox.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import { Demand, DemandProgress, illegalTransition } from './demand.entity.js';
import { DemandProgressKind, DemandStatus } from './demand.enums.js';
import { ACTIVE_CLAIM_STATUSES, canTransition } from './demand-lifecycle.js';
import { canServe, inUnionScope, type DemandViewer } from './demand.policy.js';
import { scopeOf } from './demand-filters.js';
import { DemandChanges, reopenDemand } from './demand-change.js';
import type {
  ClaimDemandInput,
  CloseDemandInput,
  FulfilDemandInput,
  RateDemandInput,
  ReleaseDemandInput,
  ReportDemandProgressInput,
} from './demand.inputs.js';

/**
 * The organization side of the lifecycle: claim, progress, fulfil, release; the submitter's rating;
 * closing by union staff; and the project award's claims and fulfilments (职工点单、工会买单).
 */
export class DemandClaimsService extends DemandChanges {
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

  /**
   * A suspended organization loses what its claims gave it: its open claims (CLAIMED, IN_SERVICE)
   * become OPEN again, in the suspending transaction (`actor.em` must be the transaction's). Each
   * gets a `demand.claimEndedBySuspension` audit entry, a DEMAND_UPDATED event (the worker hears of
   * it) and a DEMAND_PUBLISHED event, so the organizations that can serve it are offered it again.
   * Writes outbox events: call it last in the transaction.
   */
  async reopenClaimsOfSuspended(actor: Actor, organizationId: number): Promise<Demand[]> {
    const em = actor.em;
    const demands = await em.find(
      Demand,
      { claimedBy: organizationId, status: { $in: [...ACTIVE_CLAIM_STATUSES] } },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true },
    );
    const now = new Date();
    for (const demand of demands) {
      const before = demand.status;
      demand.transitionTo(DemandStatus.OPEN);
      reopenDemand(demand, now, this.limits);
      recordAudit(actor, 'demand.claimEndedBySuspension', demand, {
        organizationId,
        from: before,
        to: demand.status,
      });
    }
    await em.flush();
    for (const demand of demands) {
      await emitEvent(em, { topic: Topic.DEMAND_UPDATED, entityId: demand.id, ...scopeOf(demand) });
      await emitEvent(em, { topic: Topic.DEMAND_PUBLISHED, entityId: demand.id, ...scopeOf(demand) });
    }
    return demands;
  }

  /** The claiming organization (or an admin) gives the demand back: OPEN again, for others. */
  release(ctx: Context, input: ReleaseDemandInput): Promise<Demand> {
    return this.change(ctx, input.demandId, (em, demand, viewer) => {
      this.requireClaimant(viewer, demand, true);
      const organizationId = demand.claimedBy?.id ?? null;
      // Written while the claimant is still on the row: the note is the releasing organization's.
      if (input.reason?.trim()) this.addNote(em, demand, viewer, DemandProgressKind.RELEASE, input.reason);
      demand.transitionTo(DemandStatus.OPEN);
      reopenDemand(demand, new Date(), this.limits);
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
      progress = this.addNote(em, demand, viewer, DemandProgressKind.PROGRESS, input.note);
      // Every note is news to the worker (and the claiming organization's other members), not
      // only the first one that moves the demand to IN_SERVICE.
      return { action: 'demand.progress', summary: {}, announce: true };
    });
    return { demand, progress: progress as DemandProgress };
  }

  /** The claiming organization (or an admin) reports the demand served. */
  fulfil(ctx: Context, input: FulfilDemandInput): Promise<Demand> {
    return this.change(ctx, input.demandId, (em, demand, viewer) => {
      this.requireClaimant(viewer, demand, true);
      demand.transitionTo(DemandStatus.FULFILLED);
      if (input.note) this.addNote(em, demand, viewer, DemandProgressKind.FULFILMENT, input.note);
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
        if (!original || !(await this.viewers.sees(em, viewer, original)))
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

  /** Members of the claiming organization; admins too when `adminToo`. */
  private requireClaimant(viewer: DemandViewer, demand: Demand, adminToo: boolean): void {
    const claimedBy = demand.claimedBy?.id;
    // Verified, not only a member: a suspended organization changes nothing it once claimed.
    const isMember = claimedBy !== undefined && viewer.verifiedOrgIds.includes(claimedBy);
    if (isMember || (adminToo && viewer.isAdmin)) return;
    if (claimedBy === undefined) throw illegalTransition(demand.status, 'changed by an organization');
    throw new ForbiddenError('Only members of the organization that claimed the demand may do this.');
  }

  /** A note by the claiming organization; it counts as progress (a claim with notes does not lapse). */
  private addNote(
    em: EntityManager,
    demand: Demand,
    viewer: DemandViewer,
    kind: DemandProgressKind,
    note: string,
  ): DemandProgress {
    const organizationId = demand.claimedBy?.id;
    if (organizationId === undefined) throw illegalTransition(demand.status, DemandStatus.IN_SERVICE);
    demand.lastProgressAt = new Date();
    return em.create(DemandProgress, {
      demand: ref(demand),
      organization: ref(em.getReference(Organization, organizationId)),
      author: ref(em.getReference(User, viewer.userId)),
      kind,
      note: note.trim(),
    });
  }
}
