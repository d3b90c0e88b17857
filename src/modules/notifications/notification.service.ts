import type { Context } from '../../core/context.js';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import {
  checkCursors,
  pageFromCursor,
  pageOptions,
  type ConnectionArgs,
  type Page,
} from '../../core/relay/connection.js';
import { Notification } from './notification.entity.js';

/** Ids `markNotificationsRead` takes at most at once. */
export const MAX_MARKED_AT_ONCE = 100;

/**
 * A person's inbox: her notifications only, to her only (nobody else, admins included, reads them;
 * another's notification is an unknown id).
 */
export class NotificationService {
  /** Her notifications, newest first; only the unread ones when `unreadOnly`. */
  async list(ctx: Context, args: ConnectionArgs, unreadOnly: boolean): Promise<Page<Notification>> {
    const viewer = requireViewer(ctx.viewer);
    checkCursors(args, ['id']);
    const where = unreadOnly ? { user: viewer.userId, readAt: null } : { user: viewer.userId };
    const cursor = await ctx.em.findByCursor(Notification, where, {
      ...pageOptions(args),
      orderBy: { id: 'desc' },
      includeCount: false,
    });
    return pageFromCursor(cursor, () => ctx.em.count(Notification, where));
  }

  unreadCount(ctx: Actor): Promise<number> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.em.count(Notification, { user: viewer.userId, readAt: null });
  }

  /** One of her notifications by id (`node(id:)`); null for anyone else's. */
  async get(ctx: Actor, id: number): Promise<Notification | null> {
    if (!ctx.viewer) return null;
    return ctx.em.findOne(Notification, { id, user: ctx.viewer.userId });
  }

  /**
   * Marks the given notifications (or, with `all`, every one) read; those read already keep their
   * time. An id that is not one of hers is NOT_FOUND, and then nothing is marked. Resolves to how
   * many were newly marked.
   */
  async markRead(
    ctx: Actor,
    input: { ids?: readonly string[] | null; all?: boolean | null },
  ): Promise<number> {
    const viewer = requireViewer(ctx.viewer);
    const ids = input.ids ?? [];
    if (input.all === true) {
      if (ids.length > 0) throw BadUserInputError.field('input.ids', 'give either ids or all, not both');
      return ctx.em.nativeUpdate(Notification, { user: viewer.userId, readAt: null }, { readAt: new Date() });
    }
    if (ids.length === 0) throw BadUserInputError.field('input.ids', 'give the ids to mark, or all: true');
    if (ids.length > MAX_MARKED_AT_ONCE)
      throw BadUserInputError.field('input.ids', `at most ${MAX_MARKED_AT_ONCE} ids at once`);
    const keys = ids.map((id, index) => parseIdOf('Notification', id, `input.ids.${index}`));
    const mine = await ctx.em.find(
      Notification,
      { id: { $in: keys }, user: viewer.userId },
      { fields: ['id'] },
    );
    const found = new Set(mine.map((n) => n.id));
    const missing = keys.findIndex((key) => !found.has(key));
    if (missing >= 0) throw new NotFoundError('Notification', ids[missing]);
    return ctx.em.nativeUpdate(
      Notification,
      { id: { $in: keys }, user: viewer.userId, readAt: null },
      { readAt: new Date() },
    );
  }
}
