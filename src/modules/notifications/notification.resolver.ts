import {
  Arg,
  Args,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { ArrayMaxSize, IsOptional } from 'class-validator';
import type { Context } from '../../core/context.js';
import type { SubscribeData } from '../../core/events/subscribe-data.js';
import {
  ConnectionArgs,
  ConnectionType,
  toConnection,
  type ConnectionShape,
} from '../../core/relay/connection.js';
import { Notification } from './notification.entity.js';
import { openNotificationFeed, type NotificationFeedItem } from './notification-feed.js';
import { localeOf, renderNotification } from './notification-templates.js';
import { MAX_MARKED_AT_ONCE } from './notification.service.js';

export const NotificationConnection = ConnectionType(Notification, 'Notification');

@InputType({ description: 'Which notifications to mark read: the ids given, or all of yours.' })
export class MarkNotificationsReadInput {
  @Field(() => [ID], { nullable: true, description: `At most ${MAX_MARKED_AT_ONCE}.` })
  @IsOptional()
  @ArrayMaxSize(MAX_MARKED_AT_ONCE)
  ids?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Every unread notification of yours.' })
  @IsOptional()
  all?: boolean | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'With `all`: only those up to this one (the newest you have seen), so that one made meanwhile stays unread. Without it, those made by the time the mutation runs.',
  })
  @IsOptional()
  upTo?: string | null;
}

@ObjectType()
export class MarkNotificationsReadPayload {
  @Field(() => Int, { description: 'How many were unread and are now read.' })
  markedCount!: number;

  @Field(() => Int, { description: 'How many of yours are still unread.' })
  unreadCount!: number;
}

@ObjectType({ description: 'New notifications pushed to you, and the cursor to resume after them.' })
export class NotificationEvent {
  @Field(() => String, {
    description:
      'Position in the event feed (monotonic). Pass it as `after` to resume without gap or duplicate.',
  })
  cursor!: string;

  @Field(() => [Notification], { description: 'Usually one; oldest first.' })
  notifications!: Notification[];
}

@Resolver(() => Notification)
export class NotificationResolver {
  @Authorized()
  @Query(() => NotificationConnection, { description: 'Your notifications, newest first.' })
  async notifications(
    @Ctx() ctx: Context,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('unreadOnly', () => Boolean, { defaultValue: false }) unreadOnly: boolean,
  ): Promise<ConnectionShape<Notification>> {
    return toConnection(NotificationConnection, await ctx.services.notifications.list(ctx, args, unreadOnly));
  }

  @Authorized()
  @Query(() => Int, { description: 'How many of your notifications are unread.' })
  unreadNotificationCount(@Ctx() ctx: Context): Promise<number> {
    return ctx.services.notifications.unreadCount(ctx);
  }

  @Authorized()
  @Mutation(() => MarkNotificationsReadPayload, {
    description:
      'Marks notifications of yours read: the ids given, or all of them. An id not yours is NOT_FOUND.',
  })
  async markNotificationsRead(
    @Ctx() ctx: Context,
    @Arg('input', () => MarkNotificationsReadInput) input: MarkNotificationsReadInput,
  ): Promise<MarkNotificationsReadPayload> {
    const markedCount = await ctx.services.notifications.markRead(ctx, input);
    return { markedCount, unreadCount: await ctx.services.notifications.unreadCount(ctx) };
  }

  @Subscription(() => NotificationEvent, {
    description:
      'Your new notifications as they are made. With `after`, first replays those announced after that cursor, in order, then goes live.',
    subscribe: ({ args, context }: SubscribeData<{ after?: string | null }>) =>
      openNotificationFeed(context, args.after),
  })
  notificationReceived(
    @Root() event: NotificationFeedItem,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last event you saw.' })
    _after?: string,
  ): NotificationEvent {
    return event;
  }

  @FieldResolver(() => String, { description: 'Short text (Chinese unless your language is English).' })
  title(@Root() notification: Notification): string {
    return renderNotification(notification.topic, notification.params, localeOf(null)).title;
  }

  @FieldResolver(() => String, { description: 'The full text (Chinese unless your language is English).' })
  body(@Root() notification: Notification): string {
    return renderNotification(notification.topic, notification.params, localeOf(null)).body;
  }

  @FieldResolver(() => Boolean)
  read(@Root() notification: Notification): boolean {
    return notification.readAt != null;
  }
}
