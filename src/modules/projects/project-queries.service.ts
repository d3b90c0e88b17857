import type { Cursor, FilterQuery, QueryOrderMap } from '@mikro-orm/core';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import type { Context } from '../../core/context.js';
import {
  checkCursors,
  PAGE_DEFAULT,
  PAGE_MAX,
  pageFromCursor,
  pageOptions,
  type ConnectionArgs,
  type Page,
} from '../../core/relay/connection.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { Role } from '../../core/roles.js';
import type { Demand } from '../demands/demand.entity.js';
import type { DemandViewerFactsService } from '../demands/demand-viewer-facts.service.js';
import { ProjectApplication } from './application.entity.js';
import { Project, ProjectAmendment } from './project.entity.js';
import { ApplicationStatus, ProjectOrder, ProjectStatus } from './project.enums.js';
import { AWARD_DECIDED_STATUSES } from './project-lifecycle.js';
import type { ApplicationListArgs, ProjectsArgs } from './project.args.js';
import { viewerFactsOf } from '../organizations/viewer-facts.js';
import { EMPTY_APPLICATION_PAGE } from './application-pages.js';
import {
  organizationApplicationsFilter,
  organizationApplicationsShown,
  type ProjectAccess,
} from './project.policy.js';
import type { PublisherService } from './publisher.service.js';
import type { ProjectApplicationsService } from './project-applications.service.js';
import type { Organization } from '../organizations/organization.entity.js';
import { applicantEligibilityOf, type ApplicantEligibility } from './project.types.js';

/**
 * The filter twin of `projectStatusAt`: projects whose status as of `now` is one of `statuses` (a
 * PUBLISHED row past its closing time counts as EVALUATING until the sweep writes it so).
 */
function statusAtWhere(statuses: readonly ProjectStatus[], now: Date): FilterQuery<Project> {
  const or: FilterQuery<Project>[] = [];
  const stored = statuses.filter((s) => s !== ProjectStatus.PUBLISHED);
  if (stored.length) or.push({ status: { $in: stored } });
  if (statuses.includes(ProjectStatus.PUBLISHED))
    or.push({ status: ProjectStatus.PUBLISHED, applicationClosesAt: { $gt: now } });
  if (statuses.includes(ProjectStatus.EVALUATING))
    or.push({ status: ProjectStatus.PUBLISHED, applicationClosesAt: { $lte: now } });
  return { $or: or };
}

/** Projects judged per batch when a list keeps only those an organization may apply to. */
const ELIGIBILITY_BATCH = PAGE_MAX;

/** Reads of projects and their applications, amendments, linked demands and awards, by visibility. */
export class ProjectQueriesService {
  constructor(
    private readonly access: ProjectAccess,
    private readonly publishers: PublisherService,
    private readonly demandViewers: DemandViewerFactsService,
    private readonly eligibility: Pick<ProjectApplicationsService, 'eligibilityOfEach'>,
  ) {}

  /** One project, or null when it does not exist or the viewer may not see it. */
  async get(ctx: Context, id: number): Promise<Project | null> {
    const project = await ctx.em.findOne(Project, { id });
    return project && (await this.access.canSee(ctx, project)) ? project : null;
  }

  async list(ctx: Context, args: ProjectsArgs): Promise<Page<Project>> {
    const filter = args.filter ?? {};
    const and: FilterQuery<Project>[] = [];
    const visible = await this.access.visibleWhere(ctx);
    if (visible) and.push(visible);
    if (filter.publisherId)
      and.push({ publisher: parseIdOf('Publisher', filter.publisherId, 'filter.publisherId') });
    if (filter.status?.length) and.push(statusAtWhere(filter.status, new Date()));
    if (filter.categoryCode) and.push({ categoryPath: { $contains: [filter.categoryCode] } });
    if (filter.regionCode) and.push({ regionPaths: { $contains: [filter.regionCode] } });
    if (filter.minBudgetFen != null) and.push({ budgetFen: { $gte: filter.minBudgetFen } });
    if (filter.maxBudgetFen != null) and.push({ budgetFen: { $lte: filter.maxBudgetFen } });
    if (filter.openForApplications != null) {
      const now = new Date();
      and.push(
        filter.openForApplications
          ? {
              status: ProjectStatus.PUBLISHED,
              applicationOpensAt: { $lte: now },
              applicationClosesAt: { $gt: now },
            }
          : {
              $or: [
                { status: { $ne: ProjectStatus.PUBLISHED } },
                { applicationOpensAt: { $gt: now } },
                { applicationClosesAt: { $lte: now } },
              ],
            },
      );
    }
    const where: FilterQuery<Project> = and.length ? { $and: and } : {};
    const orderBy =
      args.orderBy === ProjectOrder.CLOSING_SOON
        ? { applicationClosesAt: 'asc' as const, id: 'asc' as const }
        : args.orderBy === ProjectOrder.BUDGET_DESC
          ? { budgetFen: 'desc' as const, id: 'desc' as const }
          : { id: 'desc' as const };
    checkCursors(
      args,
      args.orderBy === ProjectOrder.CLOSING_SOON
        ? ['timestamp', 'id']
        : args.orderBy === ProjectOrder.BUDGET_DESC
          ? ['integer', 'id']
          : ['id'],
    );
    if (filter.eligibleFor) {
      const organizationId = parseIdOf('Organization', filter.eligibleFor, 'filter.eligibleFor');
      const { organization, allowed } = await this.access.eligibilityReader(ctx, organizationId);
      if (!organization) throw new NotFoundError('Organization', filter.eligibleFor);
      if (!allowed)
        throw new ForbiddenError(
          "Only the organization's members and those who oversee it read its eligibility.",
        );
      return this.eligiblePage(ctx, where, orderBy, args, organization);
    }
    const cursor = await ctx.em.findByCursor(Project, where, {
      ...pageOptions(args),
      orderBy,
      includeCount: false,
    });
    return pageFromCursor(cursor, () => ctx.em.count(Project, where));
  }

  /**
   * A page of the projects matching `where` that `organization` may apply to. The rules are judged by
   * `eligibilityOfEach` (those `applyToProject` checks, written once, in code), so the page is found
   * by walking the keyset order in batches — three statements per batch of projects, never
   * one per project — until it is full and one more eligible project shows whether another page
   * follows. `totalCount` walks the whole list the same way.
   */
  private async eligiblePage(
    ctx: Context,
    where: FilterQuery<Project>,
    orderBy: QueryOrderMap<Project>,
    args: ProjectsArgs,
    organization: Organization,
  ): Promise<Page<Project>> {
    const { first, after, last, before } = pageOptions(args);
    const forward = last === undefined;
    const wanted = (forward ? first : last) ?? PAGE_DEFAULT;
    const walk = (stopAfter: number) =>
      this.walkEligible(ctx, where, orderBy, organization, forward, forward ? after : before, stopAfter);
    const { kept, cursor } = await walk(wanted + 1);
    const nodes = kept.slice(0, wanted);
    if (!forward) nodes.reverse();
    const cursorOf = (node: Project | undefined) => (node ? cursor.from(node) : null);
    return {
      edges: nodes.map((node) => ({ node, cursor: cursor.from(node) })),
      pageInfo: {
        hasNextPage: forward ? kept.length > wanted : before !== undefined,
        hasPreviousPage: forward ? after !== undefined : kept.length > wanted,
        startCursor: cursorOf(nodes[0]),
        endCursor: cursorOf(nodes.at(-1)),
      },
      count: async () =>
        (await this.walkEligible(ctx, where, orderBy, organization, true, undefined, Infinity)).kept.length,
    };
  }

  /**
   * The eligible projects from `position` on (or back from it), in the list's order, until
   * `stopAfter` are found or the list ends; `cursor` encodes cursors of this list.
   */
  private async walkEligible(
    ctx: Context,
    where: FilterQuery<Project>,
    orderBy: QueryOrderMap<Project>,
    organization: Organization,
    forward: boolean,
    position: string | undefined,
    stopAfter: number,
  ): Promise<{ kept: Project[]; cursor: Cursor<Project, never, '*', never, false> }> {
    const kept: Project[] = [];
    for (;;) {
      const cursor = await ctx.em.findByCursor(Project, where, {
        ...(forward
          ? { first: ELIGIBILITY_BATCH, after: position }
          : { last: ELIGIBILITY_BATCH, before: position }),
        orderBy,
        includeCount: false,
      });
      const batch = forward ? cursor.items : [...cursor.items].reverse();
      const verdicts = await this.eligibility.eligibilityOfEach(ctx.em, batch, organization);
      for (const [i, project] of batch.entries())
        if (verdicts[i]!.length === 0 && kept.length < stopAfter) kept.push(project);
      const more = forward ? cursor.hasNextPage : cursor.hasPrevPage;
      position = (forward ? cursor.endCursor : cursor.startCursor) ?? undefined;
      if (kept.length >= stopAfter || !more || !position) return { kept, cursor };
    }
  }

  /**
   * Applications of a project: all of them for the publisher's staff and admins; an applicant's
   * own; and, once the award is decided, the winners for everyone.
   */
  async applications(
    ctx: Context,
    project: Project,
    args: ConnectionArgs,
  ): Promise<Page<ProjectApplication>> {
    checkCursors(args, ['id']);
    // The common nested case (a first page, as in a list of projects) is batched across projects.
    if (args.after == null && args.before == null && args.last == null) {
      const reader = {
        isAdmin: ctx.viewer?.roles.has(Role.ADMIN) ?? false,
        publisherId: await this.publishers.publisherIdOf(ctx.em, ctx.viewer),
        organizationIds: ctx.viewer ? [...ctx.viewer.memberships.keys()] : [],
      };
      return ctx.loaders.applicationPages.firstPage(reader, project, pageOptions(args).first ?? PAGE_DEFAULT);
    }
    const where = await this.visibleApplicationsWhere(ctx, project);
    if (!where) return EMPTY_APPLICATION_PAGE;
    const cursor = await ctx.em.findByCursor(ProjectApplication, where, {
      ...pageOptions(args),
      orderBy: { id: 'asc' },
      includeCount: false,
    });
    return pageFromCursor(cursor, () => ctx.em.count(ProjectApplication, where));
  }

  /**
   * `Organization.applications`: newest first, in `status` when given; null when the viewer may see
   * none of them (`organizationApplicationsShown`).
   */
  async applicationsOf(
    ctx: Context,
    organizationId: number,
    args: ApplicationListArgs,
  ): Promise<Page<ProjectApplication> | null> {
    const shown = organizationApplicationsShown(
      viewerFactsOf(ctx.viewer),
      organizationId,
      await this.publishers.publisherIdOf(ctx.em, ctx.viewer),
    );
    if (shown === null) return null;
    checkCursors(args, ['id']);
    const shownWhere = organizationApplicationsFilter(organizationId, shown);
    const where: FilterQuery<ProjectApplication> = args.status
      ? { $and: [shownWhere, { status: args.status }] }
      : shownWhere;
    const cursor = await ctx.em.findByCursor(ProjectApplication, where, {
      ...pageOptions(args),
      orderBy: { id: 'desc' },
      includeCount: false,
    });
    return pageFromCursor(cursor, () => ctx.em.count(ProjectApplication, where));
  }

  private async visibleApplicationsWhere(
    ctx: Context,
    project: Project,
  ): Promise<FilterQuery<ProjectApplication> | null> {
    if (ctx.viewer?.roles.has(Role.ADMIN) || (await this.access.isPublisherStaff(ctx, project)))
      return { project: project.id };
    const mine = ctx.viewer ? [...ctx.viewer.memberships.keys()] : [];
    const or: FilterQuery<ProjectApplication>[] = [];
    if (mine.length) or.push({ organization: { $in: mine } });
    if (AWARD_DECIDED_STATUSES.includes(project.status)) or.push({ status: ApplicationStatus.AWARDED });
    return or.length ? { project: project.id, $or: or } : null;
  }

  /** The linked demands the viewer may see (the demand rules decide). Batched per request. */
  async linkedDemands(ctx: Context, project: Project): Promise<Demand[]> {
    const [demands, viewer] = await Promise.all([
      ctx.loaders.projects.linkedDemands.load(project.id),
      this.demandViewers.viewerFacts(ctx),
    ]);
    return viewer ? this.demandViewers.visibleAmong(ctx.em, viewer, demands) : [];
  }

  /** The winners, public once the award is decided. Batched per request. */
  async awards(ctx: Context, project: Project): Promise<ProjectApplication[]> {
    if (!AWARD_DECIDED_STATUSES.includes(project.status)) return [];
    return ctx.loaders.projects.awards.load(project.id);
  }

  /** One application, if the viewer may see it (same rules as the list). */
  async getApplication(ctx: Context, id: number): Promise<ProjectApplication | null> {
    const application = await ctx.em.findOne(ProjectApplication, { id });
    if (!application) return null;
    const project = await application.project.loadOrFail({ dataloader: true });
    if (!(await this.access.canSee(ctx, project))) return null;
    const where = await this.visibleApplicationsWhere(ctx, project);
    if (!where) return null;
    if (ctx.viewer?.roles.has(Role.ADMIN) || (await this.access.isPublisherStaff(ctx, project)))
      return application;
    const own = ctx.viewer?.memberships.has(application.organization.id) ?? false;
    const publicWinner =
      application.status === ApplicationStatus.AWARDED && AWARD_DECIDED_STATUSES.includes(project.status);
    return own || publicWinner ? application : null;
  }

  /**
   * The verdict on an application's organization now, for those who review or made it: admins, the
   * project's publisher's staff and the applicant's members (null for anyone else, e.g. the public
   * reading a winner). Batched per request (`applicantEligibility`).
   */
  async applicantEligibility(
    ctx: Context,
    application: ProjectApplication,
  ): Promise<ApplicantEligibility | null> {
    if (!(await this.readsReview(ctx, application))) return null;
    const organizationId = application.organization.id;
    const failures = await ctx.loaders.projects.applicantEligibility.load({
      projectId: application.project.id,
      organizationId,
    });
    return applicantEligibilityOf(failures);
  }

  /**
   * Whether the viewer reads what is said of an application in review (its eligibility now, its
   * scores): admins, the project's publisher's staff and the applicant's members.
   */
  async readsReview(ctx: Context, application: ProjectApplication): Promise<boolean> {
    if (ctx.viewer?.roles.has(Role.ADMIN) || ctx.viewer?.memberships.has(application.organization.id))
      return true;
    const project = await application.project.loadOrFail({ dataloader: true });
    return this.access.isPublisherStaff(ctx, project);
  }

  /** An amendment is as visible as its project. */
  async getAmendment(ctx: Context, id: number): Promise<ProjectAmendment | null> {
    const amendment = await ctx.em.findOne(ProjectAmendment, { id });
    if (!amendment) return null;
    const project = await amendment.project.loadOrFail({ dataloader: true });
    return (await this.access.canSee(ctx, project)) ? amendment : null;
  }
}
