import type { GraphQLResolveInfo } from 'graphql';
import { fieldReadsOf } from '../../core/graphql/field-reads.js';
import { selectedProperties, type SelectionPlan } from '../../core/graphql/selected-properties.js';
import { Demand } from './demand.entity.js';

/**
 * Which columns a demand read loads for a selection (core/graphql/selected-properties.ts): what
 * each field resolver declares it reads (`@reads` in demand.resolver.ts, core/graphql/field-reads.ts).
 */
const DEMAND_PLAN: SelectionPlan = {
  typeName: 'Demand',
  // The key, and the keyset of a feed page's cursors.
  always: ['id', 'createdAt'],
  get resolverReads() {
    return fieldReadsOf(Demand);
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
