import type { EntityManager } from '@mikro-orm/postgresql';
import { useUnitOfWork, type Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { BadUserInputError, ForbiddenError } from '../../core/errors.js';
import { Topic } from '../../core/events/outbox.js';
import { feedWithLiveRights } from '../../core/rights/rights-feed.js';
import { feedCursor } from '../demands/demand-feed.js';
import { Notification } from './notification.entity.js';
import { audienceKey } from './notification-signals.js';

/** One push of `notificationReceived`: the viewer's new notifications and the cursor after them. */
export interface NotificationFeedItem {
  cursor: string;
  notifications: Notification[];
}

/** Notifications pushed at most at once; more are pushed right after, in order. */
const PUSHED_AT_ONCE = 100;

/** The feed's cursor: `n` and the id of the last notification pushed (ids are committed in order). */
export function notificationCursor(id: number): string {
  return `n${id}`;
}

/** The audience keys (notification-signals.ts) a viewer's notifications are announced under. */
function keysOf(viewer: Viewer): string[] {
  return [
    audienceKey('user', viewer.userId),
    ...[...viewer.memberships.keys()].map((id) => audienceKey('organization', id)),
  ];
}

async function newestNotificationId(em: EntityManager): Promise<number> {
  const [row] = await em.execute<{ newest: string }[]>(
    'select coalesce(max("id"), 0) as "newest" from "notification"',
  );
  return Number(row?.newest ?? 0);
}

/**
 * The notification id an `after` names: a cursor of this feed (`n<id>`), or one from before rounds
 * were announced outside the outbox (an outbox seq: the notifications announced up to it end at
 * the last `notification.created` event's id). BAD_USER_INPUT when it is neither, or is beyond the
 * newest notification.
 */
async function resumeAfter(em: EntityManager, after: string): Promise<number> {
  const ours = /^n(\d{1,15})$/.exec(after);
  if (!ours) {
    const seq = await feedCursor(em, after);
    const [last] = await em.execute<{ entity_id: string }[]>(
      `select "entity_id" from "event" where "topic" = ? and "seq" <= ? order by "seq" desc limit 1`,
      [Topic.NOTIFICATION_CREATED, seq],
    );
    return Number(last?.entity_id ?? 0);
  }
  const id = Number(ours[1]);
  if (id > (await newestNotificationId(em)))
    throw BadUserInputError.field('after', 'is beyond the newest notification');
  return id;
}

/**
 * `notificationReceived`: the viewer's own new notifications, replayed from `after` and then live,
 * under live rights (feedWithLiveRights): a suspended or deleted account's subscription ends.
 *
 * The stream is a wake-up call only (notification-signals.ts): it sits in the match index under
 * the keys of the viewer and of the organizations she belonged to when she subscribed, and rings
 * when a round made notifications for one of them (or when a signal may have been missed). Each
 * ring reads her notifications after the last one pushed (notification.service.ts, with her
 * memberships as they are then: a member removed meanwhile reads none of the organization's), so
 * a repeated, late or lost signal never loses or repeats one, and `after` resumes exactly where the
 * client stopped. Nobody follows anyone else's. An organization she joins later is read with the
 * next ring of hers; its own rounds ring her stream once she subscribes again.
 */
export async function openNotificationFeed(
  ctx: Context,
  after: string | null | undefined,
): Promise<AsyncIterableIterator<NotificationFeedItem>> {
  const viewer = requireViewer(ctx.viewer);
  const userId = viewer.userId;
  // Read before joining the index; the stream's first ring reads what committed in between.
  let lastPushed =
    after === null || after === undefined
      ? await newestNotificationId(ctx.em)
      : await resumeAfter(ctx.em, after);
  const stream = ctx.services.notificationSignals.open(keysOf(viewer));
  const admit = (current: Viewer) => {
    if (current.userId !== userId) throw new ForbiddenError('These notifications are someone else’s.');
  };
  const base = ctx.em;
  // The ring being mapped and where its read starts: map runs again for one ring when her rights
  // changed meanwhile, and must then read the same notifications again.
  let mappedRing = -1;
  let from = lastPushed;
  return feedWithLiveRights(ctx, stream, admit, async (ring, current) => {
    if (ring.seq !== mappedRing) {
      mappedRing = ring.seq;
      from = lastPushed;
    }
    // A fresh fork per ring keeps rows current; graphql-ws resolves one event at a time.
    const em = base.fork();
    const notifications = await ctx.services.notifications.newerThan(
      em,
      current.userId,
      from,
      PUSHED_AT_ONCE,
    );
    if (notifications.length === 0) return null;
    // A full push: the rest follows at once.
    if (notifications.length === PUSHED_AT_ONCE) stream.ring();
    lastPushed = notifications.at(-1)!.id;
    useUnitOfWork(ctx, em);
    return { cursor: notificationCursor(lastPushed), notifications };
  });
}
