import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, Context } from '../../core/context.js';
import type { ConnectionArgs, Page } from '../../core/relay/connection.js';
import type { CategoryService } from '../categories/category.service.js';
import type { Organization } from '../organizations/organization.entity.js';
import type { Demand } from '../demands/demand.entity.js';
import type { DemandService } from '../demands/demand.service.js';
import type { ProjectApplication } from './application.entity.js';
import type { EligibilityResult } from './eligibility.js';
import type { Project, ProjectAmendment } from './project.entity.js';
import type { ApplicationListArgs, ProjectsArgs } from './project.args.js';
import type {
  ApplyToProjectInput,
  AwardProjectInput,
  CancelProjectInput,
  CompleteProjectInput,
  CreateProjectFromDemandsInput,
  PublishProjectInput,
  ReportProjectDemandsInput,
  StartProjectInput,
  UpdateProjectInput,
} from './project.inputs.js';
import { ProjectAccess } from './project.policy.js';
import { ProjectApplications } from './project-applications.service.js';
import { ProjectAwards } from './project-awards.service.js';
import { ProjectFields } from './project-fields.js';
import { ProjectsFromDemands } from './project-from-demands.service.js';
import { ProjectPublishing } from './project-publishing.service.js';
import { ProjectQueries } from './project-queries.service.js';
import { sweepApplicationPeriods } from './project-transitions.js';
import type { PublisherService } from './publisher.service.js';

/**
 * Purchase-of-service projects and their applications: the OCDS-shaped lifecycle (planning →
 * tender → award → implementation). Every status change is a conditional UPDATE guarded by the
 * lifecycle table, so two staff racing on the same project cannot both win.
 *
 * A facade over the parts, each in its own module:
 * - reads and visibility: `ProjectQueries` (project-queries.service.ts), `ProjectAccess` (project.policy.ts);
 * - planning and tender: `ProjectPublishing` (project-publishing.service.ts), `ProjectFields` (project-fields.ts);
 * - projects from workers' demands: `ProjectsFromDemands` (project-from-demands.service.ts);
 * - applications: `ProjectApplications` (project-applications.service.ts);
 * - award and implementation: `ProjectAwards` (project-awards.service.ts);
 * - shared: guarded status changes (project-transitions.ts) and outbox events (project-events.ts).
 */
export class ProjectService {
  private readonly access: ProjectAccess;
  private readonly queries: ProjectQueries;
  private readonly publishing: ProjectPublishing;
  private readonly fromDemands: ProjectsFromDemands;
  private readonly applicationsOf: ProjectApplications;
  private readonly awarding: ProjectAwards;

  constructor(publishers: PublisherService, categories: CategoryService, demands: DemandService) {
    this.access = new ProjectAccess(publishers);
    this.queries = new ProjectQueries(this.access, publishers, demands);
    this.publishing = new ProjectPublishing(this.access, new ProjectFields(categories));
    this.fromDemands = new ProjectsFromDemands(publishers, categories);
    this.applicationsOf = new ProjectApplications(this.access);
    this.awarding = new ProjectAwards(this.access, demands);
  }

  // ── Reads ───────────────────────────────────────────────────────────────────────────────────

  /** Writes the close of every application period that has ended (see `closeApplicationPeriods`). */
  sweep(em: EntityManager, now: Date): Promise<number> {
    return sweepApplicationPeriods(em, now);
  }

  isPublisherStaff(ctx: Pick<Context, 'em' | 'viewer'>, project: Project): Promise<boolean> {
    return this.access.isPublisherStaff(ctx, project);
  }

  canSee(ctx: Pick<Context, 'em' | 'viewer'>, project: Project): Promise<boolean> {
    return this.access.canSee(ctx, project);
  }

  get(ctx: Context, id: number): Promise<Project | null> {
    return this.queries.get(ctx, id);
  }

  list(ctx: Context, args: ProjectsArgs): Promise<Page<Project>> {
    return this.queries.list(ctx, args);
  }

  applications(ctx: Context, project: Project, args: ConnectionArgs): Promise<Page<ProjectApplication>> {
    return this.queries.applications(ctx, project, args);
  }

  organizationApplications(
    ctx: Context,
    organizationId: number,
    args: ApplicationListArgs,
  ): Promise<Page<ProjectApplication> | null> {
    return this.queries.applicationsOf(ctx, organizationId, args);
  }

  linkedDemands(ctx: Context, project: Project): Promise<Demand[]> {
    return this.queries.linkedDemands(ctx, project);
  }

  awards(ctx: Context, project: Project): Promise<ProjectApplication[]> {
    return this.queries.awards(ctx, project);
  }

  getApplication(ctx: Context, id: number): Promise<ProjectApplication | null> {
    return this.queries.getApplication(ctx, id);
  }

  getAmendment(ctx: Context, id: number): Promise<ProjectAmendment | null> {
    return this.queries.getAmendment(ctx, id);
  }

  // ── Planning and tender ─────────────────────────────────────────────────────────────────────

  publish(actor: Actor, input: PublishProjectInput): Promise<Project> {
    return this.publishing.publish(actor, input);
  }

  update(
    actor: Actor,
    input: UpdateProjectInput,
  ): Promise<{ project: Project; amendment: ProjectAmendment | null }> {
    return this.publishing.update(actor, input);
  }

  cancel(actor: Actor, input: CancelProjectInput): Promise<Project> {
    return this.publishing.cancel(actor, input);
  }

  // ── Projects from workers' demands (职工点单、工会买单) ─────────────────────────────────────────

  createFromDemands(actor: Actor, input: CreateProjectFromDemandsInput): Promise<Project> {
    return this.fromDemands.createFromDemands(actor, input);
  }

  reportDemands(
    actor: Actor,
    input: ReportProjectDemandsInput,
  ): Promise<{ project: Project; fulfilled: Demand[] }> {
    return this.awarding.reportDemands(actor, input);
  }

  // ── Applications and award ──────────────────────────────────────────────────────────────────

  apply(actor: Actor, input: ApplyToProjectInput): Promise<ProjectApplication> {
    return this.applicationsOf.apply(actor, input);
  }

  withdraw(actor: Actor, applicationId: string): Promise<ProjectApplication> {
    return this.applicationsOf.withdraw(actor, applicationId);
  }

  shortlist(actor: Actor, applicationId: string): Promise<ProjectApplication> {
    return this.applicationsOf.shortlist(actor, applicationId);
  }

  award(
    actor: Actor,
    input: AwardProjectInput,
  ): Promise<{ project: Project; awarded: ProjectApplication[] }> {
    return this.awarding.award(actor, input);
  }

  start(actor: Actor, input: StartProjectInput): Promise<Project> {
    return this.awarding.start(actor, input);
  }

  complete(actor: Actor, input: CompleteProjectInput): Promise<Project> {
    return this.awarding.complete(actor, input);
  }

  eligibilityOf(em: EntityManager, project: Project, organization: Organization): Promise<EligibilityResult> {
    return this.applicationsOf.eligibilityOf(em, project, organization);
  }
}
