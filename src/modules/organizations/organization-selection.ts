import type { GraphQLResolveInfo } from 'graphql';
import { selectedProperties, type SelectionPlan } from '../../core/graphql/selected-properties.js';

/** What the visibility rules read of an organization (`canSee`, `organizationFacts`). */
const ACCESS_FACTS = ['id', 'verificationStatus', 'homeRegion'];

/** Which columns an organization read loads for a selection (core/graphql/selected-properties.ts). */
const ORGANIZATION_PLAN: SelectionPlan = {
  typeName: 'Organization',
  always: ACCESS_FACTS,
  // Per Organization field with a resolver (organization.resolver.ts, the Node id): what it reads.
  resolverReads: {
    id: ['id'],
    rating: ['ratingSum', 'ratingCount'],
    homeRegion: ['homeRegion'],
    regionsServed: ['regionCodes'],
    categories: ['categoryCodes'],
    services: ['id'],
    brand: ['brandName', 'brandDescription', 'brandSince'],
    gradeValidUntil: ['gradeValidUntil'],
    verification: ['verificationStatus', 'verificationReason', 'verificationDecidedAt'],
    hub: ['hub'],
    memberOrganizations: ['id'],
    members: ACCESS_FACTS,
    claimedDemands: ACCESS_FACTS,
    applications: ACCESS_FACTS,
  },
};

/** The Organization properties that a field returning one organization reads (null: all). */
export function organizationPropertiesSelected(info: GraphQLResolveInfo): ReadonlySet<string> | null {
  return selectedProperties(info, ORGANIZATION_PLAN, 'object');
}

/** The Organization properties that a connection of organizations reads of each node (null: all). */
export function organizationConnectionPropertiesSelected(
  info: GraphQLResolveInfo,
): ReadonlySet<string> | null {
  return selectedProperties(info, ORGANIZATION_PLAN, 'connection');
}
