import { Arg, Args, Authorized, Ctx, FieldResolver, Float, Mutation, Resolver, Root } from 'type-graphql';
import { toConnection, type ConnectionShape } from '../../core/relay/connection.js';
import { fieldReads } from '../../core/graphql/field-reads.js';
import type { ReadRecord } from '../../core/read-records.js';
import { ApplicationListArgs } from './project.args.js';
import { ApplicantEligibility, ProjectApplicationConnection } from './project.types.js';
import type { Context } from '../../core/context.js';
import { money, Money } from '../../core/money.js';
import { Role } from '../../core/roles.js';
import { Organization } from '../organizations/organization.entity.js';
import { CriterionScore, ProjectApplication } from './application.entity.js';
import { Project } from './project.entity.js';
import {
  ApplicationPayload,
  ApplyToProjectInput,
  ScoreApplicationInput,
  ShortlistApplicationInput,
  WithdrawApplicationInput,
} from './project.inputs.js';

@Resolver(() => ProjectApplication)
export class ApplicationResolver {
  @Authorized(Role.ORG_ADMIN)
  @Mutation(() => ApplicationPayload, {
    description:
      'An organization admin applies inside the application period; an ineligible organization gets FORBIDDEN with `extensions.reason`.',
  })
  async applyToProject(
    @Ctx() ctx: Context,
    @Arg('input', () => ApplyToProjectInput) input: ApplyToProjectInput,
  ): Promise<ApplicationPayload> {
    return { application: await ctx.services.projectApplications.apply(ctx, input) };
  }

  @Authorized(Role.ORG_ADMIN)
  @Mutation(() => ApplicationPayload, { description: 'The applicant withdraws before the award.' })
  async withdrawApplication(
    @Ctx() ctx: Context,
    @Arg('input', () => WithdrawApplicationInput) input: WithdrawApplicationInput,
  ): Promise<ApplicationPayload> {
    return { application: await ctx.services.projectApplications.withdraw(ctx, input.applicationId) };
  }

  @Authorized(Role.UNION_STAFF, Role.GOV_STAFF, Role.ENTERPRISE_STAFF)
  @Mutation(() => ApplicationPayload, { description: "The publisher's staff shortlist an application." })
  async shortlistApplication(
    @Ctx() ctx: Context,
    @Arg('input', () => ShortlistApplicationInput) input: ShortlistApplicationInput,
  ): Promise<ApplicationPayload> {
    return { application: await ctx.services.projectApplications.shortlist(ctx, input.applicationId) };
  }

  @Authorized(Role.UNION_STAFF, Role.GOV_STAFF, Role.ENTERPRISE_STAFF)
  @Mutation(() => ApplicationPayload, {
    description:
      "The publisher's staff score an application against the project's award criteria while it is EVALUATING; scoring again replaces the scores (audited; of two at once, the later wins).",
  })
  async scoreApplication(
    @Ctx() ctx: Context,
    @Arg('input', () => ScoreApplicationInput) input: ScoreApplicationInput,
  ): Promise<ApplicationPayload> {
    return { application: await ctx.services.projectScoring.score(ctx, input) };
  }

  @FieldResolver(() => [CriterionScore], {
    nullable: true,
    description:
      "The scores on each award criterion, in the criteria's order: for admins, the project's publisher's staff and the applicant's members; null for others, or before scoring.",
  })
  async scores(
    @Ctx() ctx: Context,
    @Root() application: ProjectApplication,
  ): Promise<CriterionScore[] | null> {
    if (!application.scores) return null;
    return (await ctx.services.projectQueries.readsReview(ctx, application)) ? application.scores : null;
  }

  @FieldResolver(() => Float, {
    nullable: true,
    description:
      'The weighted score, 0 to 100 (Σ score × weight / 100, exact to two decimals); seen as `scores`.',
  })
  async weightedScore(@Ctx() ctx: Context, @Root() application: ProjectApplication): Promise<number | null> {
    if (application.weightedScoreCenti == null) return null;
    return (await ctx.services.projectQueries.readsReview(ctx, application))
      ? application.weightedScoreCenti / 100
      : null;
  }

  @FieldResolver(() => Project)
  project(@Root() application: ProjectApplication): Promise<Project> {
    return application.project.loadOrFail({ dataloader: true });
  }

  @FieldResolver(() => Organization)
  organization(@Root() application: ProjectApplication): Promise<Organization> {
    return application.organization.loadOrFail({ dataloader: true });
  }

  @FieldResolver(() => Money, { description: 'The amount the organization asked for.' })
  requested(@Root() application: ProjectApplication): Money {
    return money(application.requestedFen);
  }

  @FieldResolver(() => ApplicantEligibility, {
    nullable: true,
    description:
      "Whether the applicant may apply now, and every rule it fails: for admins, the project's publisher's staff and the applicant's members; null for others.",
  })
  eligibility(
    @Ctx() ctx: Context,
    @Root() application: ProjectApplication,
  ): Promise<ApplicantEligibility | null> {
    return ctx.services.projectQueries.applicantEligibility(ctx, application);
  }

  @FieldResolver(() => Money, { nullable: true, description: 'The amount awarded; null unless AWARDED.' })
  awarded(@Root() application: ProjectApplication): Money | null {
    return application.awardedFen == null ? null : money(application.awardedFen);
  }
}

/** What `applications` reads of its organization (organization-selection.ts). */
const organizationReads = fieldReads(Organization);

/** `Organization.applications`: an organization's applications (申报) to projects. */
@Resolver(() => Organization)
export class OrganizationApplicationsResolver {
  @organizationReads('id')
  @FieldResolver(() => ProjectApplicationConnection, {
    nullable: true,
    description:
      "Its applications to projects, newest first (in `status` when given): all of them for its members and admins; for a publisher's staff, those to their publisher's projects; null for everyone else.",
  })
  async applications(
    @Ctx() ctx: Context,
    @Root() organization: ReadRecord<Organization>,
    @Args(() => ApplicationListArgs) args: ApplicationListArgs,
  ): Promise<ConnectionShape<ProjectApplication> | null> {
    const page = await ctx.services.projectQueries.applicationsOf(ctx, organization.id, args);
    return page && toConnection(ProjectApplicationConnection, page);
  }
}
