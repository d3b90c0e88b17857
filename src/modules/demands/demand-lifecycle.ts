import { DemandStatus } from './demand.enums.js';

/**
 * The demand state machine as data: for each status, the statuses it may move to. Kept pure (no
 * ORM, no clock) so the whole table is unit-tested and the entity, the service and the sweep all
 * consult the same rules.
 */
export const DEMAND_TRANSITIONS: Readonly<Record<DemandStatus, readonly DemandStatus[]>> = {
  [DemandStatus.OPEN]: [
    DemandStatus.CLAIMED,
    DemandStatus.WITHDRAWN,
    DemandStatus.EXPIRED,
    DemandStatus.CLOSED,
    DemandStatus.CLOSED_DUPLICATE,
  ],
  // Back to OPEN: released by the organization, or the claim lapsed without progress.
  [DemandStatus.CLAIMED]: [
    DemandStatus.IN_SERVICE,
    DemandStatus.FULFILLED,
    DemandStatus.OPEN,
    DemandStatus.WITHDRAWN,
    DemandStatus.CLOSED,
    DemandStatus.CLOSED_DUPLICATE,
  ],
  [DemandStatus.IN_SERVICE]: [
    DemandStatus.FULFILLED,
    DemandStatus.OPEN,
    DemandStatus.WITHDRAWN,
    DemandStatus.CLOSED,
  ],
  // After fulfilment only moderation can close it (rating does not change the status).
  [DemandStatus.FULFILLED]: [DemandStatus.CLOSED],
  [DemandStatus.CLOSED]: [],
  [DemandStatus.WITHDRAWN]: [],
  [DemandStatus.EXPIRED]: [],
  [DemandStatus.CLOSED_DUPLICATE]: [],
};

/** Whether a demand in `from` may move to `to`. */
export function canTransition(from: DemandStatus, to: DemandStatus): boolean {
  return DEMAND_TRANSITIONS[from].includes(to);
}

/** Statuses that no transition leaves. */
export function isFinal(status: DemandStatus): boolean {
  return DEMAND_TRANSITIONS[status].length === 0;
}

/** Statuses in which the demand counts against its organization's cap of open claims. */
export const ACTIVE_CLAIM_STATUSES: readonly DemandStatus[] = [DemandStatus.CLAIMED, DemandStatus.IN_SERVICE];

/**
 * The statuses from which a demand may move to `to`: the `status in (...)` guard of the conditional
 * UPDATEs that make concurrent transitions safe (the row changes only if it is still in one of them).
 */
export function statusesThatMayBecome(to: DemandStatus): DemandStatus[] {
  return (Object.keys(DEMAND_TRANSITIONS) as DemandStatus[]).filter((from) => canTransition(from, to));
}
