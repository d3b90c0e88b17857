import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Limits } from '../../core/config.js';
import type { Actor, Context } from '../../core/context.js';
import { NotFoundError } from '../../core/errors.js';
import { emitEvent, Topic } from '../../core/events/outbox.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { Demand } from './demand.entity.js';
import type { DemandViewer } from './demand.policy.js';
import { scopeOf } from './demand-filters.js';
import type { DemandViewerFactsService } from './demand-viewer-facts.service.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * What the demand services that change demands share: the limits, the viewer's facts and the
 * locked, audited, one-transaction shape of every change.
 */
export abstract class DemandChanges {
  constructor(
    protected readonly limits: Limits,
    protected readonly viewers: DemandViewerFactsService,
  ) {}

  /**
   * The shape of every change: lock the demand row, check the viewer may see it, apply the change
   * (which checks permissions and the state machine and may throw), then queue the audit entry and,
   * if the status moved or the change says it is news (`announce`: a progress note), the
   * DEMAND_UPDATED event — all in one transaction, so a refused or failed change leaves nothing behind.
   */
  protected async change(
    ctx: Context,
    demandGlobalId: string,
    apply: (
      em: EntityManager,
      demand: Demand,
      viewer: DemandViewer,
    ) =>
      | { action: string; summary: Record<string, unknown>; announce?: boolean }
      | Promise<{ action: string; summary: Record<string, unknown>; announce?: boolean }>,
    options: { skipVisibility?: (viewer: DemandViewer) => boolean } = {},
  ): Promise<Demand> {
    const viewer = await this.viewers.requireFacts(ctx);
    const id = parseIdOf('Demand', demandGlobalId, 'input.demandId');
    return ctx.em.transactional(async (em) => {
      // Locked by id alone: a waiter then re-reads the committed row and sees its new status.
      const demand = await em.findOne(Demand, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const visible =
        demand &&
        (options.skipVisibility?.(viewer) === true || (await this.viewers.sees(em, viewer, demand)));
      if (!demand || !visible) throw new NotFoundError('Demand', demandGlobalId);
      const before = demand.status;
      const { action, summary, announce = false } = await apply(em, demand, viewer);
      recordAudit(this.actor(ctx, em), action, demand, { ...summary, from: before, to: demand.status });
      if (announce || demand.status !== before)
        await emitEvent(em, { topic: Topic.DEMAND_UPDATED, entityId: demand.id, ...scopeOf(demand) });
      return demand;
    });
  }

  protected actor(ctx: Context, em: EntityManager): Actor {
    return { em, viewer: ctx.viewer, requestId: ctx.requestId };
  }
}

/** Back to OPEN: no claimant, and a fresh expiry window for organizations to claim it. */
export function reopenDemand(demand: Demand, now: Date, limits: Limits): void {
  demand.claimedBy = null;
  demand.claimedAt = null;
  demand.lastProgressAt = null;
  const window = new Date(now.getTime() + limits.demandExpiryDays * DAY_MS);
  if (demand.expiresAt < window) demand.expiresAt = window;
}
