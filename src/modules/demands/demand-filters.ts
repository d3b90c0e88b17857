import { raw, type FilterQuery } from '@mikro-orm/core';
import { partyIdsOf } from './demand-records.js';
import { TargetGroup } from '../categories/target-group.js';
import type { Organization } from '../organizations/organization.entity.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import type { Demand } from './demand.entity.js';
import type { DemandFacts } from './demand.policy.js';
import { isGeneralAudience, type DemandScope } from './demand-matching.js';
import type { ReadRecord } from '../../core/read-records.js';

/** The properties {@link factsOf} reads: every field whose rule is decided by the facts reads them. */
export const DEMAND_FACT_PROPERTIES = [
  'submittedBy',
  'claimedBy',
  'status',
  'regionPath',
  'anonymous',
  'contactConsent',
] as const satisfies readonly (keyof Demand)[];

/** The facts of a loaded demand, for the pure access rules. */
export function factsOf(demand: ReadRecord<Demand>): DemandFacts {
  return {
    ...partyIdsOf(demand),
    status: demand.status,
    regionPath: demand.regionPath,
    anonymous: demand.anonymous,
    contactConsent: demand.contactConsent,
  };
}

/** A demand as the matcher sees it. */
export function scopeOf(demand: ReadRecord<Demand>): DemandScope {
  return {
    categoryPath: demand.categoryPath,
    regionPath: demand.regionPath,
    targetGroups: demand.targetGroups,
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
