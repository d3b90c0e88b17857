import { registerEnumType } from 'type-graphql';

/**
 * Where a milestone of a contract stands: PENDING until the organization reports it, REPORTED until
 * the publisher decides, then ACCEPTED (its payment falls due) or RETURNED (to be reported again).
 */
export enum MilestoneStatus {
  PENDING = 'PENDING',
  REPORTED = 'REPORTED',
  ACCEPTED = 'ACCEPTED',
  RETURNED = 'RETURNED',
}
registerEnumType(MilestoneStatus, {
  name: 'MilestoneStatus',
  description: 'Where a milestone of a project contract stands.',
  valuesConfig: {
    PENDING: { description: 'Not reported yet.' },
    REPORTED: { description: 'Reported by the organization; the publisher decides.' },
    ACCEPTED: { description: 'Accepted by the publisher: its payment is due.' },
    RETURNED: { description: 'Returned by the publisher with a reason; the organization reports it again.' },
  },
});
