import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Limits } from '../../core/config.js';
import type { Actor } from '../../core/context.js';
import { emitEvent, emitEvents, Topic } from '../../core/events/outbox.js';
import { pgTextArray } from '../../core/events/event-rows.js';
import { recordAudit } from '../audit/audit.js';
import { Demand } from './demand.entity.js';
import { DemandStatus } from './demand.enums.js';
import { ACTIVE_CLAIM_STATUSES } from './demand-lifecycle.js';
import { scopeOf } from './demand-filters.js';
import { reopenDemand } from './demand-change.js';

/** Rows each sweep pass changes per transaction; the timer catches up on the next tick. */
const SWEEP_BATCH = 500;
const HOUR_MS = 3_600_000;

/**
 * Marks the active claims that lapse within `demandClaimLapseWarningHours` (at most half the lapse
 * period, so that a fresh claim is not warned at once) and have not been warned
 * since their last progress: each is warned once per claim period (new progress starts a new one).
 * The caller announces them (CLAIM_LAPSING) and its flush writes the marks.
 */
async function warnLapsingClaims(tx: EntityManager, now: Date, limits: Limits): Promise<Demand[]> {
  if (limits.demandClaimLapseWarningHours === 0) return [];
  const lapseBefore = new Date(now.getTime() - limits.demandClaimLapseHours * HOUR_MS);
  const warningHours = Math.min(limits.demandClaimLapseWarningHours, limits.demandClaimLapseHours / 2);
  const warnBefore = new Date(lapseBefore.getTime() + warningHours * HOUR_MS);
  const rows = await tx.execute<{ id: string }[]>(
    `select "id" from "demand"
      where "status" = any(?::text[]) and "last_progress_at" <= ? and "last_progress_at" > ?
        and "lapse_warned_progress_at" is distinct from "last_progress_at"
      order by "id" limit ? for update skip locked`,
    [pgTextArray(ACTIVE_CLAIM_STATUSES), warnBefore, lapseBefore, SWEEP_BATCH],
  );
  if (rows.length === 0) return [];
  const demands = await tx.find(Demand, { id: { $in: rows.map((row) => Number(row.id)) } });
  for (const demand of demands) demand.lapseWarnedProgressAt = demand.lastProgressAt;
  return demands;
}

/** The changes time makes to demands, run by the sweep (src/sweep.ts). */
export class DemandSweepService {
  constructor(private readonly limits: Limits) {}

  /**
   * Expiry and claim lapse, as of `now`: OPEN demands past `expiresAt` become EXPIRED; CLAIMED or
   * IN_SERVICE demands with no progress for `demandClaimLapseHours` are OPEN again. Each change has
   * its audit entry (actor: the system) and its DEMAND_UPDATED event. Claims that lapse within
   * `demandClaimLapseWarningHours` are announced once (CLAIM_LAPSING). Rows locked by a running
   * mutation are skipped (SKIP LOCKED) and taken on the next run, so several processes may sweep at
   * once. Returns how many demands changed.
   */
  async run(em: EntityManager, now: Date): Promise<{ expired: number; lapsed: number }> {
    const limits = this.limits;
    const lapseBefore = new Date(now.getTime() - limits.demandClaimLapseHours * HOUR_MS);
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
        reopenDemand(demand, now, limits);
        recordAudit(actor, 'demand.claimLapse', demand, { organizationId });
      }
      const warned = await warnLapsingClaims(tx, now, limits);
      await tx.flush();
      for (const demand of [...expiring, ...lapsing])
        await emitEvent(tx, { topic: Topic.DEMAND_UPDATED, entityId: demand.id, ...scopeOf(demand) });
      await emitEvents(
        tx,
        warned.map((demand) => ({ topic: Topic.CLAIM_LAPSING, entityId: demand.id, ...scopeOf(demand) })),
      );
      return { expired: expiring.length, lapsed: lapsing.length };
    });
  }
}
