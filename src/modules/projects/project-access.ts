import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../core/context.js';
import type { Viewer } from '../../core/auth.js';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { Role } from '../../core/roles.js';
import { Project } from './project.entity.js';
import { isPublicStatus } from './project-lifecycle.js';
import { firstOutsideScope } from './project-from-demands.js';
import { Region } from '../regions/region.entity.js';
import type { PublisherService } from './publisher.service.js';

/**
 * The region scope union staff's projects must lie inside (their account's region scope), null for
 * a union staff account without one; undefined for other publishers' staff (government and
 * enterprise buyers are not bound to a region here).
 */
export function unionScopeOf(viewer: Viewer): string | null | undefined {
  if (!viewer.roles.has(Role.UNION_STAFF)) return undefined;
  return viewer.user.regionScope?.unwrap().code ?? null;
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

  /** Drafts are for their publisher's staff (and admins); everything else is public. */
  async canSee(ctx: Pick<Context, 'em' | 'viewer'>, project: Project): Promise<boolean> {
    if (isPublicStatus(project.status)) return true;
    if (ctx.viewer?.roles.has(Role.ADMIN)) return true;
    return this.isPublisherStaff(ctx, project);
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
