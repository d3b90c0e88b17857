import type { FilterQuery } from '@mikro-orm/core';
import type { Context } from '../../core/context.js';
import {
  checkCursors,
  PAGE_DEFAULT,
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
import type { ApplicantEligibility } from './project.types.js';

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

/** Reads of projects and their applications, amendments, linked demands and awards, by visibility. */
export class ProjectQueriesService {
  constructor(
    private readonly access: ProjectAccess,
    private readonly publishers: PublisherService,
    private readonly demandViewers: DemandViewerFactsService,
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
    const cursor = await ctx.em.findByCursor(Project, where, {
      ...pageOptions(args),
      orderBy,
      includeCount: false,
    });
    return pageFromCursor(cursor, () => ctx.em.count(Project, where));
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
    const organizationId = application.organization.id;
    if (!ctx.viewer?.roles.has(Role.ADMIN) && !ctx.viewer?.memberships.has(organizationId)) {
      const project = await application.project.loadOrFail({ dataloader: true });
      if (!(await this.access.isPublisherStaff(ctx, project))) return null;
    }
    const failures = await ctx.loaders.projects.applicantEligibility.load({
      projectId: application.project.id,
      organizationId,
    });
    return { eligible: failures.length === 0, failedRules: failures.map((f) => f.reason) };
  }

  /** An amendment is as visible as its project. */
  async getAmendment(ctx: Context, id: number): Promise<ProjectAmendment | null> {
    const amendment = await ctx.em.findOne(ProjectAmendment, { id });
    if (!amendment) return null;
    const project = await amendment.project.loadOrFail({ dataloader: true });
    return (await this.access.canSee(ctx, project)) ? amendment : null;
  }
}
