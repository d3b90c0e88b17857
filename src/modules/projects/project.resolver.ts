import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../core/context.js';
import { money, Money } from '../../core/money.js';
import { ConnectionArgs, toConnection, type ConnectionShape } from '../../core/relay/connection.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { Role } from '../../core/roles.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Region } from '../regions/region.entity.js';
import { Demand } from '../demands/demand.entity.js';
import { ProjectApplication } from './application.entity.js';
import { Project, ProjectAmendment } from './project.entity.js';
import { ProjectStatus } from './project.enums.js';
import { ProjectsArgs } from './project.args.js';
import {
  AwardProjectInput,
  AwardProjectPayload,
  CancelProjectInput,
  CompleteProjectInput,
  CreateProjectFromDemandsInput,
  CreateProjectFromDemandsPayload,
  PlanProjectInput,
  ProjectPayload,
  PublishProjectInput,
  PublishProjectPayload,
  ReportProjectDemandsInput,
  ReportProjectDemandsPayload,
  StartProjectInput,
  UpdateProjectInput,
  UpdateProjectPayload,
} from './project.inputs.js';
import { AWARD_DECIDED_STATUSES, projectStatusAt } from './project-lifecycle.js';
import {
  ApplicantEligibility,
  applicantEligibilityOf,
  ProjectApplicationConnection,
  ProjectConnection,
  ProjectEligibility,
  ProjectPlan,
} from './project.types.js';
import { Publisher } from './publisher.entity.js';
import type { ReadRecord } from '../../core/read-records.js';

/** Staff roles that act for publishers. */
const PUBLISHER_ROLES = [Role.UNION_STAFF, Role.GOV_STAFF, Role.ENTERPRISE_STAFF];

@Resolver(() => Project)
export class ProjectResolver {
  @Query(() => ProjectConnection, {
    description: 'Purchase-of-service projects: public ones, plus your own publisher’s drafts.',
  })
  async projects(
    @Ctx() ctx: Context,
    @Args(() => ProjectsArgs) args: ProjectsArgs,
  ): Promise<ConnectionShape<Project>> {
    return toConnection(ProjectConnection, await ctx.services.projectQueries.list(ctx, args));
  }

  @Query(() => Project, { nullable: true, description: 'One project by id, if you may see it.' })
  project(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Project | null> {
    return ctx.services.projectQueries.get(ctx, parseIdOf('Project', id, 'id'));
  }

  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => PublishProjectPayload, {
    description: "A publisher's staff create a project (draft or published) or publish a draft.",
  })
  async publishProject(
    @Ctx() ctx: Context,
    @Arg('input', () => PublishProjectInput) input: PublishProjectInput,
  ): Promise<PublishProjectPayload> {
    return { project: await ctx.services.projectPublishing.publish(ctx, input) };
  }

  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => ProjectPayload, {
    description:
      "A publisher's staff announce a project as a plan (采购意向; PLANNED: public, pushed to eligible organizations as `projectPublished`), new or from a draft; it is published as a tender later with `publishProject(projectId)`, or cancelled.",
  })
  async planProject(
    @Ctx() ctx: Context,
    @Arg('input', () => PlanProjectInput) input: PlanProjectInput,
  ): Promise<ProjectPayload> {
    return { project: await ctx.services.projectPublishing.plan(ctx, input) };
  }

  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => UpdateProjectPayload, {
    description: 'Edits a draft, or amends a published project with a rationale (kept and public).',
  })
  updateProject(
    @Ctx() ctx: Context,
    @Arg('input', () => UpdateProjectInput) input: UpdateProjectInput,
  ): Promise<UpdateProjectPayload> {
    return ctx.services.projectPublishing.update(ctx, input);
  }

  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => ProjectPayload, {
    description: 'Cancels a project, or ends it UNSUCCESSFUL, with a reason.',
  })
  async cancelProject(
    @Ctx() ctx: Context,
    @Arg('input', () => CancelProjectInput) input: CancelProjectInput,
  ): Promise<ProjectPayload> {
    return { project: await ctx.services.projectPublishing.cancel(ctx, input) };
  }

  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => AwardProjectPayload, {
    description: 'Awards an evaluated project to one or more applications; the others are rejected.',
  })
  awardProject(
    @Ctx() ctx: Context,
    @Arg('input', () => AwardProjectInput) input: AwardProjectInput,
  ): Promise<AwardProjectPayload> {
    return ctx.services.projectAwards.award(ctx, input);
  }

  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => ProjectPayload, {
    description:
      'An awarded project starts delivery (IN_PROGRESS) without a contract recorded in the hub; `signContract` signs and starts.',
    deprecationReason: 'Use signContract: signing the contract starts delivery.',
  })
  async startProject(
    @Ctx() ctx: Context,
    @Arg('input', () => StartProjectInput) input: StartProjectInput,
  ): Promise<ProjectPayload> {
    return { project: await ctx.services.projectAwards.start(ctx, input) };
  }

  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => ProjectPayload, {
    description: "Completes delivery with the outcome and the publisher's evaluation.",
  })
  async completeProject(
    @Ctx() ctx: Context,
    @Arg('input', () => CompleteProjectInput) input: CompleteProjectInput,
  ): Promise<ProjectPayload> {
    return { project: await ctx.services.projectAwards.complete(ctx, input) };
  }

  @Authorized(Role.ORG_ADMIN)
  @Mutation(() => ReportProjectDemandsPayload, {
    description:
      'The winning organization reports which of the demands the project was made from it fulfilled (IN_PROGRESS or COMPLETED projects): they become FULFILLED, and their submitters and endorsers hear of it over `demandUpdated`.',
  })
  reportProjectDemands(
    @Ctx() ctx: Context,
    @Arg('input', () => ReportProjectDemandsInput) input: ReportProjectDemandsInput,
  ): Promise<ReportProjectDemandsPayload> {
    return ctx.services.projectAwards.reportDemands(ctx, input);
  }

  @Authorized(Role.UNION_STAFF)
  @Mutation(() => CreateProjectFromDemandsPayload, {
    description:
      '职工点单、工会买单: union staff turn OPEN worker demands in their scope (one category) into a DRAFT project linked to them. When it is awarded, the demands become CLAIMED by the winner.',
  })
  async createProjectFromDemands(
    @Ctx() ctx: Context,
    @Arg('input', () => CreateProjectFromDemandsInput) input: CreateProjectFromDemandsInput,
  ): Promise<CreateProjectFromDemandsPayload> {
    return { project: await ctx.services.projectsFromDemands.createFromDemands(ctx, input) };
  }

  @FieldResolver(() => [Demand], {
    description:
      'The worker demands this project was made from (`createProjectFromDemands`), those you may see.',
  })
  linkedDemands(@Ctx() ctx: Context, @Root() project: Project): Promise<Demand[]> {
    return ctx.services.projectQueries.linkedDemands(ctx, project);
  }

  @FieldResolver(() => Int, { description: 'How many worker demands this project was made from.' })
  async linkedDemandCount(@Ctx() ctx: Context, @Root() project: Project): Promise<number> {
    return (await ctx.loaders.projects.demandTotals.load(project.id)).count;
  }

  @FieldResolver(() => Int, {
    description: 'Workers concerned: the sum of `peopleAffected` over the linked demands, as of now.',
  })
  async demandPeopleAffected(@Ctx() ctx: Context, @Root() project: Project): Promise<number> {
    return (await ctx.loaders.projects.demandTotals.load(project.id)).peopleAffected;
  }

  @FieldResolver(() => Int, {
    description: 'Workers who said "me too": the sum of endorsements over the linked demands, as of now.',
  })
  async demandEndorsements(@Ctx() ctx: Context, @Root() project: Project): Promise<number> {
    return (await ctx.loaders.projects.demandTotals.load(project.id)).endorsements;
  }

  @FieldResolver(() => Publisher)
  publisher(@Root() project: Project): Promise<Publisher> {
    return project.publisher.loadOrFail({ dataloader: true });
  }

  @FieldResolver(() => ServiceCategory)
  category(
    @Ctx() ctx: Context,
    @Root() project: Project,
  ): ReadRecord<ServiceCategory> | Promise<ReadRecord<ServiceCategory>> {
    return ctx.services.reference.categories.get(ctx.em, project.category.code);
  }

  @FieldResolver(() => [Region], { description: 'The regions the service is for.' })
  regions(
    @Ctx() ctx: Context,
    @Root() project: Project,
  ): ReadRecord<Region>[] | Promise<ReadRecord<Region>[]> {
    return ctx.services.reference.regions.many(ctx.em, project.regionCodes);
  }

  @FieldResolver(() => Money, { description: 'The budget (exact, in fen).' })
  budget(@Root() project: Project): Money {
    return money(project.budgetFen);
  }

  @FieldResolver(() => ProjectPlan, {
    nullable: true,
    description: 'What the project announced as a plan; null if it was never announced as one.',
  })
  plan(@Root() project: Project): ProjectPlan | null {
    const plan = project.plan;
    return plan
      ? {
          expectedBudget: money(plan.budgetFen),
          expectedOpensAt: new Date(plan.applicationOpensAt),
          expectedClosesAt: new Date(plan.applicationClosesAt),
          announcedAt: new Date(plan.announcedAt),
        }
      : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Why the winners won, against the award criteria: public with the award (null before it, or when none was given).',
  })
  awardJustification(@Root() project: Project): string | null {
    return AWARD_DECIDED_STATUSES.includes(project.status) ? (project.awardJustification ?? null) : null;
  }

  @FieldResolver(() => ProjectEligibility)
  eligibility(@Root() project: Project): ProjectEligibility {
    return {
      verifiedOnly: project.verifiedOnly,
      minGrade: project.minGrade,
      allowedFoundingTypes: project.allowedFoundingTypes,
      mustServeRegions: project.mustServeRegions,
      allowedProviderKinds: project.allowedProviderKinds,
    };
  }

  @FieldResolver(() => ApplicantEligibility, {
    nullable: true,
    description:
      "Whether this organization may apply to the project, and the rules it fails, judged as `applyToProject` judges. For the organization's members, union staff whose scope covers it and admins; null for everyone else.",
  })
  async eligibilityFor(
    @Ctx() ctx: Context,
    @Root() project: Project,
    @Arg('organizationId', () => ID) organizationId: string,
  ): Promise<ApplicantEligibility | null> {
    const verdict = await ctx.loaders.projectEligibility.load({
      actor: ctx,
      organizationId: parseIdOf('Organization', organizationId, 'organizationId'),
      project,
    });
    return verdict && applicantEligibilityOf(verdict);
  }

  @FieldResolver(() => ProjectStatus, {
    description:
      'Where the project is in its lifecycle, as of now: a published project whose application period has closed is EVALUATING.',
  })
  status(@Root() project: Project): ProjectStatus {
    return projectStatusAt(project, new Date());
  }

  @FieldResolver(() => Boolean, { description: 'Whether applications are accepted right now.' })
  isOpenForApplications(@Root() project: Project): boolean {
    const now = Date.now();
    return (
      project.status === ProjectStatus.PUBLISHED &&
      project.applicationOpensAt.getTime() <= now &&
      now < project.applicationClosesAt.getTime()
    );
  }

  @FieldResolver(() => [Organization], {
    description: 'Organizations invited to a SELECTIVE or DIRECT project (empty for OPEN ones).',
  })
  async invitedOrganizations(@Ctx() ctx: Context, @Root() project: Project): Promise<Organization[]> {
    const ids = await ctx.loaders.projects.invitations.load(project.id);
    return Promise.all(
      ids.map((id) =>
        ctx.em.getReference(Organization, id, { wrapped: true }).loadOrFail({ dataloader: true }),
      ),
    );
  }

  @FieldResolver(() => [ProjectAmendment], {
    description: 'Changes after publication, oldest first, with rationales.',
  })
  amendments(@Ctx() ctx: Context, @Root() project: Project): Promise<ProjectAmendment[]> {
    return ctx.loaders.projects.amendments.load(project.id);
  }

  @FieldResolver(() => [ProjectApplication], {
    description:
      'The winning applications and their amounts: public once the award is decided, empty before.',
  })
  awards(@Ctx() ctx: Context, @Root() project: Project): Promise<ProjectApplication[]> {
    return ctx.services.projectQueries.awards(ctx, project);
  }

  @FieldResolver(() => Money, { nullable: true, description: 'The sum awarded; null before the award.' })
  async awardedTotal(@Ctx() ctx: Context, @Root() project: Project): Promise<Money | null> {
    const awards = await ctx.services.projectQueries.awards(ctx, project);
    return awards.length ? money(awards.reduce((sum, a) => sum + (a.awardedFen ?? 0), 0)) : null;
  }

  @FieldResolver(() => ProjectApplicationConnection, {
    description:
      "Applications: all for the publisher's staff, your organization's own, and the winners for everyone after the award.",
  })
  async applications(
    @Ctx() ctx: Context,
    @Root() project: Project,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
  ): Promise<ConnectionShape<ProjectApplication>> {
    return toConnection(
      ProjectApplicationConnection,
      await ctx.services.projectQueries.applications(ctx, project, args),
    );
  }
}

@Resolver(() => ProjectAmendment)
export class ProjectAmendmentResolver {
  @FieldResolver(() => Project)
  project(@Root() amendment: ProjectAmendment): Promise<Project> {
    return amendment.project.loadOrFail({ dataloader: true });
  }
}
