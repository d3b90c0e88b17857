import { selectIds } from '../../core/id-queries.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode, ref, UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import type { Actor, Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { emitEvent, Topic } from '../../core/events/outbox.js';
import {
  PAGE_DEFAULT,
  pageFromCursor,
  pageOptions,
  type ConnectionArgs,
  type Page,
} from '../../core/relay/connection.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { Role } from '../../core/roles.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import type { CategoryService } from '../categories/category.service.js';
import { Organization } from '../organizations/organization.entity.js';
import { MemberRole } from '../organizations/organization.enums.js';
import { Demand } from '../demands/demand.entity.js';
import { factsOf, type DemandService } from '../demands/demand.service.js';
import { canSeeDemand } from '../demands/demand-access.js';
import { Region } from '../regions/region.entity.js';
import { ProjectApplication } from './application.entity.js';
import { checkEligibility, type EligibilityResult } from './eligibility.js';
import { Project, ProjectAmendment, ProjectInvitation } from './project.entity.js';
import {
  ApplicationStatus,
  ProcurementMethod,
  ProjectOrder,
  ProjectStatus,
  PublisherKind,
} from './project.enums.js';
import { ProjectDemand } from './project-demand.entity.js';
import {
  checkFulfilmentReport,
  checkLinkable,
  defaultBudgetFen,
  defaultDescription,
  defaultTitle,
  primaryWinner,
  summarizeDemands,
} from './project-from-demands.js';
import { Publisher } from './publisher.entity.js';
import {
  AWARD_DECIDED_STATUSES,
  DEMAND_REPORT_STATUSES,
  isPublicStatus,
  statusesThatMayBecome,
} from './project-lifecycle.js';
import type { ProjectsArgs } from './project.args.js';
import type {
  ApplyToProjectInput,
  AwardProjectInput,
  CancelProjectInput,
  CompleteProjectInput,
  CreateProjectFromDemandsInput,
  ProjectFieldsInput,
  PublishProjectInput,
  ReportProjectDemandsInput,
  StartProjectInput,
  UpdateProjectInput,
} from './project.inputs.js';
import { projectLoaders } from './project.loaders.js';
import { EMPTY_APPLICATION_PAGE, firstApplicationPage } from './application-pages.js';
import type { PublisherService } from './publisher.service.js';

/** Applications still in the running: they may be withdrawn, shortlisted, awarded or rejected. */
const PENDING_APPLICATION_STATUSES = [ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED];

/** Statuses in which a project still stands for its linked demands: a demand joins one at a time. */
const LIVE_TENDER_STATUSES = [ProjectStatus.DRAFT, ProjectStatus.PUBLISHED, ProjectStatus.EVALUATING];

/** Application period of a project made from demands, when staff give no closing date. */
const DEFAULT_PERIOD_DAYS = 30;

/** Field → { from, to } of one edit, in API terms. */
type Changes = Record<string, { from: unknown; to: unknown }>;

/**
 * Purchase-of-service projects and their applications: the OCDS-shaped lifecycle (planning →
 * tender → award → implementation). Every status change is a conditional UPDATE guarded by the
 * lifecycle table, so two staff racing on the same project cannot both win.
 */
export class ProjectService {
  constructor(
    private readonly publishers: PublisherService,
    private readonly categories: CategoryService,
    private readonly demands: DemandService,
  ) {}

  // ── Reads ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Moves PUBLISHED projects whose application period has closed (by the database clock) to
   * EVALUATING: run before reads and inside mutations, so nobody ever sees a tender that is "open"
   * after its deadline. One indexed UPDATE that usually touches no row.
   */
  async advanceClosed(em: EntityManager, projectId?: number): Promise<void> {
    await em.execute(
      `update "project" set "status" = 'EVALUATING', "updated_at" = now()
        where "status" = 'PUBLISHED' and "application_closes_at" <= now()` +
        (projectId === undefined ? '' : ' and "id" = ?'),
      projectId === undefined ? [] : [projectId],
    );
  }

  /** Whether the viewer acts for the project's publisher. */
  async isPublisherStaff(ctx: Pick<Context, 'em' | 'viewer'>, project: Project): Promise<boolean> {
    const mine = await this.publishers.publisherIdOf(ctx.em, ctx.viewer);
    return mine !== null && mine === project.publisher.id;
  }

  /** Drafts are for their publisher's staff (and admins); everything else is public. */
  async canSee(ctx: Pick<Context, 'em' | 'viewer'>, project: Project): Promise<boolean> {
    if (isPublicStatus(project.status)) return true;
    if (ctx.viewer?.roles.has(Role.ADMIN)) return true;
    return this.isPublisherStaff(ctx, project);
  }

  /** One project, or null when it does not exist or the viewer may not see it. */
  async get(ctx: Context, id: number): Promise<Project | null> {
    await this.advanceClosed(ctx.em, id);
    const project = await ctx.em.findOne(Project, { id });
    return project && (await this.canSee(ctx, project)) ? project : null;
  }

  async list(ctx: Context, args: ProjectsArgs): Promise<Page<Project>> {
    await this.advanceClosed(ctx.em);
    const filter = args.filter ?? {};
    const and: FilterQuery<Project>[] = [];
    if (!ctx.viewer?.roles.has(Role.ADMIN)) {
      const mine = await this.publishers.publisherIdOf(ctx.em, ctx.viewer);
      and.push(
        mine === null
          ? { status: { $ne: ProjectStatus.DRAFT } }
          : { $or: [{ status: { $ne: ProjectStatus.DRAFT } }, { publisher: mine }] },
      );
    }
    if (filter.publisherId)
      and.push({ publisher: parseIdOf('Publisher', filter.publisherId, 'filter.publisherId') });
    if (filter.status?.length) and.push({ status: { $in: filter.status } });
    if (filter.categoryCode) and.push({ categoryPath: { $contains: [filter.categoryCode] } });
    if (filter.regionCode) and.push({ regionPaths: { $contains: [filter.regionCode] } });
    if (filter.minBudgetFen != null) and.push({ budgetFen: { $gte: filter.minBudgetFen } });
    if (filter.maxBudgetFen != null) and.push({ budgetFen: { $lte: filter.maxBudgetFen } });
    if (filter.openForApplications != null) {
      // The sweep above already moved closed periods on; what is left to check is the opening.
      const now = new Date();
      and.push(
        filter.openForApplications
          ? { status: ProjectStatus.PUBLISHED, applicationOpensAt: { $lte: now } }
          : { $or: [{ status: { $ne: ProjectStatus.PUBLISHED } }, { applicationOpensAt: { $gt: now } }] },
      );
    }
    const where: FilterQuery<Project> = and.length ? { $and: and } : {};
    const orderBy =
      args.orderBy === ProjectOrder.CLOSING_SOON
        ? { applicationClosesAt: 'asc' as const, id: 'asc' as const }
        : args.orderBy === ProjectOrder.BUDGET_DESC
          ? { budgetFen: 'desc' as const, id: 'desc' as const }
          : { id: 'desc' as const };
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
    // The common nested case (a first page, as in a list of projects) is batched across projects.
    if (args.after == null && args.before == null && args.last == null) {
      const reader = {
        isAdmin: ctx.viewer?.roles.has(Role.ADMIN) ?? false,
        publisherId: await this.publishers.publisherIdOf(ctx.em, ctx.viewer),
        organizationIds: ctx.viewer ? [...ctx.viewer.memberships.keys()] : [],
      };
      return firstApplicationPage(ctx.em, reader, project, pageOptions(args).first ?? PAGE_DEFAULT);
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

  private async visibleApplicationsWhere(
    ctx: Context,
    project: Project,
  ): Promise<FilterQuery<ProjectApplication> | null> {
    if (ctx.viewer?.roles.has(Role.ADMIN) || (await this.isPublisherStaff(ctx, project)))
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
      projectLoaders(ctx.em).linkedDemands.load(project.id),
      this.demands.viewerFacts(ctx),
    ]);
    return viewer ? demands.filter((d) => canSeeDemand(viewer, factsOf(d))) : [];
  }

  /** The winners, public once the award is decided. Batched per request. */
  async awards(ctx: Context, project: Project): Promise<ProjectApplication[]> {
    if (!AWARD_DECIDED_STATUSES.includes(project.status)) return [];
    return projectLoaders(ctx.em).awards.load(project.id);
  }

  /** One application, if the viewer may see it (same rules as the list). */
  async getApplication(ctx: Context, id: number): Promise<ProjectApplication | null> {
    const application = await ctx.em.findOne(ProjectApplication, { id });
    if (!application) return null;
    const project = await application.project.loadOrFail({ dataloader: true });
    if (!(await this.canSee(ctx, project))) return null;
    const where = await this.visibleApplicationsWhere(ctx, project);
    if (!where) return null;
    if (ctx.viewer?.roles.has(Role.ADMIN) || (await this.isPublisherStaff(ctx, project))) return application;
    const own = ctx.viewer?.memberships.has(application.organization.id) ?? false;
    const publicWinner =
      application.status === ApplicationStatus.AWARDED && AWARD_DECIDED_STATUSES.includes(project.status);
    return own || publicWinner ? application : null;
  }

  /** An amendment is as visible as its project. */
  async getAmendment(ctx: Context, id: number): Promise<ProjectAmendment | null> {
    const amendment = await ctx.em.findOne(ProjectAmendment, { id });
    if (!amendment) return null;
    const project = await amendment.project.loadOrFail({ dataloader: true });
    return (await this.canSee(ctx, project)) ? amendment : null;
  }

  // ── Planning and tender ─────────────────────────────────────────────────────────────────────

  /**
   * Creates a project (DRAFT, or PUBLISHED at once), or applies the given fields to an existing
   * DRAFT and publishes it. Publishing writes the `project.published` event in the same transaction.
   */
  async publish(actor: Actor, input: PublishProjectInput): Promise<Project> {
    const viewer = requireViewer(actor.viewer);
    return actor.em.transactional(async (em) => {
      const publisherId = await this.requirePublisherId(em, viewer);
      let project: Project;
      if (input.projectId) {
        project = await this.requireOwnProject(em, viewer, input.projectId, 'input.projectId');
        if (project.status !== ProjectStatus.DRAFT)
          throw new ConflictError(`Only a DRAFT can be published; this project is ${project.status}.`);
        await this.applyFields(em, project, input);
      } else {
        project = await this.createDraft(em, viewer, publisherId, input);
      }
      this.assertPeriod(project);
      const published = input.publish;
      if (published) {
        await this.assertReadyToPublish(em, project);
        project.status = ProjectStatus.PUBLISHED;
        project.publishedAt = new Date();
      }
      await em.flush(); // ids for the audit subject and the event
      recordAudit({ ...actor, em }, 'publishProject', project, {
        status: project.status,
        title: project.title,
        budgetFen: project.budgetFen,
      });
      await em.flush();
      if (published) await this.announce(em, project);
      return project;
    });
  }

  /**
   * Edits a project. A DRAFT changes freely. A PUBLISHED project changes only with a rationale, and
   * each change is kept as a public amendment. Later statuses are fixed (CONFLICT).
   */
  async update(
    actor: Actor,
    input: UpdateProjectInput,
  ): Promise<{ project: Project; amendment: ProjectAmendment | null }> {
    const viewer = requireViewer(actor.viewer);
    return actor.em.transactional(async (em) => {
      const id = parseIdOf('Project', input.projectId, 'input.projectId');
      await this.advanceClosed(em, id);
      const project = await this.requireOwnProject(em, viewer, input.projectId, 'input.projectId');
      if (project.status !== ProjectStatus.DRAFT && project.status !== ProjectStatus.PUBLISHED)
        throw new ConflictError(`A ${project.status} project can no longer be changed.`);
      const amending = project.status === ProjectStatus.PUBLISHED;
      if (amending && !input.rationale?.trim())
        throw BadUserInputError.field('input.rationale', 'is required to amend a published project');
      if (amending && input.procurementMethod && input.procurementMethod !== project.procurementMethod)
        throw BadUserInputError.field('input.procurementMethod', 'cannot change after publication');
      const changes = await this.applyFields(em, project, input);
      this.assertPeriod(project);
      if (amending) {
        if (Object.keys(changes).length === 0)
          throw new BadUserInputError([], 'The amendment changes nothing.');
        if (changes.applicationClosesAt && project.applicationClosesAt.getTime() <= Date.now())
          throw BadUserInputError.field('input.applicationClosesAt', 'must be in the future');
        if (changes.budgetFen) await this.assertBudgetCoversApplications(em, project);
        await this.assertReadyToPublish(em, project);
      }
      let amendment: ProjectAmendment | null = null;
      if (amending) {
        amendment = em.create(ProjectAmendment, {
          project: ref(project),
          rationale: input.rationale!.trim(),
          changes,
          amendedBy: ref(em.getReference(User, viewer.userId)),
        });
      }
      recordAudit({ ...actor, em }, 'updateProject', project, {
        changes,
        rationale: input.rationale ?? null,
      });
      await em.flush();
      return { project, amendment };
    });
  }

  /**
   * CANCELLED from any open status, or UNSUCCESSFUL (no award) from EVALUATING, with a reason.
   * Applications still in the running are rejected, and each applicant hears of it
   * (`applicationDecided`); awarded ones keep their record (a terminated contract).
   */
  async cancel(actor: Actor, input: CancelProjectInput): Promise<Project> {
    const to = input.unsuccessful ? ProjectStatus.UNSUCCESSFUL : ProjectStatus.CANCELLED;
    let rejected: ProjectApplication[] = [];
    return this.transition(
      actor,
      input.projectId,
      to,
      'cancelProject',
      async (em, project) => {
        project.statusReason = input.reason.trim();
        project.closedAt = new Date();
        // The status change above locked the project row: no application can join or leave meanwhile.
        rejected = await em.find(
          ProjectApplication,
          { project: project.id, status: { $in: PENDING_APPLICATION_STATUSES } },
          { orderBy: { id: 'asc' } },
        );
        for (const application of rejected) application.status = ApplicationStatus.REJECTED;
        return { reason: project.statusReason, rejected: rejected.length };
      },
      (em, project) => this.announceDecisions(em, project, rejected),
    );
  }

  /** AWARDED → IN_PROGRESS: the contract is signed and delivery starts. */
  async start(actor: Actor, input: StartProjectInput): Promise<Project> {
    return this.transition(
      actor,
      input.projectId,
      ProjectStatus.IN_PROGRESS,
      'startProject',
      (_em, project) => {
        project.startedAt = new Date();
        return Promise.resolve({});
      },
    );
  }

  /** IN_PROGRESS → COMPLETED, with the outcome and the publisher's 1–5 evaluation. */
  async complete(actor: Actor, input: CompleteProjectInput): Promise<Project> {
    return this.transition(
      actor,
      input.projectId,
      ProjectStatus.COMPLETED,
      'completeProject',
      (_em, project) => {
        project.outcome = input.outcome.trim();
        project.evaluationScore = input.evaluationScore;
        project.closedAt = new Date();
        return Promise.resolve({ evaluationScore: input.evaluationScore });
      },
    );
  }

  // ── Projects from workers' demands (职工点单、工会买单) ─────────────────────────────────────────

  /**
   * Union staff turn OPEN demands in their region scope, all of one category, into a DRAFT project
   * of the union publisher they act for, linked to the demands. The demand rows are locked (in id
   * order) for the check, so a demand cannot be linked to two live projects by two staff at once,
   * nor claimed meanwhile. Refusals name the demand: FORBIDDEN outside the scope, CONFLICT when not
   * OPEN or already in a live project, BAD_USER_INPUT for a second category.
   */
  async createFromDemands(actor: Actor, input: CreateProjectFromDemandsInput): Promise<Project> {
    const viewer = requireViewer(actor.viewer);
    const scope = viewer.roles.has(Role.UNION_STAFF) ? (viewer.user.regionScope?.code ?? null) : null;
    if (scope === null)
      throw new ForbiddenError('Only union staff with a region scope turn demands into projects.');
    const publisherId = parseIdOf('Publisher', input.publisherId, 'input.publisherId');
    const ids = input.demandIds.map((id, i) => parseIdOf('Demand', id, `input.demandIds.${i}`));
    const repeated = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    if (repeated !== -1) throw BadUserInputError.field(`input.demandIds.${repeated}`, 'is listed twice');
    return actor.em.transactional(async (em) => {
      if ((await this.publishers.publisherIdOf(em, viewer)) !== publisherId)
        throw new ForbiddenError('You can create projects only for the publisher you act for.');
      const publisher = await em.findOneOrFail(Publisher, { id: publisherId });
      if (publisher.kind !== PublisherKind.UNION)
        throw new ForbiddenError('Only a union publisher turns workers’ demands into a project.');
      const locked = await em.find(
        Demand,
        { id: { $in: ids } },
        { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
      );
      const byId = new Map(locked.map((d) => [d.id, d]));
      const missing = ids.findIndex((id) => !byId.has(id));
      if (missing !== -1) throw BadUserInputError.field(`input.demandIds.${missing}`, 'no such demand');
      const demands = ids.map((id) => byId.get(id)!);
      const facts = demands.map((d) => ({
        globalId: d.globalId(),
        status: d.status,
        categoryCode: d.category.code,
        regionCode: d.region.code,
        regionPath: d.regionPath,
        targetGroups: d.targetGroups,
        peopleAffected: d.peopleAffected,
        endorsementCount: d.endorsementCount,
      }));
      const refusal = checkLinkable(facts, scope);
      if (refusal) {
        const extensions = {
          demandId: refusal.demandId,
          ...(refusal.currentStatus ? { currentStatus: refusal.currentStatus } : {}),
        };
        if (refusal.code === 'FORBIDDEN') throw new ForbiddenError(refusal.message, extensions);
        if (refusal.code === 'CONFLICT') throw new ConflictError(refusal.message, extensions);
        throw new BadUserInputError(
          [{ path: `input.demandIds.${refusal.index}`, message: refusal.message }],
          refusal.message,
        );
      }
      const taken = await em.findOne(
        ProjectDemand,
        { demand: { $in: ids }, project: { status: { $in: LIVE_TENDER_STATUSES } } },
        { orderBy: { id: 'asc' } },
      );
      if (taken) {
        const demandId = byId.get(taken.demand.id)!.globalId();
        throw new ConflictError(
          `Demand ${demandId} is already part of a live project (${taken.project.unwrap().globalId()}).`,
          { demandId, projectId: taken.project.unwrap().globalId() },
        );
      }
      const summary = summarizeDemands(facts);
      const category = await this.categories.require(em, summary.categoryCode, 'input.demandIds');
      const regions = await em.find(Region, { code: { $in: summary.regionCodes } });
      const opensAt = input.applicationOpensAt ?? new Date();
      const project = em.create(Project, {
        publisher: ref(publisher),
        title: input.title?.trim() || defaultTitle(category.name, demands.length),
        description: input.description ?? defaultDescription(demands.map((d) => d.title)),
        category: ref(category),
        categoryPath: category.path,
        regionCodes: summary.regionCodes,
        regionPaths: [...new Set(regions.flatMap((r) => r.path))],
        targetGroups: summary.targetGroups,
        budgetFen: input.budgetFen ?? defaultBudgetFen(summary.peopleAffected),
        procurementMethod: input.procurementMethod ?? ProcurementMethod.OPEN,
        applicationOpensAt: opensAt,
        applicationClosesAt:
          input.applicationClosesAt ?? new Date(opensAt.getTime() + DEFAULT_PERIOD_DAYS * 86_400_000),
        createdBy: ref(em.getReference(User, viewer.userId)),
      });
      const rules = input.eligibility;
      if (rules?.verifiedOnly != null) project.verifiedOnly = rules.verifiedOnly;
      if (rules?.minGrade != null) project.minGrade = rules.minGrade;
      if (rules?.allowedFoundingTypes != null)
        project.allowedFoundingTypes = [...new Set(rules.allowedFoundingTypes)];
      if (rules?.mustServeRegions != null) project.mustServeRegions = rules.mustServeRegions;
      this.assertPeriod(project);
      for (const demand of demands) em.create(ProjectDemand, { project: ref(project), demand: ref(demand) });
      await em.flush(); // ids for the audit subject
      recordAudit({ ...actor, em }, 'createProjectFromDemands', project, {
        demands: demands.map((d) => d.globalId()),
        categoryCode: summary.categoryCode,
        regionCodes: summary.regionCodes,
        peopleAffected: summary.peopleAffected,
        endorsements: summary.endorsements,
        budgetFen: project.budgetFen,
      });
      await em.flush();
      return project;
    });
  }

  /**
   * 职工点单、工会买单, closed: the winning organization's admin reports which of the project's
   * linked demands it fulfilled, while the project is IN_PROGRESS or once it is COMPLETED (the
   * publisher's staff complete the project with their evaluation; the fulfilment of a demand is the
   * serving organization's word, as with `fulfilDemand`). All or nothing: the named demands become
   * FULFILLED through the demand lifecycle, each with its audit entry and DEMAND_UPDATED event, plus
   * one `reportProjectDemands` entry on the project, in one transaction; any refusal changes nothing.
   * Refusals: FORBIDDEN when the viewer is not the organization's admin or it holds no award of the
   * project; CONFLICT naming the project's status, or a demand's (with `demandId`, `currentStatus`);
   * BAD_USER_INPUT for a demand not linked to the project.
   */
  async reportDemands(
    actor: Actor,
    input: ReportProjectDemandsInput,
  ): Promise<{ project: Project; fulfilled: Demand[] }> {
    const viewer = requireViewer(actor.viewer);
    const projectId = parseIdOf('Project', input.projectId, 'input.projectId');
    const organizationId = parseIdOf('Organization', input.organizationId, 'input.organizationId');
    const ids = input.fulfilledDemandIds.map((id, i) =>
      parseIdOf('Demand', id, `input.fulfilledDemandIds.${i}`),
    );
    const repeated = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    if (repeated !== -1)
      throw BadUserInputError.field(`input.fulfilledDemandIds.${repeated}`, 'is listed twice');
    if (viewer.memberships.get(organizationId) !== MemberRole.ORG_ADMIN)
      throw new ForbiddenError("Only the organization's admins report for it.");
    return actor.em.transactional(async (em) => {
      // Shared lock: the project cannot be cancelled while the report is written.
      const project = await em.findOne(
        Project,
        { id: projectId },
        { lockMode: LockMode.PESSIMISTIC_READ, refresh: true },
      );
      if (!project || project.status === ProjectStatus.DRAFT)
        throw new NotFoundError('Project', input.projectId);
      const won = await em.count(ProjectApplication, {
        project: project.id,
        organization: organizationId,
        status: ApplicationStatus.AWARDED,
      });
      if (won === 0)
        throw new ForbiddenError('Only an organization awarded this project reports on its demands.');
      if (!DEMAND_REPORT_STATUSES.includes(project.status))
        throw new ConflictError(
          `The project is ${project.status}; its demands are reported once it is IN_PROGRESS or COMPLETED.`,
          { status: project.status },
        );
      const linked = new Set(
        (await em.find(ProjectDemand, { project: project.id, demand: { $in: ids } })).map((l) => l.demand.id),
      );
      // Locked in id order, as every other path locks demands.
      const locked = await em.find(
        Demand,
        { id: { $in: ids } },
        { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true },
      );
      const byId = new Map(locked.map((d) => [d.id, d]));
      const refusal = checkFulfilmentReport(
        ids.map((id, i) => {
          const demand = byId.get(id);
          return {
            globalId: input.fulfilledDemandIds[i]!,
            linked: linked.has(id),
            status: demand?.status ?? null,
            claimedById: demand?.claimedBy?.id ?? null,
          };
        }),
        organizationId,
      );
      if (refusal) {
        const extensions = {
          demandId: refusal.demandId,
          ...(refusal.currentStatus ? { currentStatus: refusal.currentStatus } : {}),
        };
        if (refusal.code === 'FORBIDDEN') throw new ForbiddenError(refusal.message, extensions);
        if (refusal.code === 'CONFLICT') throw new ConflictError(refusal.message, extensions);
        throw new BadUserInputError(
          [{ path: `input.fulfilledDemandIds.${refusal.index}`, message: refusal.message }],
          refusal.message,
        );
      }
      const fulfilled = ids.map((id) => byId.get(id)!);
      recordAudit({ ...actor, em }, 'reportProjectDemands', project, {
        organization: input.organizationId,
        fulfilled: fulfilled.map((d) => d.globalId()),
        projectStatus: project.status,
      });
      await this.demands.fulfilForProject({ ...actor, em }, fulfilled, organizationId, {
        project: project.globalId(),
        via: 'reportProjectDemands',
      });
      return { project, fulfilled };
    });
  }

  // ── Applications and award ──────────────────────────────────────────────────────────────────

  /**
   * An organization's admin applies. The period is checked by the database clock under a share lock
   * on the project row, so an award or a cancellation cannot slip in between the check and the insert;
   * the partial unique index keeps one live application per organization even under races.
   */
  async apply(actor: Actor, input: ApplyToProjectInput): Promise<ProjectApplication> {
    const viewer = requireViewer(actor.viewer);
    const projectId = parseIdOf('Project', input.projectId, 'input.projectId');
    const organizationId = parseIdOf('Organization', input.organizationId, 'input.organizationId');
    if (viewer.memberships.get(organizationId) !== MemberRole.ORG_ADMIN)
      throw new ForbiddenError("Only the organization's admins apply on its behalf.");
    return actor.em.transactional(async (em) => {
      await this.advanceClosed(em, projectId);
      const rows = await em.execute<{ status: ProjectStatus; opened: boolean; closed: boolean }[]>(
        `select "status", now() >= "application_opens_at" as "opened", now() >= "application_closes_at" as "closed"
           from "project" where "id" = ? for share`,
        [projectId],
      );
      const row = rows[0];
      if (!row || row.status === ProjectStatus.DRAFT) throw new NotFoundError('Project', input.projectId);
      if (row.status !== ProjectStatus.PUBLISHED || row.closed)
        throw new ConflictError(`This project is not accepting applications (it is ${row.status}).`);
      if (!row.opened) throw new ConflictError('The application period has not opened yet.');
      const project = await em.findOneOrFail(Project, { id: projectId });
      if (input.requestedFen > project.budgetFen)
        throw BadUserInputError.field(
          'input.requestedFen',
          `must not exceed the budget (${project.budgetFen} fen)`,
        );
      const organization = await em.findOne(Organization, { id: organizationId });
      if (!organization) throw new NotFoundError('Organization', input.organizationId);
      const verdict = await this.eligibilityOf(em, project, organization);
      if (!verdict.eligible) throw new ForbiddenError(verdict.message, { reason: verdict.reason });
      const application = em.create(ProjectApplication, {
        project: ref(project),
        organization: ref(organization),
        proposal: input.proposal.trim(),
        requestedFen: input.requestedFen,
        submittedBy: ref(em.getReference(User, viewer.userId)),
      });
      try {
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException)
          throw new ConflictError('This organization already has a live application to this project.');
        throw error;
      }
      recordAudit({ ...actor, em }, 'applyToProject', application, {
        project: project.globalId(),
        organization: organization.globalId(),
        requestedFen: input.requestedFen,
      });
      await em.flush();
      return application;
    });
  }

  /** The applicant's admin withdraws an application that is still in the running, before the award. */
  async withdraw(actor: Actor, applicationId: string): Promise<ProjectApplication> {
    const viewer = requireViewer(actor.viewer);
    const id = parseIdOf('ProjectApplication', applicationId, 'input.applicationId');
    return actor.em.transactional(async (em) => {
      const application = await em.findOne(ProjectApplication, { id });
      if (!application) throw new NotFoundError('Application', applicationId);
      if (viewer.memberships.get(application.organization.id) !== MemberRole.ORG_ADMIN)
        throw new ForbiddenError("Only the organization's admins withdraw its applications.");
      await this.lockOpenTender(em, application.project.id);
      await this.moveApplication(em, application, PENDING_APPLICATION_STATUSES, ApplicationStatus.WITHDRAWN);
      recordAudit({ ...actor, em }, 'withdrawApplication', application, {});
      await em.flush();
      return application;
    });
  }

  /** The publisher's staff shortlist a submitted application while the tender is open or evaluated. */
  async shortlist(actor: Actor, applicationId: string): Promise<ProjectApplication> {
    const viewer = requireViewer(actor.viewer);
    const id = parseIdOf('ProjectApplication', applicationId, 'input.applicationId');
    return actor.em.transactional(async (em) => {
      const application = await em.findOne(ProjectApplication, { id });
      if (!application) throw new NotFoundError('Application', applicationId);
      const project = await em.findOneOrFail(Project, { id: application.project.id });
      await this.assertStaffOf(em, viewer, project);
      await this.lockOpenTender(em, project.id);
      await this.moveApplication(
        em,
        application,
        [ApplicationStatus.SUBMITTED],
        ApplicationStatus.SHORTLISTED,
      );
      recordAudit({ ...actor, em }, 'shortlistApplication', application, {});
      await em.flush();
      return application;
    });
  }

  /**
   * Awards an EVALUATING project to one or more of its applications, amounts summing to at most the
   * budget; every other application still in the running is rejected. The EVALUATING → AWARDED step
   * is a conditional UPDATE: of two staff awarding at once, the second finds the row already AWARDED
   * (PostgreSQL re-checks the condition after the first commits) and gets CONFLICT.
   */
  async award(
    actor: Actor,
    input: AwardProjectInput,
  ): Promise<{ project: Project; awarded: ProjectApplication[] }> {
    const viewer = requireViewer(actor.viewer);
    const projectId = parseIdOf('Project', input.projectId, 'input.projectId');
    const lines = input.awards.map((line, i) => ({
      id: parseIdOf('ProjectApplication', line.applicationId, `input.awards.${i}.applicationId`),
      amountFen: line.amountFen,
      index: i,
    }));
    const seen = new Set<number>();
    for (const line of lines) {
      if (seen.has(line.id))
        throw BadUserInputError.field(`input.awards.${line.index}.applicationId`, 'is listed twice');
      seen.add(line.id);
    }
    return actor.em.transactional(async (em) => {
      await this.advanceClosed(em, projectId);
      const project = await this.requireOwnProject(em, viewer, input.projectId, 'input.projectId');
      this.assertMayBecome(project, ProjectStatus.AWARDED);
      const total = lines.reduce((sum, line) => sum + line.amountFen, 0);
      if (total > project.budgetFen)
        throw BadUserInputError.field(
          'input.awards',
          `the amounts sum to ${total} fen, more than the budget of ${project.budgetFen} fen`,
        );
      const applications = await em.find(ProjectApplication, { id: { $in: [...seen] } });
      const byId = new Map(applications.map((a) => [a.id, a]));
      for (const line of lines) {
        const application = byId.get(line.id);
        const path = `input.awards.${line.index}`;
        if (!application || application.project.id !== project.id)
          throw BadUserInputError.field(`${path}.applicationId`, 'is not an application to this project');
        if (!PENDING_APPLICATION_STATUSES.includes(application.status))
          throw BadUserInputError.field(
            `${path}.applicationId`,
            `is ${application.status}, not in the running`,
          );
        if (line.amountFen > application.requestedFen)
          throw BadUserInputError.field(
            `${path}.amountFen`,
            `must not exceed the ${application.requestedFen} fen the organization requested`,
          );
      }
      await this.claimTransition(em, project, ProjectStatus.AWARDED);
      project.awardedAt = new Date();
      const awarded = lines.map((line) => {
        const application = byId.get(line.id)!;
        application.status = ApplicationStatus.AWARDED;
        application.awardedFen = line.amountFen;
        return application;
      });
      // The guarded UPDATE above locked the project row: no application can join or leave meanwhile.
      const rejected = await em.find(
        ProjectApplication,
        { project: project.id, status: { $in: PENDING_APPLICATION_STATUSES }, id: { $nin: [...seen] } },
        { orderBy: { id: 'asc' } },
      );
      for (const application of rejected) application.status = ApplicationStatus.REJECTED;
      recordAudit({ ...actor, em }, 'awardProject', project, {
        awards: awarded.map((a) => ({ application: a.globalId(), amountFen: a.awardedFen })),
        rejected: rejected.map((a) => a.globalId()),
        totalFen: total,
      });
      await em.flush();
      await this.claimLinkedDemands({ ...actor, em }, project, awarded);
      await this.announceDecisions(em, project, [...awarded, ...rejected]);
      return { project, awarded };
    });
  }

  /**
   * Whether `organization` may apply to `project` now (invitation, verification, grade, founding
   * type, regions): the one place `applyToProject` and the `projectPublished` feed ask.
   */
  async eligibilityOf(
    em: EntityManager,
    project: Project,
    organization: Organization,
  ): Promise<EligibilityResult> {
    const invited =
      project.procurementMethod !== ProcurementMethod.OPEN &&
      (await em.count(ProjectInvitation, { project: project.id, organization: organization.id })) > 0;
    const regions = await this.regionsOf(em, project);
    return checkEligibility(
      {
        procurementMethod: project.procurementMethod,
        verifiedOnly: project.verifiedOnly,
        minGrade: project.minGrade,
        allowedFoundingTypes: project.allowedFoundingTypes,
        mustServeRegions: project.mustServeRegions,
        regionPaths: regions.map((r) => r.path),
      },
      {
        verificationStatus: organization.verificationStatus,
        grade: organization.grade,
        foundingType: organization.foundingType,
        regionCodes: organization.regionCodes,
        invited,
      },
    );
  }

  /** The project's regions, through the identity map when already loaded. */
  private regionsOf(em: EntityManager, project: Project): Promise<Region[]> {
    return em.find(Region, { code: { $in: project.regionCodes } });
  }

  /**
   * On award, the demands the project was made from become CLAIMED by the primary winner, in the
   * award's transaction, each with its audit entry (naming the project) and DEMAND_UPDATED event.
   */
  private async claimLinkedDemands(
    actor: Actor,
    project: Project,
    awarded: readonly ProjectApplication[],
  ): Promise<void> {
    const links = await actor.em.find(ProjectDemand, { project: project.id }, { orderBy: { id: 'asc' } });
    const winner = primaryWinner(
      awarded.map((a) => ({ organizationId: a.organization.id, awardedFen: a.awardedFen ?? 0 })),
    );
    if (links.length === 0 || winner === null) return;
    await this.demands.claimForAward(
      actor,
      links.map((l) => l.demand.id),
      winner,
      { project: project.globalId(), via: 'awardProject' },
    );
  }

  // ── Helpers ─────────────────────────────────────────────────────────────────────────────────

  /** A staff-only status change of a project, guarded, audited, in one transaction. */
  private async transition(
    actor: Actor,
    projectGlobalId: string,
    to: ProjectStatus,
    action: string,
    apply: (em: EntityManager, project: Project) => Promise<Record<string, unknown>>,
    /** Writes the change's outbox events, after its rows (see emitEvent). */
    announce?: (em: EntityManager, project: Project) => Promise<void>,
  ): Promise<Project> {
    const viewer = requireViewer(actor.viewer);
    return actor.em.transactional(async (em) => {
      const id = parseIdOf('Project', projectGlobalId, 'input.projectId');
      await this.advanceClosed(em, id);
      const project = await this.requireOwnProject(em, viewer, projectGlobalId, 'input.projectId');
      const from = project.status;
      this.assertMayBecome(project, to);
      await this.claimTransition(em, project, to);
      const summary = await apply(em, project);
      recordAudit({ ...actor, em }, action, project, { from, to, ...summary });
      await em.flush();
      await announce?.(em, project);
      return project;
    });
  }

  private assertMayBecome(project: Project, to: ProjectStatus): void {
    if (!project.mayBecome(to))
      throw new ConflictError(`A ${project.status} project cannot become ${to}.`, { status: project.status });
  }

  /**
   * The guarded UPDATE: changes the row only if it is still in a status that may become `to`. Zero
   * rows means another transaction moved it first.
   */
  private async claimTransition(em: EntityManager, project: Project, to: ProjectStatus): Promise<void> {
    const changed = await em.nativeUpdate(
      Project,
      { id: project.id, status: { $in: statusesThatMayBecome(to) } },
      { status: to },
    );
    if (changed === 0)
      throw new ConflictError('Someone else changed this project at the same moment; reload it.');
    project.status = to;
  }

  /** Locks the project row against concurrent award/cancel and checks the tender is still undecided. */
  private async lockOpenTender(em: EntityManager, projectId: number): Promise<void> {
    await this.advanceClosed(em, projectId);
    const rows = await em.execute<{ status: ProjectStatus }[]>(
      `select "status" from "project" where "id" = ? for share`,
      [projectId],
    );
    const status = rows[0]?.status;
    if (status !== ProjectStatus.PUBLISHED && status !== ProjectStatus.EVALUATING)
      throw new ConflictError(`The tender is decided or closed (the project is ${status ?? 'gone'}).`);
  }

  private async moveApplication(
    em: EntityManager,
    application: ProjectApplication,
    from: readonly ApplicationStatus[],
    to: ApplicationStatus,
  ): Promise<void> {
    const changed = await em.nativeUpdate(
      ProjectApplication,
      { id: application.id, status: { $in: [...from] } },
      { status: to },
    );
    if (changed === 0)
      throw new ConflictError(`An application that is ${application.status} cannot become ${to}.`, {
        status: application.status,
      });
    application.status = to;
  }

  private async requirePublisherId(em: EntityManager, viewer: Viewer): Promise<number> {
    const id = await this.publishers.publisherIdOf(em, viewer);
    if (id === null) throw new ForbiddenError("Only a publisher's staff publish and manage projects.");
    return id;
  }

  private async assertStaffOf(em: EntityManager, viewer: Viewer, project: Project): Promise<void> {
    const mine = await this.publishers.publisherIdOf(em, viewer);
    if (mine !== project.publisher.id)
      throw new ForbiddenError("Only the project's publisher's staff may do this.");
  }

  /** The project, which the viewer's publisher must own (drafts of others are NOT_FOUND). */
  private async requireOwnProject(
    em: EntityManager,
    viewer: Viewer,
    globalId: string,
    path: string,
  ): Promise<Project> {
    const project = await em.findOne(Project, { id: parseIdOf('Project', globalId, path) });
    const mine = await this.publishers.publisherIdOf(em, viewer);
    if (!project || (project.status === ProjectStatus.DRAFT && mine !== project.publisher.id))
      throw new NotFoundError('Project', globalId);
    if (mine !== project.publisher.id)
      throw new ForbiddenError("Only the project's publisher's staff may do this.");
    return project;
  }

  private async createDraft(
    em: EntityManager,
    viewer: Viewer,
    publisherId: number,
    input: PublishProjectInput,
  ): Promise<Project> {
    const required = [
      'title',
      'categoryCode',
      'regionCodes',
      'budgetFen',
      'applicationOpensAt',
      'applicationClosesAt',
    ] as const;
    const missing = required.filter((key) => input[key] == null);
    if (missing.length)
      throw new BadUserInputError(
        missing.map((key) => ({ path: `input.${key}`, message: 'is required for a new project' })),
      );
    const project = em.create(Project, {
      publisher: publisherId,
      title: '',
      category: input.categoryCode!,
      categoryPath: [],
      regionCodes: [],
      regionPaths: [],
      targetGroups: [],
      budgetFen: input.budgetFen!,
      procurementMethod: ProcurementMethod.OPEN,
      applicationOpensAt: input.applicationOpensAt!,
      applicationClosesAt: input.applicationClosesAt!,
      createdBy: ref(em.getReference(User, viewer.userId)),
    });
    await this.applyFields(em, project, input, true);
    return project;
  }

  /** Sets the fields present in the input; returns what changed (for amendments and the audit). */
  private async applyFields(
    em: EntityManager,
    project: Project,
    input: ProjectFieldsInput,
    creating = false,
  ): Promise<Changes> {
    const changes: Changes = {};
    const set = <K extends keyof Project>(
      key: K,
      value: Project[K],
      shown: (v: Project[K]) => unknown = (v) => v,
    ) => {
      const from = shown(project[key]);
      const to = shown(value);
      if (creating || JSON.stringify(from) !== JSON.stringify(to)) {
        if (!creating) changes[String(key)] = { from, to };
        project[key] = value;
      }
    };
    const iso = (d: Date) => d.toISOString();
    if (input.title != null) set('title', input.title.trim());
    if (input.description != null) set('description', input.description);
    if (input.categoryCode != null) {
      const category = await this.categories.require(em, input.categoryCode, 'input.categoryCode');
      set('categoryPath', category.path);
      project.category = ref(category);
    }
    if (input.regionCodes != null) {
      const codes = [...new Set(input.regionCodes)];
      const regions = await em.find(Region, { code: { $in: codes } });
      const unknown = codes.find((c) => !regions.some((r) => r.code === c));
      if (unknown) throw BadUserInputError.field('input.regionCodes', `region ${unknown} does not exist`);
      set('regionCodes', codes);
      project.regionPaths = [...new Set(regions.flatMap((r) => r.path))];
    }
    if (input.targetGroups != null) set('targetGroups', [...new Set(input.targetGroups)]);
    if (input.budgetFen != null) set('budgetFen', input.budgetFen);
    if (input.procurementMethod != null) set('procurementMethod', input.procurementMethod);
    const rules = input.eligibility;
    if (rules?.verifiedOnly != null) set('verifiedOnly', rules.verifiedOnly);
    if (rules?.minGrade != null) set('minGrade', rules.minGrade);
    if (rules?.allowedFoundingTypes != null)
      set('allowedFoundingTypes', [...new Set(rules.allowedFoundingTypes)]);
    if (rules?.mustServeRegions != null) set('mustServeRegions', rules.mustServeRegions);
    if (input.applicationOpensAt != null) set('applicationOpensAt', input.applicationOpensAt, iso);
    if (input.applicationClosesAt != null) set('applicationClosesAt', input.applicationClosesAt, iso);
    if (input.documents != null)
      set(
        'documents',
        input.documents.map((d) => ({ title: d.title.trim(), url: d.url })),
      );
    if (input.invitedOrganizationIds != null) {
      const ids = [
        ...new Set(
          input.invitedOrganizationIds.map((id, i) =>
            parseIdOf('Organization', id, `input.invitedOrganizationIds.${i}`),
          ),
        ),
      ];
      const found = await selectIds(em, Organization, { id: { $in: ids } });
      if (found.length !== ids.length)
        throw BadUserInputError.field(
          'input.invitedOrganizationIds',
          'names an organization that does not exist',
        );
      if (project.id === undefined) await em.flush(); // the invitations need the project's id
      const before = (await em.find(ProjectInvitation, { project: project.id })).map(
        (i) => i.organization.id,
      );
      const sameSet = before.length === ids.length && ids.every((id) => before.includes(id));
      if (!sameSet) {
        await em.nativeDelete(ProjectInvitation, { project: project.id });
        for (const id of ids) em.create(ProjectInvitation, { project: project.id, organization: id });
        if (!creating) changes.invitedOrganizationIds = { from: before, to: ids };
      }
    }
    return changes;
  }

  private assertPeriod(project: Project): void {
    if (project.applicationClosesAt.getTime() <= project.applicationOpensAt.getTime())
      throw BadUserInputError.field('input.applicationClosesAt', 'must be after applicationOpensAt');
  }

  /** What a tender needs before organizations can see it. */
  private async assertReadyToPublish(em: EntityManager, project: Project): Promise<void> {
    if (project.applicationClosesAt.getTime() <= Date.now())
      throw BadUserInputError.field('input.applicationClosesAt', 'must be in the future to publish');
    if (project.procurementMethod === ProcurementMethod.OPEN) return;
    await em.flush(); // count invitations written in this transaction
    const invited = await em.count(ProjectInvitation, { project: project.id });
    if (project.procurementMethod === ProcurementMethod.SELECTIVE && invited === 0)
      throw BadUserInputError.field(
        'input.invitedOrganizationIds',
        'a SELECTIVE project must invite at least one organization',
      );
    if (project.procurementMethod === ProcurementMethod.DIRECT && invited !== 1)
      throw BadUserInputError.field(
        'input.invitedOrganizationIds',
        'a DIRECT project invites exactly one organization',
      );
  }

  /** A budget cut below what a live application requests would make that application invalid. */
  private async assertBudgetCoversApplications(em: EntityManager, project: Project): Promise<void> {
    const rows = await em.execute<{ max: string | null }[]>(
      `select max("requested_fen") as "max" from "project_application" where "project_id" = ? and "status" in (?, ?)`,
      [project.id, ...PENDING_APPLICATION_STATUSES],
    );
    const max = Number(rows[0]?.max ?? 0);
    if (max > project.budgetFen)
      throw BadUserInputError.field('input.budgetFen', `must cover the largest live request (${max} fen)`);
  }

  /** Writes the `project.published` outbox event: last in the transaction (see emitEvent). */
  private async announce(em: EntityManager, project: Project): Promise<void> {
    await emitEvent(em, {
      topic: Topic.PROJECT_PUBLISHED,
      entityId: project.id,
      categoryPath: project.categoryPath,
      regionPath: await this.regionPathOf(em, project),
      targetGroups: project.targetGroups,
    });
  }

  /** The project's regions' codes, provinces first: what its events are matched on. */
  private async regionPathOf(em: EntityManager, project: Project): Promise<string[]> {
    const regions = await this.regionsOf(em, project);
    return [...new Set(regions.sort((a, b) => a.path.length - b.path.length).flatMap((r) => r.path))];
  }

  /**
   * Writes one APPLICATION_DECIDED outbox event per decided application (AWARDED or REJECTED),
   * keyed by the applicant organization, and records its seq on the application (`decidedSeq`), so
   * the organization's `applicationDecided` stream finds the application of each event. The rows
   * must be flushed already; call it last in the transaction (see emitEvent).
   */
  private async announceDecisions(
    em: EntityManager,
    project: Project,
    decided: readonly ProjectApplication[],
  ): Promise<void> {
    if (decided.length === 0) return;
    const regionPath = await this.regionPathOf(em, project);
    for (const application of [...decided].sort((a, b) => a.id - b.id)) {
      const seq = await emitEvent(em, {
        topic: Topic.APPLICATION_DECIDED,
        entityId: application.organization.id,
        categoryPath: project.categoryPath,
        regionPath,
        targetGroups: project.targetGroups,
      });
      await em.nativeUpdate(ProjectApplication, { id: application.id }, { decidedSeq: seq });
    }
  }
}
