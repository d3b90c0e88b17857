import { Field, Float, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/relay/connection.js';
import { Organization } from '../organizations/organization.entity.js';
import { Demand } from './demand.entity.js';

@ObjectType({ description: 'An organization that can serve a demand, with how well it fits and why.' })
export class OrganizationMatch {
  @Field(() => Organization)
  organization!: Organization;

  @Field(() => Float, {
    description:
      'Fit from 0 to 100: category (exact or ancestor), region (exact or ancestor), target group, worker rating and spare claim capacity. How the organization was founded never counts.',
  })
  score!: number;

  @Field(() => [String], { description: 'One line per part of the score, with its points.' })
  reasons!: string[];
}

/** `demands(...)`: a page of the feed. */
export const DemandConnection = ConnectionType(Demand, 'Demand');

/** `matchingOrganizations(...)`: ranked organizations, best first. */
export const OrganizationMatchConnection = ConnectionType(OrganizationMatch, 'OrganizationMatch');
