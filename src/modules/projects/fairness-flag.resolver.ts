import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Organization } from '../organizations/organization.entity.js';
import { getOrganization } from '../organizations/organization.policy.js';
import { ProjectFairnessFlag } from './fairness-flag.entity.js';
import { Project } from './project.entity.js';

@Resolver(() => Project)
export class ProjectFairnessFlagsResolver {
  @FieldResolver(() => [ProjectFairnessFlag], {
    description:
      'Decisions that narrowed competition for this project, oldest first, each with the rationale written at its step (docs/domain.md, "Fairness flags"). Public with the project; a draft has none.',
  })
  fairnessFlags(@Ctx() ctx: Context, @Root() project: Project): Promise<ProjectFairnessFlag[]> {
    return ctx.loaders.fairnessFlags.load(project.id);
  }
}

@Resolver(() => ProjectFairnessFlag)
export class FairnessFlagResolver {
  @FieldResolver(() => Project, { nullable: true, description: 'The project, when you may see it.' })
  async project(@Ctx() ctx: Context, @Root() flag: ProjectFairnessFlag): Promise<Project | null> {
    const project = await flag.project.loadOrFail({ dataloader: true });
    return (await ctx.services.projectAccess.canSee(ctx, project)) ? project : null;
  }

  @FieldResolver(() => Organization, {
    nullable: true,
    description:
      'The organization concerned (the sole applicant, the repeat winner), when you may see it; null for flags of the tender.',
  })
  organization(@Ctx() ctx: Context, @Root() flag: ProjectFairnessFlag): Promise<Organization | null> | null {
    return flag.organization ? getOrganization(ctx, flag.organization.id) : null;
  }
}
