import { registerEnumType } from 'type-graphql';

/**
 * Where a demand is in its life (docs/domain.md, "Demands"; the transition table is in
 * `demand-lifecycle.ts`).
 */
export enum DemandStatus {
  OPEN = 'OPEN',
  CLAIMED = 'CLAIMED',
  IN_SERVICE = 'IN_SERVICE',
  FULFILLED = 'FULFILLED',
  CLOSED = 'CLOSED',
  WITHDRAWN = 'WITHDRAWN',
  EXPIRED = 'EXPIRED',
  CLOSED_DUPLICATE = 'CLOSED_DUPLICATE',
}
registerEnumType(DemandStatus, {
  name: 'DemandStatus',
  description: 'OPEN → CLAIMED → IN_SERVICE → FULFILLED → CLOSED, or WITHDRAWN, EXPIRED, CLOSED_DUPLICATE.',
  valuesConfig: {
    OPEN: { description: 'Waiting for an organization to claim it.' },
    CLAIMED: { description: 'An organization has taken it on and not yet reported progress.' },
    IN_SERVICE: { description: 'The claiming organization is serving it.' },
    FULFILLED: { description: 'The claiming organization reports it served; the submitter may rate it.' },
    CLOSED: { description: 'Closed by union moderation, with a reason.' },
    WITHDRAWN: { description: 'Withdrawn by its submitter.' },
    EXPIRED: { description: 'No organization claimed it in time.' },
    CLOSED_DUPLICATE: { description: 'Closed as a duplicate of another demand (`duplicateOf`).' },
  },
});

export enum DemandUrgency {
  LOW = 'LOW',
  NORMAL = 'NORMAL',
  HIGH = 'HIGH',
  URGENT = 'URGENT',
}
registerEnumType(DemandUrgency, { name: 'DemandUrgency', description: 'How soon the workers need help.' });

/** Who put the demand on the platform (职工点单, or a union on workers' behalf). */
export enum DemandSource {
  WORKER = 'WORKER',
  UNION_SURVEY = 'UNION_SURVEY',
  ENTERPRISE = 'ENTERPRISE',
}
registerEnumType(DemandSource, {
  name: 'DemandSource',
  valuesConfig: {
    WORKER: { description: 'Submitted by a worker directly (职工点单).' },
    UNION_SURVEY: { description: 'Entered by union staff from a survey of workers.' },
    ENTERPRISE: { description: 'Entered by union staff from an enterprise’s report.' },
  },
});

/** Order of the demand feed; both are keyset-paginated on (createdAt, id). */
export enum DemandOrder {
  NEWEST = 'NEWEST',
  OLDEST = 'OLDEST',
}
registerEnumType(DemandOrder, {
  name: 'DemandOrder',
  valuesConfig: {
    NEWEST: { description: 'Newest first (the default).' },
    OLDEST: { description: 'Oldest first.' },
  },
});
