import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../core/context.js';
import type { Viewer } from '../../core/auth.js';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { Role } from '../../core/roles.js';
import { Project } from './project.entity.js';
import { ProjectStatus } from './project.enums.js';
import { isPublicStatus } from './project-lifecycle.js';
import type { PublisherService } from './publisher.service.js';

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

  /** The project, which the viewer's publisher must own (drafts of others are NOT_FOUND). */
  async requireOwnProject(
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
}
