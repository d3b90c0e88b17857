import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Info,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { fieldReads } from '../../core/graphql/field-reads.js';
import {
  organizationConnectionPropertiesSelected,
  organizationPropertiesSelected,
} from './organization-selection.js';
import { foreignKeyOf, type ReadRecord } from '../../core/read-records.js';
import type { Context } from '../../core/context.js';
import { ConnectionType, toConnection, type ConnectionShape } from '../../core/relay/connection.js';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from './organization.entity.js';
import { ServiceOffering } from './service.entity.js';
import { HubMembershipRequest, OrganizationMember } from './membership.entity.js';
import { HubMembershipRequestListArgs, OrganizationsArgs } from './organization.args.js';
import {
  AddOrganizationMemberInput,
  AddServiceInput,
  DecideHubMembershipInput,
  HubMembershipPayload,
  OrganizationMemberPayload,
  OrganizationPayload,
  RegisterOrganizationInput,
  RemoveOrganizationMemberInput,
  SetOrganizationMemberRoleInput,
  RemoveOrganizationMemberPayload,
  RemoveServiceInput,
  RemoveServicePayload,
  RequestHubMembershipInput,
  ServicePayload,
  SetHubStatusInput,
  SuspendOrganizationInput,
  UpdateOrganizationInput,
  UpdateServiceInput,
  VerifyOrganizationInput,
} from './organization.inputs.js';
import { Brand, OrganizationStats, Verification } from './organization.types.js';
import { findOrganization, ORGANIZATION_FACT_PROPERTIES } from './organization.policy.js';

/** `OrganizationConnection`: a page of the directory. */
export const OrganizationConnection = ConnectionType(Organization, 'Organization');
export const HubMembershipRequestConnection = ConnectionType(HubMembershipRequest, 'HubMembershipRequest');

/** What each Organization field resolver here reads of its organization (organization-selection.ts). */
const reads = fieldReads(Organization);

/** The directory: queries, mutations and the organization's nested fields. */
@Resolver(() => Organization)
export class OrganizationResolver {
  @Query(() => Organization, {
    nullable: true,
    description: 'One organization by global id or credit code; null if unknown or not visible to you.',
  })
  organization(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('id', () => ID, { nullable: true }) id?: string,
    @Arg('creditCode', () => String, { nullable: true }) creditCode?: string,
  ): Promise<ReadRecord<Organization> | null> {
    return findOrganization(ctx, id, creditCode, organizationPropertiesSelected(info));
  }

  @Query(() => OrganizationConnection, {
    description:
      'Directory search. Anonymous users and workers see verified organizations only; members, union staff in scope and admins also see pending and suspended ones.',
  })
  async organizations(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Args(() => OrganizationsArgs) args: OrganizationsArgs,
  ): Promise<ConnectionShape<Organization>> {
    return toConnection(
      OrganizationConnection,
      await ctx.services.directorySearch.search(ctx, args, organizationConnectionPropertiesSelected(info)),
    );
  }

  @Query(() => OrganizationStats, {
    description:
      'Counts of verified organizations and active services per child region and per child category.',
  })
  async organizationStats(
    @Ctx() ctx: Context,
    @Arg('regionCode', () => String, { nullable: true }) regionCode?: string,
    @Arg('categoryCode', () => String, { nullable: true }) categoryCode?: string,
  ): Promise<OrganizationStats> {
    const stats = await ctx.services.directoryStats.stats(ctx, regionCode, categoryCode);
    const [regions, categories] = await Promise.all([
      ctx.services.reference.regions.many(
        ctx.em,
        stats.byRegion.map((r) => r.code),
      ),
      ctx.services.reference.categories.many(
        ctx.em,
        stats.byCategory.map((c) => c.code),
      ),
    ]);
    return {
      byRegion: stats.byRegion.map((r, i) => ({ ...r, region: regions[i]! })),
      byCategory: stats.byCategory.map((c, i) => ({ ...c, category: categories[i]! })),
    };
  }

  // ------------------------------------------------------------------ mutations

  @Authorized()
  @Mutation(() => OrganizationPayload, {
    description:
      'Registers an organization of any provider kind (its own rule: docs/domain.md, "Providers"); you become its ORG_ADMIN and it is PENDING until verified.',
  })
  async registerOrganization(
    @Ctx() ctx: Context,
    @Arg('input', () => RegisterOrganizationInput) input: RegisterOrganizationInput,
  ): Promise<OrganizationPayload> {
    return { organization: await ctx.services.organizationProfiles.register(ctx, input) };
  }

  @Authorized()
  @Mutation(() => OrganizationPayload, {
    description: "Changes an organization's profile (its admins, admins).",
  })
  async updateOrganization(
    @Ctx() ctx: Context,
    @Arg('input', () => UpdateOrganizationInput) input: UpdateOrganizationInput,
  ): Promise<OrganizationPayload> {
    return { organization: await ctx.services.organizationProfiles.update(ctx, input) };
  }

  @Authorized()
  @Mutation(() => ServicePayload, { description: 'Adds a service (its admins, admins).' })
  addService(
    @Ctx() ctx: Context,
    @Arg('input', () => AddServiceInput) input: AddServiceInput,
  ): Promise<ServicePayload> {
    return ctx.services.serviceOfferings.add(ctx, input);
  }

  @Authorized()
  @Mutation(() => ServicePayload, { description: 'Changes a service (its admins, admins).' })
  updateService(
    @Ctx() ctx: Context,
    @Arg('input', () => UpdateServiceInput) input: UpdateServiceInput,
  ): Promise<ServicePayload> {
    return ctx.services.serviceOfferings.update(ctx, input);
  }

  @Authorized()
  @Mutation(() => RemoveServicePayload, { description: 'Removes a service (its admins, admins).' })
  removeService(
    @Ctx() ctx: Context,
    @Arg('input', () => RemoveServiceInput) input: RemoveServiceInput,
  ): Promise<RemoveServicePayload> {
    return ctx.services.serviceOfferings.remove(ctx, input);
  }

  @Authorized()
  @Mutation(() => OrganizationMemberPayload, { description: 'Adds an existing account as admin or member.' })
  addOrganizationMember(
    @Ctx() ctx: Context,
    @Arg('input', () => AddOrganizationMemberInput) input: AddOrganizationMemberInput,
  ): Promise<OrganizationMemberPayload> {
    return ctx.services.organizationMembers.add(ctx, input);
  }

  @Authorized()
  @Mutation(() => OrganizationMemberPayload, {
    description: "Changes a member's role (its admins); the last admin cannot step down.",
  })
  setOrganizationMemberRole(
    @Ctx() ctx: Context,
    @Arg('input', () => SetOrganizationMemberRoleInput) input: SetOrganizationMemberRoleInput,
  ): Promise<OrganizationMemberPayload> {
    return ctx.services.organizationMembers.setRole(ctx, input);
  }

  @Authorized()
  @Mutation(() => RemoveOrganizationMemberPayload, {
    description: 'Removes a member; the last admin cannot be removed.',
  })
  removeOrganizationMember(
    @Ctx() ctx: Context,
    @Arg('input', () => RemoveOrganizationMemberInput) input: RemoveOrganizationMemberInput,
  ): Promise<RemoveOrganizationMemberPayload> {
    return ctx.services.organizationMembers.remove(ctx, input);
  }

  @Authorized()
  @Mutation(() => OrganizationPayload, {
    description: 'Verifies an organization (union staff whose scope covers its home region, admins).',
  })
  async verifyOrganization(
    @Ctx() ctx: Context,
    @Arg('input', () => VerifyOrganizationInput) input: VerifyOrganizationInput,
  ): Promise<OrganizationPayload> {
    return { organization: await ctx.services.organizationVerification.verify(ctx, input) };
  }

  @Authorized()
  @Mutation(() => OrganizationPayload, {
    description: 'Suspends an organization with a reason (union staff in scope, admins).',
  })
  async suspendOrganization(
    @Ctx() ctx: Context,
    @Arg('input', () => SuspendOrganizationInput) input: SuspendOrganizationInput,
  ): Promise<OrganizationPayload> {
    return { organization: await ctx.services.organizationVerification.suspend(ctx, input) };
  }

  @Authorized()
  @Mutation(() => OrganizationPayload, {
    description: 'Makes a verified organization a hub, or stops it being one (union staff in scope, admins).',
  })
  async setHubStatus(
    @Ctx() ctx: Context,
    @Arg('input', () => SetHubStatusInput) input: SetHubStatusInput,
  ): Promise<OrganizationPayload> {
    return { organization: await ctx.services.organizationVerification.setHubStatus(ctx, input) };
  }

  @Authorized()
  @Mutation(() => HubMembershipPayload, { description: 'Asks a verified hub to accept the organization.' })
  async requestHubMembership(
    @Ctx() ctx: Context,
    @Arg('input', () => RequestHubMembershipInput) input: RequestHubMembershipInput,
  ): Promise<HubMembershipPayload> {
    return { request: await ctx.services.hubMemberships.request(ctx, input) };
  }

  @Authorized()
  @Mutation(() => HubMembershipPayload, { description: "The hub's admin accepts or rejects a request." })
  async decideHubMembership(
    @Ctx() ctx: Context,
    @Arg('input', () => DecideHubMembershipInput) input: DecideHubMembershipInput,
  ): Promise<HubMembershipPayload> {
    return { request: await ctx.services.hubMemberships.decide(ctx, input) };
  }

  // ------------------------------------------------------------------ nested fields (batched)

  @reads('homeRegion')
  @FieldResolver(() => Region, { description: 'The region it is registered in.' })
  homeRegion(
    @Ctx() ctx: Context,
    @Root() org: ReadRecord<Organization>,
  ): ReadRecord<Region> | Promise<ReadRecord<Region>> {
    const code = foreignKeyOf<Organization>(org, 'homeRegion') as string;
    return ctx.services.reference.regions.get(ctx.em, code);
  }

  @reads('regionCodes')
  @FieldResolver(() => [Region], { description: 'Regions it serves; each covers its whole subtree.' })
  regionsServed(
    @Ctx() ctx: Context,
    @Root() org: ReadRecord<Organization>,
  ): ReadRecord<Region>[] | Promise<ReadRecord<Region>[]> {
    return ctx.services.reference.regions.many(ctx.em, org.regionCodes);
  }

  @reads('categoryCodes')
  @FieldResolver(() => [ServiceCategory], { description: 'Categories it serves; each covers its subtree.' })
  categories(
    @Ctx() ctx: Context,
    @Root() org: ReadRecord<Organization>,
  ): ReadRecord<ServiceCategory>[] | Promise<ReadRecord<ServiceCategory>[]> {
    return ctx.services.reference.categories.many(ctx.em, org.categoryCodes);
  }

  @reads('id')
  @FieldResolver(() => [ServiceOffering], {
    description: 'Its services; retired ones only for its admins and platform admins (also by `node(id:)`).',
  })
  services(@Ctx() ctx: Context, @Root() org: ReadRecord<Organization>): Promise<ServiceOffering[]> {
    return ctx.services.serviceOfferings.listOf(ctx, org);
  }

  @reads('brandName', 'brandDescription', 'brandSince')
  @FieldResolver(() => Brand, { nullable: true, description: '一组织一品牌: its featured programme.' })
  brand(@Root() org: ReadRecord<Organization>): Brand | null {
    return org.brandName
      ? { name: org.brandName, description: org.brandDescription ?? null, since: org.brandSince ?? null }
      : null;
  }

  @reads('gradeValidUntil')
  @FieldResolver(() => String, { nullable: true, description: 'ISO date until which the grade is valid.' })
  gradeValidUntil(@Root() org: ReadRecord<Organization>): string | null {
    return org.gradeValidUntil ?? null;
  }

  @reads('verificationStatus', 'verificationReason', 'verificationDecidedAt')
  @FieldResolver(() => Verification, { description: 'Verification status and the last decision.' })
  verification(@Root() org: ReadRecord<Organization>): Verification {
    return {
      status: org.verificationStatus,
      reason: org.verificationReason ?? null,
      decidedAt: org.verificationDecidedAt ?? null,
    };
  }

  @reads('hub')
  @FieldResolver(() => Organization, {
    nullable: true,
    description: 'The hub it is an accepted member of; null when you may not see the hub.',
  })
  hub(@Ctx() ctx: Context, @Root() org: ReadRecord<Organization>): Promise<Organization | null> {
    return ctx.services.hubMemberships.hubOf(ctx, org);
  }

  @reads('id')
  @FieldResolver(() => [Organization], { description: 'For a hub: its member organizations you may see.' })
  memberOrganizations(@Ctx() ctx: Context, @Root() org: ReadRecord<Organization>): Promise<Organization[]> {
    return ctx.services.hubMemberships.memberOrganizations(ctx, org);
  }

  @reads('id')
  @FieldResolver(() => HubMembershipRequestConnection, {
    nullable: true,
    description:
      'For a hub: the requests other organizations sent to join it, newest first (in `status` when given). For its admins, who decide them (`decideHubMembership`), and platform admins; null for everyone else.',
  })
  async hubMembershipRequests(
    @Ctx() ctx: Context,
    @Root() org: ReadRecord<Organization>,
    @Args(() => HubMembershipRequestListArgs) args: HubMembershipRequestListArgs,
  ): Promise<ConnectionShape<HubMembershipRequest> | null> {
    const page = await ctx.services.hubMemberships.requestsTo(ctx, org, args);
    return page && toConnection(HubMembershipRequestConnection, page);
  }

  @reads(...ORGANIZATION_FACT_PROPERTIES)
  @FieldResolver(() => [OrganizationMember], {
    nullable: true,
    description: 'Its members: for its own members, union staff in scope and admins; null for others.',
  })
  members(@Ctx() ctx: Context, @Root() org: ReadRecord<Organization>): Promise<OrganizationMember[] | null> {
    return ctx.services.organizationMembers.listOf(ctx, org);
  }
}

/** Nested fields of `Service`. */
@Resolver(() => ServiceOffering)
export class ServiceFieldResolver {
  @FieldResolver(() => Organization, { description: 'The organization offering it.' })
  organization(@Root() service: ServiceOffering): Promise<Organization> {
    return service.organization.loadOrFail({ dataloader: true });
  }

  @FieldResolver(() => [ServiceCategory])
  categories(
    @Ctx() ctx: Context,
    @Root() service: ServiceOffering,
  ): ReadRecord<ServiceCategory>[] | Promise<ReadRecord<ServiceCategory>[]> {
    return ctx.services.reference.categories.many(ctx.em, service.categoryCodes);
  }

  @FieldResolver(() => [Region], { description: 'Regions where it is offered; each covers its subtree.' })
  regions(
    @Ctx() ctx: Context,
    @Root() service: ServiceOffering,
  ): ReadRecord<Region>[] | Promise<ReadRecord<Region>[]> {
    return ctx.services.reference.regions.many(ctx.em, service.regionCodes);
  }
}

/** Nested fields of `OrganizationMember`. */
@Resolver(() => OrganizationMember)
export class OrganizationMemberFieldResolver {
  @FieldResolver(() => User, {
    description: "The member; her fields follow User's rules (fellow members see her name only).",
  })
  user(@Root() member: OrganizationMember): Promise<User> {
    return member.user.loadOrFail({ dataloader: true });
  }
}

/** Nested fields of `HubMembershipRequest`. */
@Resolver(() => HubMembershipRequest)
export class HubMembershipRequestFieldResolver {
  @FieldResolver(() => Organization, { description: 'The organization asking to join.' })
  organization(@Root() request: HubMembershipRequest): Promise<Organization> {
    return request.organization.loadOrFail({ dataloader: true });
  }

  @FieldResolver(() => Organization)
  hub(@Root() request: HubMembershipRequest): Promise<Organization> {
    return request.hub.loadOrFail({ dataloader: true });
  }
}
