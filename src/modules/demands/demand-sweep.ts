import { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
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
import type { Logger } from 'pino';
import type { DemandService } from './demand.service.js';

/** Rows each sweep pass changes per transaction; the timer catches up on the next tick. */
const SWEEP_BATCH = 500;
const HOUR_MS = 3_600_000;

/**
 * Expiry and claim lapse, as of `now`: OPEN demands past `expiresAt` become EXPIRED; CLAIMED or
 * IN_SERVICE demands with no progress for `demandClaimLapseHours` are OPEN again. Each change has
 * its audit entry (actor: the system) and its DEMAND_UPDATED event. Claims due to lapse within
 * `demandClaimLapseWarningHours` are announced (CLAIM_LAPSING, no change to the demand). Rows locked by a running
 * mutation are skipped (SKIP LOCKED) and taken on the next run, so several processes may sweep at
 * once. Returns how many demands changed.
 */
export async function sweepDemands(
  em: EntityManager,
  now: Date,
  limits: Limits,
): Promise<{ expired: number; lapsed: number }> {
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
    const lapsingSoon = await claimsLapsingSoon(tx, now, lapseBefore, limits);
    for (const demand of [...expiring, ...lapsing])
      await emitEvent(tx, { topic: Topic.DEMAND_UPDATED, entityId: demand.id, ...scopeOf(demand) });
    await emitEvents(
      tx,
      lapsingSoon.map((demand) => ({ topic: Topic.CLAIM_LAPSING, entityId: demand.id, ...scopeOf(demand) })),
    );
    return { expired: expiring.length, lapsed: lapsing.length };
  });
}

/**
 * Active claims within `demandClaimLapseWarningHours` of lapsing that have not been announced as
 * lapsing since their last progress (the outbox is the record: a CLAIM_LAPSING event after
 * `lastProgressAt`), so each claim period is announced once. Locked like the lapses, so two sweeps
 * do not both announce one.
 */
async function claimsLapsingSoon(
  tx: EntityManager,
  now: Date,
  lapseBefore: Date,
  limits: Limits,
): Promise<Demand[]> {
  if (limits.demandClaimLapseWarningHours === 0) return [];
  const warnBefore = new Date(
    now.getTime() - (limits.demandClaimLapseHours - limits.demandClaimLapseWarningHours) * HOUR_MS,
  );
  // Unannounced ones only, so claims announced already never crowd the batch.
  const rows = await tx.execute<{ id: string }[]>(
    `select d."id" from "demand" d
      where d."status" = any(?::text[]) and d."last_progress_at" <= ? and d."last_progress_at" > ?
        and not exists (select 1 from "event" e where e."topic" = ? and e."entity_id" = d."id"
                          and e."created_at" >= d."last_progress_at")
      order by d."id" limit ? for update of d skip locked`,
    [pgTextArray(ACTIVE_CLAIM_STATUSES), warnBefore, lapseBefore, Topic.CLAIM_LAPSING, SWEEP_BATCH],
  );
  if (rows.length === 0) return [];
  return tx.find(Demand, { id: { $in: rows.map((row) => Number(row.id)) } }, { orderBy: { id: 'asc' } });
}

/**
 * Runs `DemandService.sweep` every `intervalSeconds` (0: never). A run that is still going when the
 * next tick comes is not doubled. Returns the function that stops the timer and waits for a run in
 * progress, for `App.stop()`.
 */
export function startDemandSweep(
  demands: DemandService,
  orm: MikroORM,
  log: Pick<Logger, 'error' | 'info'>,
  intervalSeconds: number,
): () => Promise<void> {
  if (intervalSeconds <= 0) return async () => {};
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = demands
      .sweep(orm.em.fork(), new Date())
      .then(({ expired, lapsed }) => {
        if (expired || lapsed) log.info({ expired, lapsed }, 'demand sweep');
      })
      .catch((err: unknown) => log.error({ err }, 'demand sweep failed'))
      .finally(() => (running = null));
  }, intervalSeconds * 1000);
  timer.unref(); // never keeps the process alive on its own
  return async () => {
    clearInterval(timer);
    await running;
  };
}
