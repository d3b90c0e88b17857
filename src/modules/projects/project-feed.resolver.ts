import type { SubscribeData } from '../../core/events/subscribe-data.js';
import { Arg, Field, ID, InputType, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { IsOptional, Matches, MaxLength } from 'class-validator';
import { TargetGroup } from '../categories/target-group.js';
import { Project } from './project.entity.js';
import { openProjectFeed, type ProjectFeedItem } from './project-feed.service.js';

@ObjectType({ description: 'A pushed project event: the project, and the cursor to resume after it.' })
export class ProjectEvent {
  @Field(() => String, {
    description:
      'Position in the event feed (monotonic). Pass it as `after` to resume without gap or duplicate.',
  })
  cursor!: string;

  @Field(() => Project, { description: 'The project, as you may see it now.' })
  project!: Project;
}

@InputType({
  description:
    'Narrows the project feed; without it you get every new project your organization may apply to.',
})
export class ProjectSubscriptionFilter {
  @Field(() => ID, {
    nullable: true,
    description: 'The organization to follow for (you must belong to it); default: your first verified one.',
  })
  @IsOptional()
  organizationId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only projects in this category’s subtree.' })
  @IsOptional()
  @MaxLength(64)
  categoryCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Only projects for a region in this subtree.' })
  @IsOptional()
  @Matches(/^\d{6}$/)
  regionCode?: string | null;

  @Field(() => [TargetGroup], { nullable: true, description: 'Only projects naming one of these groups.' })
  @IsOptional()
  targetGroups?: TargetGroup[] | null;
}

/**
 * The real-time project feed over graphql-ws (docs/architecture.md, "Live path"). Rules live in the
 * service.
 */
@Resolver()
export class ProjectFeedResolver {
  @Subscription(() => ProjectEvent, {
    description:
      'Each newly published project your organization is eligible for (category and regions it serves, grade, founding type, verification, invitation), narrowed by `filter`. With `after`, first replays every matching event after that cursor, in order, then goes live.',
    subscribe: ({
      args,
      context,
    }: SubscribeData<{ filter?: ProjectSubscriptionFilter | null; after?: string | null }>) =>
      openProjectFeed(context, args.filter, args.after),
  })
  projectPublished(
    @Root() event: ProjectFeedItem,
    @Arg('filter', () => ProjectSubscriptionFilter, { nullable: true }) _filter?: ProjectSubscriptionFilter,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last event you saw.' })
    _after?: string,
  ): ProjectEvent {
    return event;
  }
}
