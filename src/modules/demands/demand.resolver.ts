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
import type { ReadRecord } from '../../core/read-records.js';
import type { Context } from '../../core/context.js';
import { Role } from '../../core/roles.js';
import { toConnection, type ConnectionShape } from '../../core/relay/connection.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Region } from '../regions/region.entity.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Demand, DemandProgress } from './demand.entity.js';
import { PROGRESS_NOTES_SHOWN } from './demand-progress-notes.js';
import { canSee } from '../organizations/organization.policy.js';
import { revealsContact, revealsSubmitter } from './demand.policy.js';
import { factsOf } from './demand-filters.js';
import { categoryCodeOf, regionCodeOf } from './demand-records.js';
import { demandObjectPropertiesSelected, demandPropertiesSelected } from './demand-selection.js';
import { DemandsArgs, MatchingOrganizationsArgs, SimilarOpenDemandsArgs } from './demand.args.js';
import {
  ClaimDemandInput,
  CloseDemandInput,
  DemandPayload,
  EndorseDemandInput,
  FulfilDemandInput,
  RateDemandInput,
  ReleaseDemandInput,
  ReportDemandProgressInput,
  ReportDemandProgressPayload,
  SubmitDemandInput,
  SubmitDemandPayload,
  WithdrawDemandInput,
} from './demand.inputs.js';
import { DemandConnection, OrganizationMatch, OrganizationMatchConnection } from './demand.types.js';
import { DEMAND_FACT_PROPERTIES } from './demand-filters.js';

/** What each Demand field resolver reads of its demand (the column plan: demand-selection.ts). */
const reads = fieldReads(Demand);

/** The worker-demand feed and lifecycle. Rules live in the demand services; this only maps GraphQL to them. */
@Resolver(() => Demand)
export class DemandResolver {
  @Authorized()
  @Query(() => Demand, {
    nullable: true,
    description:
      'One demand, if you may see it (see `Demand`); null otherwise, as for an unknown id. Anonymous users see no individual demand.',
  })
  demand(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Demand | null> {
    return ctx.services.demandQueries.get(ctx, id);
  }

  @Authorized()
  @Query(() => DemandConnection, {
    description:
      'The worker-demand feed: what you may see, filtered (category and region subtrees, target groups, status, urgency, dates, what an organization can serve), newest first.',
  })
  async demands(
    @Ctx() ctx: Context,
    @Args(() => DemandsArgs) args: DemandsArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<Demand>> {
    const page = await ctx.services.demandQueries.list(ctx, args, demandPropertiesSelected(info));
    return toConnection(DemandConnection, page);
  }

  @Authorized()
  @Query(() => OrganizationMatchConnection, {
    description:
      'Verified organizations that can serve a demand, best fit first, each with the reasons of its score.',
  })
  async matchingOrganizations(
    @Ctx() ctx: Context,
    @Args(() => MatchingOrganizationsArgs) args: MatchingOrganizationsArgs,
  ): Promise<ConnectionShape<OrganizationMatch>> {
    return toConnection(
      OrganizationMatchConnection,
      await ctx.services.demandQueries.matchingOrganizations(ctx, args),
    );
  }

  @Authorized(Role.WORKER)
  @Query(() => [Demand], {
    description:
      'Before she submits: OPEN demands of exactly this category and region that other workers submitted, with a similar title when `title` is given, the most endorsed first, then the newest. Endorse one rather than submit the same need again. For workers.',
  })
  similarOpenDemands(
    @Ctx() ctx: Context,
    @Args(() => SimilarOpenDemandsArgs) args: SimilarOpenDemandsArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ReadRecord<Demand>[]> {
    return ctx.services.demandSubmissions.similarOpenBefore(ctx, args, demandObjectPropertiesSelected(info));
  }

  @Authorized(Role.WORKER, Role.UNION_STAFF)
  @Mutation(() => SubmitDemandPayload, {
    description:
      'A worker submits a demand, or union staff submit one on workers’ behalf (survey, enterprise).',
  })
  async submitDemand(
    @Ctx() ctx: Context,
    @Arg('input', () => SubmitDemandInput) input: SubmitDemandInput,
  ): Promise<SubmitDemandPayload> {
    return { demand: await ctx.services.demandSubmissions.submit(ctx, input) };
  }

  @Authorized(Role.WORKER)
  @Mutation(() => DemandPayload, { description: '"Me too": once per worker; counts toward people affected.' })
  async endorseDemand(
    @Ctx() ctx: Context,
    @Arg('input', () => EndorseDemandInput) input: EndorseDemandInput,
  ): Promise<DemandPayload> {
    return { demand: await ctx.services.demandSubmissions.endorse(ctx, input) };
  }

  @Authorized()
  @Mutation(() => DemandPayload, { description: 'The submitter withdraws the demand.' })
  async withdrawDemand(
    @Ctx() ctx: Context,
    @Arg('input', () => WithdrawDemandInput) input: WithdrawDemandInput,
  ): Promise<DemandPayload> {
    return { demand: await ctx.services.demandSubmissions.withdraw(ctx, input) };
  }

  @Authorized()
  @Mutation(() => DemandPayload, {
    description: 'A verified organization that can serve the demand claims it; one organization at a time.',
  })
  async claimDemand(
    @Ctx() ctx: Context,
    @Arg('input', () => ClaimDemandInput) input: ClaimDemandInput,
  ): Promise<DemandPayload> {
    return { demand: await ctx.services.demandClaims.claim(ctx, input) };
  }

  @Authorized()
  @Mutation(() => DemandPayload, {
    description: 'The claiming organization releases the demand; it is OPEN again.',
  })
  async releaseDemand(
    @Ctx() ctx: Context,
    @Arg('input', () => ReleaseDemandInput) input: ReleaseDemandInput,
  ): Promise<DemandPayload> {
    return { demand: await ctx.services.demandClaims.release(ctx, input) };
  }

  @Authorized()
  @Mutation(() => ReportDemandProgressPayload, {
    description:
      'The claiming organization reports progress; the first report starts the service (IN_SERVICE).',
  })
  reportDemandProgress(
    @Ctx() ctx: Context,
    @Arg('input', () => ReportDemandProgressInput) input: ReportDemandProgressInput,
  ): Promise<ReportDemandProgressPayload> {
    return ctx.services.demandClaims.reportProgress(ctx, input);
  }

  @Authorized()
  @Mutation(() => DemandPayload, {
    description: 'The claiming organization reports the demand served (FULFILLED).',
  })
  async fulfilDemand(
    @Ctx() ctx: Context,
    @Arg('input', () => FulfilDemandInput) input: FulfilDemandInput,
  ): Promise<DemandPayload> {
    return { demand: await ctx.services.demandClaims.fulfil(ctx, input) };
  }

  @Authorized()
  @Mutation(() => DemandPayload, {
    description: 'The submitter rates the service (1–5) after fulfilment; feeds the organization’s rating.',
  })
  async rateDemand(
    @Ctx() ctx: Context,
    @Arg('input', () => RateDemandInput) input: RateDemandInput,
  ): Promise<DemandPayload> {
    return { demand: await ctx.services.demandClaims.rate(ctx, input) };
  }

  @Authorized(Role.UNION_STAFF, Role.ADMIN)
  @Mutation(() => DemandPayload, {
    description:
      'Union moderation: close a demand with a reason, or as a duplicate of another (CLOSED_DUPLICATE).',
  })
  async closeDemand(
    @Ctx() ctx: Context,
    @Arg('input', () => CloseDemandInput) input: CloseDemandInput,
  ): Promise<DemandPayload> {
    return { demand: await ctx.services.demandClaims.close(ctx, input) };
  }

  @reads('category')
  @FieldResolver(() => ServiceCategory)
  category(
    @Ctx() ctx: Context,
    @Root() demand: ReadRecord<Demand>,
  ): ReadRecord<ServiceCategory> | Promise<ReadRecord<ServiceCategory>> {
    return ctx.services.reference.categories.get(ctx.em, categoryCodeOf(demand));
  }

  @reads('region')
  @FieldResolver(() => Region, { description: 'The city or district where the need is.' })
  region(
    @Ctx() ctx: Context,
    @Root() demand: ReadRecord<Demand>,
  ): ReadRecord<Region> | Promise<ReadRecord<Region>> {
    return ctx.services.reference.regions.get(ctx.em, regionCodeOf(demand));
  }

  @reads(...DEMAND_FACT_PROPERTIES)
  @FieldResolver(() => User, {
    nullable: true,
    description:
      "Who submitted it. For an anonymous demand only the submitter and union staff in scope see her (null for everyone else, admins, claimants and endorsers included); otherwise everyone who sees the demand, each User field following User's rules (her name to all).",
  })
  async submittedBy(@Ctx() ctx: Context, @Root() demand: ReadRecord<Demand>): Promise<User | null> {
    const viewer = await ctx.services.demandViewers.viewerFacts(ctx);
    return revealsSubmitter(viewer, factsOf(demand))
      ? demand.submittedBy.loadOrFail({ dataloader: true })
      : null;
  }

  @reads(...DEMAND_FACT_PROPERTIES, 'contact')
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Private contact: shown to the submitter, and to members of the claiming organization if the worker consented and the organization is verified (never to a suspended one). Null for everyone else: union staff, admins, endorsers and browsing organizations included.',
  })
  async contact(@Ctx() ctx: Context, @Root() demand: ReadRecord<Demand>): Promise<string | null> {
    const viewer = await ctx.services.demandViewers.viewerFacts(ctx);
    return revealsContact(viewer, factsOf(demand)) ? (demand.contact ?? null) : null;
  }

  @reads('claimedBy')
  @FieldResolver(() => Organization, { nullable: true, description: 'The organization that claimed it.' })
  claimedBy(@Root() demand: ReadRecord<Demand>): Promise<Organization> | null {
    return demand.claimedBy ? demand.claimedBy.loadOrFail({ dataloader: true }) : null;
  }

  @reads(...DEMAND_FACT_PROPERTIES)
  @FieldResolver(() => [DemandProgress], {
    description: `Notes of its service (progress reports, the fulfilment note, release reasons), oldest first, the latest ${PROGRESS_NOTES_SHOWN} at most. The submitter, the workers who endorsed it, union staff whose scope covers it and admins read all of them; members of an organization read the notes their organization wrote; anyone else none (an empty list).`,
  })
  progressNotes(@Ctx() ctx: Context, @Root() demand: ReadRecord<Demand>): Promise<DemandProgress[]> {
    return ctx.services.demandQueries.progressNotes(ctx, demand);
  }

  @reads('duplicateOf')
  @FieldResolver(() => Demand, {
    nullable: true,
    description: 'For CLOSED_DUPLICATE: the demand it duplicates, if you may see it.',
  })
  async duplicateOf(@Ctx() ctx: Context, @Root() demand: ReadRecord<Demand>): Promise<Demand | null> {
    if (!demand.duplicateOf) return null;
    const [viewer, original] = await Promise.all([
      ctx.services.demandViewers.viewerFacts(ctx),
      demand.duplicateOf.loadOrFail({ dataloader: true }),
    ]);
    return viewer && (await ctx.services.demandViewers.sees(ctx.em, viewer, original)) ? original : null;
  }
}

/** Nested fields of `DemandProgressNote`. */
@Resolver(() => DemandProgress)
export class DemandProgressNoteResolver {
  @FieldResolver(() => Organization, {
    nullable: true,
    description: 'The organization that wrote it; null when you may not see that organization.',
  })
  async organization(@Ctx() ctx: Context, @Root() note: DemandProgress): Promise<Organization | null> {
    const organization = await note.organization.loadOrFail({ dataloader: true });
    return (await canSee(ctx, organization)) ? organization : null;
  }
}

/**
 * What a submission answers besides the demand. The similar demands are searched only when asked
 * for, after the submission committed (so the search never turns a created demand into an error).
 */
@Resolver(() => SubmitDemandPayload)
export class SubmitDemandPayloadResolver {
  @FieldResolver(() => [Demand], {
    description:
      'OPEN demands in the same category and region with a similar title, not yours, the most endorsed first: endorse one instead?',
  })
  similarOpenDemands(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Root() payload: SubmitDemandPayload,
  ): Promise<ReadRecord<Demand>[]> {
    return ctx.services.demandSubmissions.similarOpen(
      ctx,
      payload.demand,
      demandObjectPropertiesSelected(info),
    );
  }
}
