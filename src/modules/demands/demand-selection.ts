import type { GraphQLResolveInfo } from 'graphql';
import { selectedProperties, type SelectionPlan } from '../../core/graphql/selected-properties.js';

/** What the access rules read of a demand (`factsOf`, demand-filters.ts). */
const ACCESS_FACTS = ['submittedBy', 'claimedBy', 'status', 'regionPath', 'anonymous', 'contactConsent'];

/** Which columns a demand read loads for a selection (core/graphql/selected-properties.ts). */
const DEMAND_PLAN: SelectionPlan = {
  typeName: 'Demand',
  // The key, and the keyset of a feed page's cursors.
  always: ['id', 'createdAt'],
  // Per Demand field with a resolver (demand.resolver.ts, the Node id): what it reads.
  resolverReads: {
    id: ['id'],
    category: ['category'],
    region: ['region'],
    submittedBy: ACCESS_FACTS,
    contact: [...ACCESS_FACTS, 'contact'],
    claimedBy: ['claimedBy'],
    duplicateOf: ['duplicateOf'],
    progressNotes: ACCESS_FACTS,
  },
};

/** The Demand properties that a demand connection's selection reads (null: all). */
export function demandPropertiesSelected(info: GraphQLResolveInfo): ReadonlySet<string> | null {
  return selectedProperties(info, DEMAND_PLAN, 'connection');
}

/** The Demand properties that a field returning a demand (or a plain list of them) reads (null: all). */
export function demandObjectPropertiesSelected(info: GraphQLResolveInfo): ReadonlySet<string> | null {
  return selectedProperties(info, DEMAND_PLAN, 'object');
}
