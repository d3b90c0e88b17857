import type { SubscribeData } from '../../core/events/subscribe-data.js';
import { Arg, Field, ID, InputType, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { IsOptional, Matches, MaxLength } from 'class-validator';
import { parseIdOf } from '../../core/relay/global-id.js';
import { TargetGroup } from '../categories/target-group.js';
import { Demand } from './demand.entity.js';
import { openDemandFeed, openDemandUpdates, type DemandFeedItem } from './demand-feed.service.js';

@ObjectType({ description: 'A pushed demand event: the demand, and the cursor to resume after it.' })
export class DemandEvent {
  @Field(() => String, {
    description:
      'Position in the event feed (monotonic). Pass it as `after` to resume without gap or duplicate.',
  })
  cursor!: string;

  @Field(() => Demand, { description: 'The demand, as you may see it now.' })
  demand!: Demand;
}

@InputType({ description: 'Narrows the demand feed; without it you get what your organization can serve.' })
export class DemandSubscriptionFilter {
  @Field(() => String, { nullable: true, description: 'Only demands in this category’s subtree.' })
  @IsOptional()
  @MaxLength(64)
  categoryCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Only demands in this region’s subtree.' })
  @IsOptional()
  @Matches(/^\d{6}$/)
  regionCode?: string | null;

  @Field(() => [TargetGroup], { nullable: true, description: 'Only demands naming one of these groups.' })
  @IsOptional()
  targetGroups?: TargetGroup[] | null;
}

/**
 * The real-time demand feed over graphql-ws (docs/architecture.md, "Live path"). Rules live in the
 * service.
 */
@Resolver()
export class DemandFeedResolver {
  @Subscription(() => DemandEvent, {
    description:
      'Each new demand your verified organization can serve (narrowed by `filter`). With `after`, first replays every matching event after that cursor, in order, then goes live.',
    subscribe: ({
      args,
      context,
    }: SubscribeData<{ filter?: DemandSubscriptionFilter | null; after?: string | null }>) =>
      openDemandFeed(context, args.filter, args.after),
  })
  demandPublished(
    @Root() event: DemandFeedItem,
    @Arg('filter', () => DemandSubscriptionFilter, { nullable: true }) _filter?: DemandSubscriptionFilter,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last event you saw.' })
    _after?: string,
  ): DemandEvent {
    return event;
  }

  @Subscription(() => DemandEvent, {
    description:
      'Status changes of one demand, for the worker who submitted it, the workers who endorsed it (as a browsing worker sees it: no contact, no anonymous submitter) and the claiming organization.',
    subscribe: ({ args, context }: SubscribeData<{ demandId: string }>) =>
      openDemandUpdates(context, parseIdOf('Demand', args.demandId, 'demandId')),
  })
  demandUpdated(@Root() event: DemandFeedItem, @Arg('demandId', () => ID) _demandId: string): DemandEvent {
    return event;
  }
}
