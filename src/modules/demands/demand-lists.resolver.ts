import { Args, Ctx, FieldResolver, Info, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { fieldReads } from '../../core/graphql/field-reads.js';
import type { ReadRecord } from '../../core/read-records.js';
import type { Context } from '../../core/context.js';
import { toConnection, type ConnectionShape } from '../../core/relay/connection.js';
import { viewerFactsOf } from '../organizations/viewer-facts.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import {
  canSeeClaims,
  organizationFacts,
  ORGANIZATION_FACT_PROPERTIES,
} from '../organizations/organization.policy.js';
import type { Demand } from './demand.entity.js';
import { DemandListArgs } from './demand.args.js';
import { demandPropertiesSelected } from './demand-selection.js';
import { DemandConnection } from './demand.types.js';

/** One page of a list of demands (`listOf` applies the demand visibility rules), as a connection. */
async function demandList(
  ctx: Context,
  list: Parameters<Context['services']['demandQueries']['listOf']>[1],
  args: DemandListArgs,
  info: GraphQLResolveInfo,
): Promise<ConnectionShape<Demand>> {
  return toConnection(
    DemandConnection,
    await ctx.services.demandQueries.listOf(ctx, list, args, demandPropertiesSelected(info)),
  );
}

/** `User.submittedDemands` and `User.endorsedDemands`: a worker's own lists, for herself alone. */
@Resolver(() => User)
export class UserDemandsResolver {
  @FieldResolver(() => DemandConnection, {
    nullable: true,
    description:
      'The demands she submitted, newest first (in `status` when given). For the user herself only; null for everyone else.',
  })
  async submittedDemands(
    @Ctx() ctx: Context,
    @Root() user: User,
    @Args(() => DemandListArgs) args: DemandListArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<Demand> | null> {
    if (ctx.viewer?.userId !== user.id) return null;
    return demandList(ctx, { submittedBy: user.id }, args, info);
  }

  @FieldResolver(() => DemandConnection, {
    nullable: true,
    description:
      'The demands she endorsed ("me too"), newest first, whatever their status now (never with their contact). For the user herself only; null for everyone else.',
  })
  async endorsedDemands(
    @Ctx() ctx: Context,
    @Root() user: User,
    @Args(() => DemandListArgs) args: DemandListArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<Demand> | null> {
    if (ctx.viewer?.userId !== user.id) return null;
    return demandList(ctx, { endorsedBy: user.id }, args, info);
  }
}

/** What `claimedDemands` reads of its organization (organization-selection.ts). */
const organizationReads = fieldReads(Organization);

/** `Organization.claimedDemands`: what an organization has taken on. */
@Resolver(() => Organization)
export class OrganizationDemandsResolver {
  @organizationReads(...ORGANIZATION_FACT_PROPERTIES)
  @FieldResolver(() => DemandConnection, {
    nullable: true,
    description:
      'The demands it holds as claimant now (CLAIMED, IN_SERVICE, and those it FULFILLED), newest first (in `status` when given). For its members, union staff whose scope covers its home region (each demand still only if their scope covers it) and admins; null for everyone else.',
  })
  async claimedDemands(
    @Ctx() ctx: Context,
    @Root() organization: ReadRecord<Organization>,
    @Args(() => DemandListArgs) args: DemandListArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<Demand> | null> {
    const viewer = viewerFactsOf(ctx.viewer);
    if (!viewer || !canSeeClaims(viewer, await organizationFacts(ctx.em, organization))) return null;
    return demandList(ctx, { claimedBy: organization.id }, args, info);
  }
}
