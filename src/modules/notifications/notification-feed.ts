import { useUnitOfWork, type Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { ForbiddenError } from '../../core/errors.js';
import { ANY, type PathSpec } from '../../core/events/match-index.js';
import { outboxHead, Topic } from '../../core/events/outbox.js';
import { feedWithLiveRights } from '../../core/rights/rights-feed.js';
import { feedCursor } from '../demands/demand-feed.js';
import { Notification } from './notification.entity.js';
import { audienceKey } from './notification-worker.js';

/** One pushed `notification.created` event: its cursor and the viewer's notifications it announced. */
export interface NotificationFeedItem {
  cursor: string;
  notifications: Notification[];
}

/** The audience keys (notification-worker.ts) a viewer's notifications are announced under. */
function keysOf(viewer: Viewer): string[] {
  return [
    audienceKey('user', viewer.userId),
    ...[...viewer.memberships.keys()].map((id) => audienceKey('organization', id)),
  ];
}

/**
 * `notificationReceived`: the viewer's own new notifications, replayed from `after` and then live,
 * under live rights (feedWithLiveRights): a suspended or deleted account's subscription ends.
 *
 * The worker announces each round with one `notification.created` event whose category path is
 * its audience and whose entity id its highest notification id. The stream follows the events
 * naming the viewer or an organization she belonged to when she subscribed (the match index's
 * buckets, so a round costs nothing to the others' streams); each such event is checked against
 * her memberships as they are now, then her notifications between the previous event's id and this
 * one's are read (notification.service.ts: a member removed meanwhile reads none of the
 * organization's). Nobody follows anyone else's. Organizations she joins later reach this feed
 * when she subscribes again; the `notifications` query has them at once.
 */
export async function openNotificationFeed(
  ctx: Context,
  after: string | null | undefined,
): Promise<AsyncIterableIterator<NotificationFeedItem>> {
  const viewer = requireViewer(ctx.viewer);
  const userId = viewer.userId;
  const from = (await feedCursor(ctx.em, after)) ?? (await outboxHead(ctx.em));
  // The notifications announced up to `from` end at the id of the last announcement before it.
  const [last] = await ctx.em.execute<{ entity_id: string }[]>(
    `select "entity_id" from "event" where "topic" = ? and "seq" <= ? order by "seq" desc limit 1`,
    [Topic.NOTIFICATION_CREATED, from],
  );
  let upTo = Number(last?.entity_id ?? 0);
  const spec: PathSpec = {
    kind: 'paths',
    topic: Topic.NOTIFICATION_CREATED,
    categoryCodes: keysOf(viewer),
    regionCodes: [ANY],
    requiredCategory: null,
    requiredRegion: null,
    servedGroups: [],
    requiredGroups: [],
  };
  const stream = await ctx.services.events.open(ctx.em, spec, from);
  const admit = (current: Viewer) => {
    if (current.userId !== userId) throw new ForbiddenError('These notifications are someone else’s.');
  };
  const base = ctx.em;
  // The range of the event being mapped: map may run again for the same event (a rights change).
  let mappedSeq = -1;
  let floor = upTo;
  return feedWithLiveRights(ctx, stream, admit, async (event, current) => {
    if (event.seq !== mappedSeq) {
      mappedSeq = event.seq;
      floor = upTo;
      upTo = Math.max(upTo, event.entityId);
    }
    const keys = new Set(keysOf(current));
    if (!event.categoryPath.some((key) => keys.has(key))) return null;
    // A fresh fork per event keeps rows current; graphql-ws resolves one event at a time.
    const em = base.fork();
    const notifications = await ctx.services.notifications.between(em, current.userId, floor, upTo);
    if (notifications.length === 0) return null;
    useUnitOfWork(ctx, em);
    return { cursor: String(event.seq), notifications };
  });
}
