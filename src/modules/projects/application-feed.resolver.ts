import type { SubscribeData } from '../../core/events/subscribe-data.js';
import { Arg, Field, ID, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { ProjectApplication } from './application.entity.js';
import { openApplicationDecisions, type ApplicationDecisionItem } from './application-feed.service.js';

@ObjectType({
  description:
    'A pushed decision on one of your organization’s applications, and the cursor to resume after it.',
})
export class ApplicationDecisionEvent {
  @Field(() => String, {
    description:
      'Position in the event feed (monotonic). Pass it as `after` to resume without gap or duplicate.',
  })
  cursor!: string;

  @Field(() => ProjectApplication, {
    description: 'The decided application: `status` AWARDED (with `awarded`) or REJECTED, as it is now.',
  })
  application!: ProjectApplication;
}

interface DecisionArgs {
  organizationId?: string | null;
  projectId?: string | null;
  after?: string | null;
}

/** Award decisions pushed to the applicants over graphql-ws. Rules live in the service. */
@Resolver()
export class ApplicationFeedResolver {
  @Subscription(() => ApplicationDecisionEvent, {
    description:
      'Each decision on your organization’s applications — AWARDED with the amount, or REJECTED (by the award, or because the project was cancelled) — to the organization’s members. With `after`, first replays every decision after that cursor, in order, then goes live.',
    subscribe: ({ args, context }: SubscribeData<DecisionArgs>) => openApplicationDecisions(context, args),
  })
  applicationDecided(
    @Root() event: ApplicationDecisionItem,
    @Arg('organizationId', () => ID, {
      nullable: true,
      description: 'The organization to follow (you must belong to it); default: your first verified one.',
    })
    _organizationId?: string,
    @Arg('projectId', () => ID, { nullable: true, description: 'Only decisions on this project.' })
    _projectId?: string,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last event you saw.' })
    _after?: string,
  ): ApplicationDecisionEvent {
    return event;
  }
}
