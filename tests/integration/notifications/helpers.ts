import type { TestApp } from '../../setup/test-app.js';
import { until } from '../../setup/probes.js';
import { NOTIFYING_TOPICS } from '../../../src/modules/notifications/notification-recipients.js';
import { FANOUT_JOB } from '../../../src/modules/notifications/notification-worker.js';
import { pgTextArray } from '../../../src/core/events/event-rows.js';

/** A fast poll so that a test never waits long for a round missed by its wake-up. */
export const NOTIFY_ENV = { NOTIFY_POLL_MS: '100' };

/**
 * Resolves once the notification worker has read every notifying event committed so far: after it,
 * what was not notified will not be (the signal for "nothing arrived").
 */
export async function fannedOut(t: TestApp, ms = 10_000): Promise<void> {
  const em = t.orm.em.fork();
  const [head] = await em.execute<{ seq: string }[]>(
    'select coalesce(max("seq"), 0) as "seq" from "event" where "topic" = any(?::text[])',
    [pgTextArray(NOTIFYING_TOPICS)],
  );
  await until(
    async () => {
      const [position] = await em.execute<{ last_event_seq: string }[]>(
        'select "last_event_seq" from "notification_position" where "name" = ?',
        [FANOUT_JOB],
      );
      return Number(position?.last_event_seq ?? 0) >= Number(head?.seq ?? 0);
    },
    ms,
    20,
    'notifications: the worker catching up',
  );
}

export interface InboxItem {
  id: string;
  topic: string;
  title: string;
  body: string;
  subjectId: string;
  read: boolean;
}

export const INBOX = `query Inbox($first: Int, $after: String, $unreadOnly: Boolean) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    edges { cursor node { id topic title body subjectId read } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
  unreadNotificationCount
}`;

/** A user's inbox, newest first, once the worker has caught up. */
export async function inbox(
  t: TestApp,
  token: string,
  variables: Record<string, unknown> = {},
): Promise<{ items: InboxItem[]; unread: number; hasNextPage: boolean; endCursor: string | null }> {
  await fannedOut(t);
  const data = await t.data<{
    notifications: {
      edges: { node: InboxItem }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    unreadNotificationCount: number;
  }>(INBOX, variables, token);
  return {
    items: data.notifications.edges.map((e) => e.node),
    unread: data.unreadNotificationCount,
    hasNextPage: data.notifications.pageInfo.hasNextPage,
    endCursor: data.notifications.pageInfo.endCursor,
  };
}
