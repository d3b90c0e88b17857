import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { NotificationChannel, NotificationTopic } from './notification.enums.js';
import type { TemplateParams } from './notification-templates.js';
import type { NotificationSignals } from './notification-signals.js';

/** The first retry of a failed send waits this long, doubling up to RETRY_MAX_MS. */
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 5 * 60_000;

/** A notification to deliver to one person, with her addresses. */
export interface OutgoingNotification {
  id: number;
  userId: number;
  /** True for an organization's notification (one for all its members), false for hers alone. */
  toAudience: boolean;
  topic: NotificationTopic;
  params: TemplateParams;
  email: string | null;
  mobile: string | null;
}

/**
 * The key a receiver deduplicates on: one per notification, person and channel, the same on every
 * attempt, so the one duplicate a crash may cause (see NotificationChannelWorker) is recognisable as
 * such. A personal notification has one recipient, so its id is enough; an organization's names the
 * member too.
 */
export function deliveryKey(
  notification: Pick<OutgoingNotification, 'id' | 'userId' | 'toAudience'>,
  channel: NotificationChannel,
): string {
  const recipient = notification.toAudience ? `-${notification.userId}` : '';
  return `notification-${notification.id}${recipient}.${channel.toLowerCase()}`;
}

/** Thrown by a channel when retrying cannot help (the address is refused for good). */
export class PermanentDeliveryError extends Error {}

/** One instant channel: its `notification_position` job and how it sends one notification. */
export interface InstantChannel {
  job: string;
  channel: NotificationChannel;
  /** Sends it; throws to retry later, PermanentDeliveryError to give it up. */
  deliver(notification: OutgoingNotification): Promise<void>;
  /** Called once the worker stopped. */
  close?(): void;
}

export interface NotificationChannelWorkerDeps {
  orm: MikroORM;
  log: Logger;
  pollMs: number;
  /** Announces the notification worker's rounds, with the channels they queued deliveries for. */
  signals: NotificationSignals;
  channel: InstantChannel;
}

/**
 * Sends each delivery row of one channel (e-mail, SMS): the fan-out queued one per person whose
 * preference for the topic on that channel is INSTANT (notification-worker.ts). A member who left
 * the organization, or an account suspended, before the send is passed over.
 *
 * Delivery is at least once, with at most one duplicate per crash: neither SMTP nor a plain HTTP
 * POST makes a send and its record one atomic step. Each message is its own transaction: lock the
 * channel's `notification_position` row `FOR UPDATE SKIP LOCKED` (one process sends at a time; the
 * others skip), read the next delivery after it, send it, advance the position, commit. A
 * process stopped normally finishes the message under way first; one that dies after the server
 * accepted a message and before the commit leaves the position where it was, and the next process
 * sends that one message again. A failed send rolls back and is retried with a doubling wait; one
 * refused for good is skipped and logged.
 */
export class NotificationChannelWorker {
  private running: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private started = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: NotificationChannelWorkerDeps) {}

  /**
   * Fixes where the channel's job begins, then polls and listens; the first round runs at once. On a
   * database's first start it begins after the newest delivery as this resolves, so that no delivery
   * queued after it is passed over.
   */
  async start(): Promise<void> {
    if (this.deps.pollMs === 0 || this.started) return;
    this.started = true;
    await this.deps.orm.em.fork().execute(
      `insert into "notification_position" ("name", "last_event_seq")
       select ?, coalesce(max("id"), 0) from "notification_delivery" on conflict ("name") do nothing`,
      [this.deps.channel.job],
    );
    if (this.stopping) return;
    this.timer = setInterval(() => this.wake(), this.deps.pollMs);
    this.timer.unref();
    this.unsubscribe = this.deps.signals.onChannels((channels) => {
      if (channels.includes(this.deps.channel.channel)) this.wake();
    });
    this.wake();
  }

  /** Stops taking work and waits for the message under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.timer = null;
    this.unsubscribe?.();
    await this.running;
    this.deps.channel.close?.();
  }

  wake(): void {
    if (this.stopping || this.retryTimer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopping && (await this.sendNext())) this.failures = 0;
      } catch (error) {
        this.failures += 1;
        const wait = Math.min(RETRY_BASE_MS * 2 ** (this.failures - 1), RETRY_MAX_MS);
        // Class and code only: an SMTP server's or gateway's message may quote the recipient's address.
        this.deps.log.warn(
          { ...sendFailure(error), channel: this.deps.channel.channel, retryInMs: wait },
          'notifications: send failed',
        );
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.wake();
        }, wait);
        this.retryTimer.unref();
        return;
      }
    } while (this.again && !this.stopping);
  }

  /** One message in one transaction; true when there may be more. */
  private async sendNext(): Promise<boolean> {
    const { job, channel } = this.deps.channel;
    return this.deps.orm.em.fork().transactional(async (tx) => {
      const [position] = await tx.execute<{ last_event_seq: string }[]>(
        `select "last_event_seq" from "notification_position" where "name" = ? for update skip locked`,
        [job],
      );
      if (!position) return false;
      const [next] = await tx.execute<
        {
          id: string;
          notification_id: string;
          user_id: string;
          to_audience: boolean;
          topic: NotificationTopic;
          params: TemplateParams;
          email: string | null;
          mobile: string | null;
          reachable: boolean;
        }[]
      >(
        `select d."id", d."notification_id", d."user_id", n."organization_id" is not null as "to_audience",
                n."topic", n."params", u."email", u."mobile",
                u."status" = 'ACTIVE' and (n."organization_id" is null or exists (
                  select 1 from "organization_member" m
                   where m."organization_id" = n."organization_id" and m."user_id" = d."user_id")) as "reachable"
           from "notification_delivery" d
           join "notification" n on n."id" = d."notification_id"
           join "app_user" u on u."id" = d."user_id"
          where d."channel" = ? and d."id" > ? order by d."id" limit 1`,
        [channel, Number(position.last_event_seq)],
      );
      if (!next) return false;
      if (next.reachable) {
        const notification = {
          id: Number(next.notification_id),
          userId: Number(next.user_id),
          toAudience: next.to_audience,
          topic: next.topic,
          params: next.params,
          email: next.email,
          mobile: next.mobile,
        };
        try {
          await this.deps.channel.deliver(notification);
        } catch (error) {
          if (!(error instanceof PermanentDeliveryError)) throw error;
          // Retrying cannot help, and would hold up everyone else's.
          this.deps.log.warn(
            { notificationId: notification.id, channel, reason: error.message },
            'notifications: refused',
          );
        }
      }
      await tx.execute('update "notification_position" set "last_event_seq" = ? where "name" = ?', [
        Number(next.id),
        job,
      ]);
      return true;
    });
  }
}

/** What a failed send may log: the error's class and codes, never its message. */
function sendFailure(error: unknown): { errorClass: string; code?: unknown; responseCode?: unknown } {
  if (!(error instanceof Error)) return { errorClass: typeof error };
  const { code, responseCode } = error as Error & { code?: unknown; responseCode?: unknown };
  return { errorClass: error.name, code, responseCode };
}
