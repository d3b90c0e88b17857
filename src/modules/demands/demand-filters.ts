import { raw, type FilterQuery } from '@mikro-orm/core';
import { partyIdsOf } from './demand-records.js';
import { TargetGroup } from '../categories/target-group.js';
import type { Organization } from '../organizations/organization.entity.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import type { Demand } from './demand.entity.js';
import { DemandStatus } from './demand.enums.js';
import { browsesOpenDemands, type DemandFacts, type DemandViewer } from './demand-access.js';
import { isGeneralAudience, type DemandScope, type OrganizationScope } from './demand-matching.js';

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
