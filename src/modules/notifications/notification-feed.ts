import { useUnitOfWork, type Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { ForbiddenError } from '../../core/errors.js';
import { Topic } from '../../core/events/outbox.js';
import { feedWithLiveRights } from '../../core/rights/rights-feed.js';
import { feedCursor } from '../demands/demand-feed.js';
import { Notification } from './notification.entity.js';

/** One pushed `notification.created` event: its cursor and the viewer's notifications it announced. */
export interface NotificationFeedItem {
  cursor: string;
  notifications: Notification[];
}

/**
 * `notificationReceived`: the viewer's own new notifications, on the EventHub's entity-keyed streams
 * (the worker announces each recipient's new notifications with a `notification.created` event keyed
 * by her id), replayed from `after` and then live, under live rights (feedWithLiveRights): a
 * suspended or deleted account's subscription ends. Nobody follows anyone else's.
 */
export async function openNotificationFeed(
  ctx: Context,
  after: string | null | undefined,
): Promise<AsyncIterableIterator<NotificationFeedItem>> {
  const userId = requireViewer(ctx.viewer).userId;
  const from = await feedCursor(ctx.em, after);
  const spec = { kind: 'entity' as const, topic: Topic.NOTIFICATION_CREATED, entityId: userId };
  const stream = await ctx.services.events.open(ctx.em, spec, from);
  const admit = (current: Viewer) => {
    if (current.userId !== userId) throw new ForbiddenError('These notifications are someone else’s.');
  };
  const base = ctx.em;
  return feedWithLiveRights(ctx, stream, admit, async (event, viewer) => {
    // A fresh fork per event keeps rows current; graphql-ws resolves one event at a time.
    const em = base.fork();
    const notifications = await em.find(
      Notification,
      { announcedSeq: event.seq, user: viewer.userId },
      { orderBy: { id: 'asc' } },
    );
    if (notifications.length === 0) return null;
    useUnitOfWork(ctx, em);
    return { cursor: String(event.seq), notifications };
  });
}
