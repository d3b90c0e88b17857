import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { fieldReads } from '../../core/graphql/field-reads.js';
import type { ReadRecord } from '../../core/read-records.js';
import { Organization } from './organization.entity.js';
import { DecideSponsoredGroupInput, OrganizationPayload } from './organization.inputs.js';

const reads = fieldReads(Organization);

/** Community groups and their sponsoring hubs (sponsored-groups.service.ts). */
@Resolver(() => Organization)
export class SponsoredGroupsResolver {
  @reads('sponsor')
  @FieldResolver(() => Organization, {
    nullable: true,
    description:
      'For a COMMUNITY_GROUP: the verified hub that sponsors it and decides on it; null for other kinds or when you may not see the hub.',
  })
  sponsor(@Ctx() ctx: Context, @Root() org: ReadRecord<Organization>): Promise<Organization | null> {
    return ctx.services.sponsoredGroups.sponsorOf(ctx, org);
  }

  @reads('id')
  @FieldResolver(() => [Organization], {
    nullable: true,
    description:
      'For a hub: the community groups it sponsors, PENDING ones first, then by name. For its admins, who decide on them (`decideSponsoredGroup`), and platform admins; null for everyone else.',
  })
  sponsoredGroups(
    @Ctx() ctx: Context,
    @Root() org: ReadRecord<Organization>,
  ): Promise<Organization[] | null> {
    return ctx.services.sponsoredGroups.sponsoredBy(ctx, org);
  }

  @Authorized()
  @Mutation(() => OrganizationPayload, {
    description:
      "Verifies or declines a PENDING community group (the sponsoring hub's admins, platform admins); of two decisions at once the second gets CONFLICT.",
  })
  async decideSponsoredGroup(
    @Ctx() ctx: Context,
    @Arg('input', () => DecideSponsoredGroupInput) input: DecideSponsoredGroupInput,
  ): Promise<OrganizationPayload> {
    return { organization: await ctx.services.sponsoredGroups.decide(ctx, input) };
  }
}
