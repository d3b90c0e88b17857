import type { GraphQLResolveInfo } from 'graphql';
import { fieldReadsOf } from '../../core/graphql/field-reads.js';
import { selectedProperties, type SelectionPlan } from '../../core/graphql/selected-properties.js';
import { Organization } from './organization.entity.js';
import { ORGANIZATION_FACT_PROPERTIES } from './organization.policy.js';

/**
 * Which columns an organization read loads for a selection (core/graphql/selected-properties.ts):
 * what the visibility rules read, and what each field resolver declares it reads (`@reads` in
 * organization.resolver.ts and the other resolvers of Organization fields, core/graphql/field-reads.ts).
 */
const ORGANIZATION_PLAN: SelectionPlan = {
  typeName: 'Organization',
  always: ORGANIZATION_FACT_PROPERTIES,
  get resolverReads() {
    return fieldReadsOf(Organization);
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
