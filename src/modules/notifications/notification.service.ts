import type { EntityDictionary } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../core/context.js';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import {
  checkCursors,
  cursorValues,
  pageOptions,
  type ConnectionArgs,
  type Page,
} from '../../core/relay/connection.js';
import { MemberRole } from '../organizations/organization.enums.js';
import { Notification } from './notification.entity.js';

/** Ids `markNotificationsRead` takes at most at once. */
export const MAX_MARKED_AT_ONCE = 100;

/**
 * What one reader's inbox is made of, read once per request: her personal notifications and, for
 * each organization she is a member of NOW, its audience notifications from the first one made
 * since she joined (`firstId`; null when none was), but those made while she had their topic's inbox
 * off (their `excluded_user_ids`, notification-worker.ts).
 */
export interface InboxScope {
  userId: number;
  memberships: { organizationId: number; admin: boolean; firstId: number | null }[];
  /** Every notification of hers up to this id is read ("mark all read"), as of `readAt`. */
  readUpTo: number;
  readAt: Date | null;
}

/** A `notification` row with its reader's explicit read mark. */
type NotificationRow = EntityDictionary<Notification> & { mark_read_at: Date | null };

export async function inboxScope(em: EntityManager, userId: number): Promise<InboxScope> {
  const [memberships, state] = await Promise.all([
    // The first audience notification since she joined: one probe of the (organization, created_at) index.
    em.execute<{ organization_id: string; role: MemberRole; first_id: string | null }[]>(
      `select m."organization_id", m."role",
              (select n."id" from "notification" n
                where n."organization_id" = m."organization_id" and n."created_at" >= m."created_at"
                order by n."created_at", n."id" limit 1) as "first_id"
         from "organization_member" m where m."user_id" = ? order by m."organization_id"`,
      [userId],
    ),
    em.execute<{ read_up_to: string; read_at: Date }[]>(
      'select "read_up_to", "read_at" from "notification_read_state" where "user_id" = ?',
      [userId],
    ),
  ]);
  return {
    userId,
    memberships: memberships.map((m) => ({
      organizationId: Number(m.organization_id),
      admin: m.role === MemberRole.ORG_ADMIN,
      firstId: m.first_id === null ? null : Number(m.first_id),
    })),
    readUpTo: Number(state[0]?.read_up_to ?? 0),
    readAt: state[0]?.read_at ?? null,
  };
}

/**
 * Her notifications matching `condition` (on `n`), as a UNION ALL of one index range scan per
 * source (her own rows by (user_id, id), each organization's by (organization_id, id)), each
 * ordered and limited when `each` is given: the cost follows her notifications, never the table's.
 */
export function visibleNotifications(
  scope: InboxScope,
  condition: string,
  conditionParams: readonly unknown[],
  each?: { order: 'asc' | 'desc'; limit: number },
): { sql: string; params: unknown[] } {
  const tail = each ? ` order by n."id" ${each.order} limit ${each.limit}` : '';
  const parts = [`(select n.* from "notification" n where n."user_id" = ? ${condition}${tail})`];
  const params: unknown[] = [scope.userId, ...conditionParams];
  for (const membership of scope.memberships) {
    if (membership.firstId === null) continue;
    parts.push(
      `(select n.* from "notification" n
         where n."organization_id" = ? and n."id" >= ? ${membership.admin ? '' : 'and not n."admins_only"'}
           and not (?::bigint = any(n."excluded_user_ids")) ${condition}${tail})`,
    );
    params.push(membership.organizationId, membership.firstId, scope.userId, ...conditionParams);
  }
  return { sql: parts.join(' union all '), params };
}

/** The condition (on `n`) of her unread notifications, and its parameters. */
function unread(scope: InboxScope): [string, unknown[]] {
  return [
    `and n."id" > ? and not exists (select 1 from "notification_read" r
                                     where r."user_id" = ? and r."notification_id" = n."id")`,
    [scope.readUpTo, scope.userId],
  ];
}

const encodeCursor = (id: number) => Buffer.from(JSON.stringify([id]), 'utf8').toString('base64url');

/**
 * A person's inbox: her personal notifications and those of the organizations she is a member of
 * (from when she joined, while she is one), to her only (nobody else, admins included, reads them;
 * another's notification is an unknown id). Read state is hers alone: a watermark ("mark all read",
 * one row) and the ones she marked by id.
 */
export class NotificationService {
  /** Her notifications, newest first; only the unread ones when `unreadOnly`. */
  async list(ctx: Context, args: ConnectionArgs, unreadOnly: boolean): Promise<Page<Notification>> {
    const viewer = requireViewer(ctx.viewer);
    checkCursors(args, ['id']);
    const scope = await inboxScope(ctx.em, viewer.userId);
    const options = pageOptions(args);
    const backward = options.last !== undefined;
    const size = (backward ? options.last : options.first) ?? 0;
    const raw = backward ? options.before : options.after;
    const [filter, filterParams] = unreadOnly ? unread(scope) : ['', []];
    let condition = filter;
    const conditionParams = [...filterParams];
    if (raw !== undefined) {
      const [key] = cursorValues(raw, ['id'], backward ? 'before' : 'after') as [number];
      condition += backward ? ' and n."id" > ?' : ' and n."id" < ?';
      conditionParams.push(key);
    }
    const order = backward ? 'asc' : 'desc';
    const rows = await this.read(ctx.em, scope, condition, conditionParams, { order, limit: size + 1 });
    const more = rows.length > size;
    const items = rows.slice(0, size);
    if (backward) items.reverse();
    const edges = items.map((node) => ({ cursor: encodeCursor(node.id), node }));
    return {
      edges,
      pageInfo: {
        hasNextPage: backward ? raw !== undefined : more,
        hasPreviousPage: backward ? more : raw !== undefined,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      count: () => this.count(ctx.em, scope, filter, filterParams),
    };
  }

  async unreadCount(ctx: Actor): Promise<number> {
    const viewer = requireViewer(ctx.viewer);
    const scope = await inboxScope(ctx.em, viewer.userId);
    return this.count(ctx.em, scope, ...unread(scope));
  }

  /** One of her notifications by id (`node(id:)`); null for anyone else's. */
  async get(ctx: Actor, id: number): Promise<Notification | null> {
    if (!ctx.viewer) return null;
    const scope = await inboxScope(ctx.em, ctx.viewer.userId);
    const [found] = await this.read(ctx.em, scope, 'and n."id" = ?', [id], { order: 'desc', limit: 1 });
    return found ?? null;
  }

  /** Her notifications with an id above `after`, oldest first, at most `limit` (the live feed). */
  async newerThan(em: EntityManager, userId: number, after: number, limit: number): Promise<Notification[]> {
    const scope = await inboxScope(em, userId);
    return this.read(em, scope, 'and n."id" > ?', [after], { order: 'asc', limit });
  }

  /**
   * Marks the given notifications (or, with `all`, every one, up to `upTo` when given) read; those
   * read already keep their time. An id that is not one of hers is NOT_FOUND, and then nothing is
   * marked. Resolves to how many were newly marked.
   */
  async markRead(
    ctx: Actor,
    input: { ids?: readonly string[] | null; all?: boolean | null; upTo?: string | null },
  ): Promise<number> {
    const viewer = requireViewer(ctx.viewer);
    const ids = input.ids ?? [];
    if (input.all === true) {
      if (ids.length > 0) throw BadUserInputError.field('input.ids', 'give either ids or all, not both');
      const upTo = input.upTo == null ? null : parseIdOf('Notification', input.upTo, 'input.upTo');
      return this.markAllRead(ctx.em, viewer.userId, upTo, input.upTo ?? '');
    }
    if (input.upTo != null) throw BadUserInputError.field('input.upTo', 'goes with all: true');
    if (ids.length === 0) throw BadUserInputError.field('input.ids', 'give the ids to mark, or all: true');
    if (ids.length > MAX_MARKED_AT_ONCE)
      throw BadUserInputError.field('input.ids', `at most ${MAX_MARKED_AT_ONCE} ids at once`);
    const keys = ids.map((id, index) => parseIdOf('Notification', id, `input.ids.${index}`));
    const scope = await inboxScope(ctx.em, viewer.userId);
    const mine = await this.read(ctx.em, scope, 'and n."id" = any(?::bigint[])', [`{${keys.join(',')}}`]);
    const found = new Set(mine.map((n) => n.id));
    const missing = keys.findIndex((key) => !found.has(key));
    if (missing >= 0) throw new NotFoundError('Notification', ids[missing]);
    const unreadKeys = mine.filter((n) => n.readAt == null).map((n) => n.id);
    if (unreadKeys.length === 0) return 0;
    const marked = await ctx.em.execute<{ notification_id: string }[]>(
      `insert into "notification_read" ("user_id", "notification_id", "read_at")
       select ?, unnest(?::bigint[]), now() on conflict do nothing returning "notification_id"`,
      [viewer.userId, `{${unreadKeys.join(',')}}`],
    );
    return marked.length;
  }

  /**
   * Moves her watermark to her newest notification (up to `upTo`): one row, however many
   * notifications and organizations; the marks it covers are dropped. Which notifications that is,
   * and how many of them were unread, is decided by ONE statement, so the count is exactly what it
   * marked, and a notification committed after it stays unread (ids are committed in order).
   */
  private async markAllRead(
    em: EntityManager,
    userId: number,
    upTo: number | null,
    upToId: string,
  ): Promise<number> {
    return em.transactional(async (tx) => {
      // Her state row, locked first: two concurrent marks of all count each notification once.
      await tx.execute(
        `insert into "notification_read_state" ("user_id", "read_up_to", "read_at") values (?, 0, now())
         on conflict ("user_id") do nothing`,
        [userId],
      );
      await tx.execute('select 1 from "notification_read_state" where "user_id" = ? for update', [userId]);
      const scope = await inboxScope(tx, userId);
      if (upTo !== null) {
        const [given] = await this.read(tx, scope, 'and n."id" = ?', [upTo], { order: 'desc', limit: 1 });
        if (!given) throw new NotFoundError('Notification', upToId);
      }
      const { sql, params } = visibleNotifications(
        scope,
        upTo === null ? 'and n."id" > ?' : 'and n."id" > ? and n."id" <= ?',
        upTo === null ? [scope.readUpTo] : [scope.readUpTo, upTo],
      );
      const [decided] = await tx.execute<{ marked: string }[]>(
        `with "above" as (${sql}),
              "decided" as (
                select max(a."id") as "up_to",
                       count(*) filter (where not exists (select 1 from "notification_read" r
                                                           where r."user_id" = ? and r."notification_id" = a."id")) as "marked"
                  from "above" a),
              "moved" as (
                update "notification_read_state" s set "read_up_to" = greatest(s."read_up_to", d."up_to"), "read_at" = now()
                  from "decided" d where s."user_id" = ? and d."marked" > 0 returning s."user_id"),
              "dropped" as (
                delete from "notification_read" r using "decided" d
                 where r."user_id" = ? and r."notification_id" <= d."up_to" and d."marked" > 0 returning r."user_id")
         select "marked" from "decided"`,
        [...params, userId, userId, userId],
      );
      return Number(decided?.marked ?? 0);
    });
  }

  private async count(
    em: EntityManager,
    scope: InboxScope,
    condition: string,
    conditionParams: readonly unknown[],
  ): Promise<number> {
    const { sql, params } = visibleNotifications(scope, condition, conditionParams);
    const [row] = await em.execute<{ n: string }[]>(`select count(*) as "n" from (${sql}) as v`, params);
    return Number(row?.n ?? 0);
  }

  /** Her notifications matching `condition`, in `each.order` of id, with when she read each. */
  private async read(
    em: EntityManager,
    scope: InboxScope,
    condition: string,
    conditionParams: readonly unknown[],
    each?: { order: 'asc' | 'desc'; limit: number },
  ): Promise<Notification[]> {
    const { sql, params } = visibleNotifications(scope, condition, conditionParams, each);
    const order = each?.order ?? 'asc';
    const rows = await em.execute<NotificationRow[]>(
      `select v.*, r."read_at" as "mark_read_at" from (${sql}) as v
         left join "notification_read" r on r."user_id" = ? and r."notification_id" = v."id"
        order by v."id" ${order}${each ? ` limit ${each.limit}` : ''}`,
      [...params, scope.userId],
    );
    return rows.map(({ mark_read_at: markReadAt, ...row }) => {
      const notification = em.map(Notification, row);
      notification.readAt = notification.id <= scope.readUpTo ? scope.readAt : markReadAt;
      return notification;
    });
  }
}
