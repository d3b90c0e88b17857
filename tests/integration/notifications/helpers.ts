import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
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
export async function fannedOut(t: Pick<TestApp, 'orm'>, ms = 10_000): Promise<void> {
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

/** One message the test SMTP server received. */
export interface ReceivedMail {
  /** The first recipient. */
  to: string;
  recipients: string[];
  raw: string;
  headers: Map<string, string>;
}

/** A real SMTP server on loopback (smtp-server) that keeps every message it receives. */
export interface SmtpReceiver {
  /** `SMTP_URL` for the hub. */
  url: string;
  received: ReceivedMail[];
  /** When set, the server holds its answer to the next message: `arrived()`, then answers once `release` resolves. */
  hold: { arrived: () => void; release: Promise<void> } | null;
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const receiver: SmtpReceiver = {
    url: '',
    received: [],
    hold: null,
    close: () => new Promise<void>((resolve) => smtp.close(resolve)),
  };
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        receiver.received.push({ to: recipients[0]!, recipients, raw, headers: headersOf(raw) });
        const held = receiver.hold;
        receiver.hold = null;
        if (!held) return callback();
        held.arrived();
        void held.release.then(() => callback());
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  receiver.url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  return receiver;
}

/** A message's headers, folded lines joined, by lower-case name. */
export function headersOf(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return new Map(
    head.split(/\r?\n/).map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
}
