/**
 * Who may see a project, and who acts for its publisher. The rule over plain facts sits beside its
 * SQL twin:
 *
 * - `canSeeProject` — `projectVisibility`, the filter of `projects` (`project(id)`, `node(id)`,
 *   `projectPublished` and `/opendata/ocds/releases.json` agree);
 * - `organizationApplicationsShown` — `organizationApplicationsFilter` (`Organization.applications`);
 * - `assertProjectInScope`: union staff publish only inside their region scope;
 * - `ProjectAccess`: the checks every project service asks ("is this the publisher's staff");
 * - `installProjectRules`: `node(id)` of publishers, projects, applications and amendments, and who
 *   reads the full audit trail of a project, an application and a publisher.
 *
 * The viewer's facts come from organizations/viewer-facts.ts, once per request.
 *
 * @module
 */
import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, Context } from '../../core/context.js';
import type { Viewer } from '../../core/auth.js';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import type { NodeRegistry } from '../../core/relay/node.resolver.js';
import { viewerFactsOf, type ViewerFacts } from '../organizations/viewer-facts.js';
import type { AuditService } from '../audit/audit.service.js';
import { MemberRole } from '../organizations/organization.enums.js';
import type { Organization } from '../organizations/organization.entity.js';
import {
  canOversee,
  getOrganization,
  isMemberOf,
  organizationFacts,
  type OrganizationFacts,
  type OrganizationViewer,
} from '../organizations/organization.policy.js';
import { Project, type ProjectAmendment } from './project.entity.js';
import { ProjectStatus } from './project.enums.js';
import type { ProjectApplication } from './application.entity.js';
import type { Publisher } from './publisher.entity.js';
import { isPublicStatus } from './project-lifecycle.js';
import { firstOutsideScope } from './project-from-demands.js';
import { Region } from '../regions/region.entity.js';
import type { PublisherService } from './publisher.service.js';

/**
 * Drafts are for their publisher's staff (and admins); everything else is public. `publisherId`:
 * the publisher the viewer acts for (null: none, or anonymous).
 */
export function canSeeProject(
  viewer: Pick<ViewerFacts, 'isAdmin'> | null,
  publisherId: number | null,
  project: { status: ProjectStatus; publisherId: number },
): boolean {
  return (
    isPublicStatus(project.status) ||
    (viewer?.isAdmin ?? false) ||
    (publisherId !== null && publisherId === project.publisherId)
  );
}

/** The SQL twin of `canSeeProject`, as a filter of `Project`; null (no condition) for admins. */
export function projectVisibility(
  viewer: Pick<ViewerFacts, 'isAdmin'> | null,
  publisherId: number | null,
): FilterQuery<Project> | null {
  if (viewer?.isAdmin) return null;
  return publisherId === null
    ? { status: { $ne: ProjectStatus.DRAFT } }
    : { $or: [{ status: { $ne: ProjectStatus.DRAFT } }, { publisher: publisherId }] };
}

/**
 * Which of an organization's applications the viewer reads through `Organization.applications`: all
 * of them for its members and admins; for a publisher's staff, those to their publisher's projects
 * (as `Project.applications` and `node(id)` show them to the publisher); nothing (null) for anyone
 * else. `publisherId`: the publisher the viewer acts for (null: none).
 */
export function organizationApplicationsShown(
  viewer: Pick<ViewerFacts, 'isAdmin' | 'memberships'> | null,
  organizationId: number,
  publisherId: number | null,
): 'all' | { publisherId: number } | null {
  if (viewer === null) return null;
  if (viewer.isAdmin || viewer.memberships.has(organizationId)) return 'all';
  return publisherId === null ? null : { publisherId };
}

/** The SQL twin of `organizationApplicationsShown` (when not null), as a filter of applications. */
export function organizationApplicationsFilter(
  organizationId: number,
  shown: 'all' | { publisherId: number },
): FilterQuery<ProjectApplication> {
  return shown === 'all'
    ? { organization: organizationId }
    : { organization: organizationId, project: { publisher: shown.publisherId } };
}

/**
 * Who reads an organization's eligibility verdicts (`projects(filter: { eligibleFor })`,
 * `Project.eligibilityFor`): its members, and those who oversee it (union staff whose scope covers
 * it, admins). A verdict tells its grade, founding type and regions against each project's rules.
 */
export function seesEligibilityOf(viewer: OrganizationViewer | null, org: OrganizationFacts): boolean {
  return isMemberOf(viewer, org.id) || canOversee(viewer, org);
}

/**
 * The region scope union staff's projects must lie inside (their account's region scope), null for
 * a union staff account without one; undefined for other publishers' staff (government and
 * enterprise buyers are not bound to a region here).
 */
export function unionScopeOf(viewer: Viewer): string | null | undefined {
  const facts = viewerFactsOf(viewer);
  return facts.isUnionStaff ? facts.unionScope : undefined;
}

/** Whether union staff's scope covers one of the given region paths' codes. */
function scopeCovers(viewer: ViewerFacts | null, regionCodes: readonly string[]): boolean {
  return viewer?.unionScope != null && regionCodes.includes(viewer.unionScope);
}

/**
 * Union staff publish and change projects only for regions inside their scope (`firstOutsideScope`,
 * the rule `createProjectFromDemands` applies to its demands): FORBIDDEN naming the first region
 * outside it.
 */
export async function assertProjectInScope(
  em: EntityManager,
  viewer: Viewer,
  project: Project,
): Promise<void> {
  const scope = unionScopeOf(viewer);
  if (scope === undefined) return;
  if (scope === null) throw new ForbiddenError('Only union staff with a region scope publish projects.');
  const regions = new Map(
    (await em.find(Region, { code: { $in: project.regionCodes } })).map((r) => [r.code, r.path]),
  );
  const outside = firstOutsideScope(
    project.regionCodes.map((code) => regions.get(code) ?? []),
    scope,
  );
  if (outside !== -1) {
    const regionCode = project.regionCodes[outside]!;
    throw new ForbiddenError(`Region ${regionCode} is outside your union's region scope.`, { regionCode });
  }
}

/** Who may see a project, and who acts for its publisher: the checks every project service asks. */
export class ProjectAccess {
  constructor(private readonly publishers: PublisherService) {}

  /** Whether the viewer acts for the project's publisher. */
  async isPublisherStaff(ctx: Pick<Context, 'em' | 'viewer'>, project: Project): Promise<boolean> {
    const mine = await this.publishers.publisherIdOf(ctx.em, ctx.viewer);
    return mine !== null && mine === project.publisher.id;
  }

  /** `canSeeProject`, reading the viewer's publisher only when that decides. */
  async canSee(ctx: Pick<Context, 'em' | 'viewer'>, project: Project): Promise<boolean> {
    const viewer = viewerFactsOf(ctx.viewer);
    const facts = { status: project.status, publisherId: project.publisher.id };
    if (canSeeProject(viewer, null, facts)) return true;
    return canSeeProject(viewer, await this.publishers.publisherIdOf(ctx.em, ctx.viewer), facts);
  }

  /** The filter of the projects the viewer may see (`projectVisibility`); null: all. */
  async visibleWhere(ctx: Pick<Context, 'em' | 'viewer'>): Promise<FilterQuery<Project> | null> {
    const viewer = viewerFactsOf(ctx.viewer);
    if (viewer?.isAdmin) return null;
    return projectVisibility(viewer, await this.publishers.publisherIdOf(ctx.em, ctx.viewer));
  }

  /**
   * The organization whose eligibility verdicts the viewer asks for: null when it does not exist or
   * she may not see it; `allowed` when she may read its verdicts (`seesEligibilityOf`).
   */
  async eligibilityReader(
    ctx: Actor,
    organizationId: number,
  ): Promise<{ organization: Organization | null; allowed: boolean }> {
    const organization = await getOrganization(ctx, organizationId);
    if (!organization) return { organization, allowed: false };
    const facts = await organizationFacts(ctx.em, organization);
    return { organization, allowed: seesEligibilityOf(viewerFactsOf(ctx.viewer), facts) };
  }

  async requirePublisherId(em: EntityManager, viewer: Viewer): Promise<number> {
    const id = await this.publishers.publisherIdOf(em, viewer);
    if (id === null) throw new ForbiddenError("Only a publisher's staff publish and manage projects.");
    return id;
  }

  async assertStaffOf(em: EntityManager, viewer: Viewer, project: Project): Promise<void> {
    const mine = await this.publishers.publisherIdOf(em, viewer);
    if (mine !== project.publisher.id)
      throw new ForbiddenError("Only the project's publisher's staff may do this.");
  }

  /**
   * The project, which the viewer's publisher must own: NOT_FOUND when the viewer may not see it
   * (another publisher's draft, as `project(id:)` answers), FORBIDDEN when they see it but it is not
   * theirs.
   */
  async requireOwnProject(
    em: EntityManager,
    viewer: Viewer,
    globalId: string,
    path: string,
  ): Promise<Project> {
    const project = await em.findOne(Project, { id: parseIdOf('Project', globalId, path) });
    if (!project || !(await this.canSee({ em, viewer }, project)))
      throw new NotFoundError('Project', globalId);
    const mine = await this.publishers.publisherIdOf(em, viewer);
    if (mine !== project.publisher.id)
      throw new ForbiddenError("Only the project's publisher's staff may do this.");
    return project;
  }
}

/**
 * `node(id)` answers as `project(id:)`, `applications` and the amendments list; publishers are
 * public. Full audit trails: a project's for its publisher's staff and union staff whose scope
 * covers it (the public reads awards and cancellations); an application's for the applicant's admins
 * and the project's publisher's staff; a publisher's for its staff and union staff whose scope covers
 * its region (admins always may).
 */
export function installProjectRules(services: {
  nodes: NodeRegistry;
  audit: AuditService;
  projectAccess: ProjectAccess;
  /** `ProjectQueriesService`, named by what it answers so that the policy does not import it. */
  projectQueries: {
    get(ctx: Context, id: number): Promise<Project | null>;
    getApplication(ctx: Context, id: number): Promise<ProjectApplication | null>;
    getAmendment(ctx: Context, id: number): Promise<ProjectAmendment | null>;
  };
  publishers: PublisherService;
}): void {
  const { nodes, audit, projectAccess, projectQueries, publishers } = services;
  nodes
    .registerById('Publisher', (ctx, id) => publishers.get(ctx.em, id))
    .registerById('Project', (ctx, id) => projectQueries.get(ctx, id))
    .registerById('ProjectApplication', (ctx, id) => projectQueries.getApplication(ctx, id))
    .registerById('ProjectAmendment', (ctx, id) => projectQueries.getAmendment(ctx, id));
  audit.registerReadRule(
    'Project',
    async (ctx, subject) =>
      (await projectAccess.isPublisherStaff(ctx, subject as Project)) ||
      scopeCovers(viewerFactsOf(ctx.viewer), (subject as Project).regionPaths),
  );
  audit.registerReadRule('ProjectApplication', async (ctx, subject) => {
    const application = subject as ProjectApplication;
    if (viewerFactsOf(ctx.viewer)?.memberships.get(application.organization.id) === MemberRole.ORG_ADMIN)
      return true;
    const project = await application.project.load({ dataloader: true });
    return project !== null && (await projectAccess.isPublisherStaff(ctx, project));
  });
  audit.registerReadRule('Publisher', async (ctx, subject) => {
    const publisher = subject as Publisher;
    const region = await publisher.region.load({ dataloader: true });
    if (region && scopeCovers(viewerFactsOf(ctx.viewer), region.path)) return true;
    return (await publishers.publisherIdOf(ctx.em, ctx.viewer)) === publisher.id;
  });
}
