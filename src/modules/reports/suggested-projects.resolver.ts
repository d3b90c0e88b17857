import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Role } from '../../core/roles.js';
import { SuggestedProjects, SuggestedProjectsArgs } from './suggested-projects.types.js';

@Resolver(() => SuggestedProjects)
export class SuggestedProjectsResolver {
  @Authorized(Role.UNION_STAFF, Role.ADMIN)
  @Query(() => SuggestedProjects, {
    description:
      'Suggested projects from workers’ unmet demand (职工点单、工会买单): per child region of `regionCode` × ' +
      'category, the orphan demands (as `supplyDemandGap.orphanDemands`, less those already in a live project), ' +
      'people affected, endorsements, waits, and a budget from the awarded cost per person served of ' +
      'comparable past projects. For union staff inside their region scope (FORBIDDEN outside it) and admins. ' +
      'Pass a suggestion’s `demandIds` to `createProjectFromDemands`.',
  })
  suggestedProjects(
    @Ctx() ctx: Context,
    @Args(() => SuggestedProjectsArgs) args: SuggestedProjectsArgs,
  ): Promise<SuggestedProjects> {
    return ctx.services.suggestedProjects.suggest(ctx, args);
  }
}
