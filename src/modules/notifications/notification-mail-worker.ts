import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { NotificationConfig } from '../../core/config.js';
import type { EventHub } from '../../core/events/event-hub.js';
import { Topic } from '../../core/events/outbox.js';
import { NotificationChannel, NotificationFrequency, type NotificationTopic } from './notification.enums.js';
import { composeNotificationMail } from './notification-mail.js';
import { frequenciesFor } from './notification-preferences.js';
import { localeOf, type TemplateParams } from './notification-templates.js';
import { unsubscribeUrl } from './unsubscribe.js';

/** The position row of the instant e-mail job: the last notification id it has dealt with. */
export const EMAIL_JOB = 'email';
/** The first retry of a failed send waits this long, doubling up to RETRY_MAX_MS. */
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 5 * 60_000;

export interface NotificationMailWorkerDeps {
  orm: MikroORM;
  log: Logger;
  config: Pick<NotificationConfig, 'pollMs' | 'mailFrom'>;
  publicUrl: string;
  jwtSecret: string;
  events: EventHub;
  transport: Transporter;
}

/**
 * Sends each new notification by e-mail, at once, to those whose e-mail preference for its topic is
 * INSTANT (notification-preferences.ts).
 *
 * Delivery is at least once, with at most one duplicate per crash: SMTP has no idempotency key, so
 * nothing can make a send and its record one atomic step. Each message is its own transaction: lock
 * the job's `notification_position` row `FOR UPDATE SKIP LOCKED` (one process sends at a time; the
 * others skip), read the next notification after it, send it, advance the position, commit. A
 * process stopped normally finishes the message under way first; one that dies after the SMTP
 * server accepted a message and before the commit leaves the position where it was, and the next
 * process sends that one message again. A failed send rolls back and is retried with a doubling
 * wait; one the server refuses for good (5xx) is skipped and logged.
 */
export class NotificationMailWorker {
  private running: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: NotificationMailWorkerDeps) {}

  start(): void {
    if (this.deps.config.pollMs === 0 || this.timer) return;
    this.timer = setInterval(() => this.wake(), this.deps.config.pollMs);
    this.timer.unref();
    this.unsubscribe = this.deps.events.onEvent((event) => {
      if (event.topic === Topic.NOTIFICATION_CREATED) this.wake();
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
    this.deps.transport.close();
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
        this.deps.log.warn({ err: error, retryInMs: wait }, 'notifications: e-mail send failed');
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
    const em = this.deps.orm.em.fork();
    // The first round ever starts after the newest notification: e-mail is for what happens from now.
    await em.execute(
      `insert into "notification_position" ("name", "last_event_seq")
       select ?, coalesce(max("id"), 0) from "notification" on conflict ("name") do nothing`,
      [EMAIL_JOB],
    );
    return em.transactional(async (tx) => {
      const [position] = await tx.execute<{ last_event_seq: string }[]>(
        `select "last_event_seq" from "notification_position" where "name" = ? for update skip locked`,
        [EMAIL_JOB],
      );
      if (!position) return false;
      const [next] = await tx.execute<
        {
          id: string;
          user_id: string;
          topic: NotificationTopic;
          params: TemplateParams;
          email: string | null;
        }[]
      >(
        `select n."id", n."user_id", n."topic", n."params", u."email" from "notification" n
           join "app_user" u on u."id" = n."user_id"
          where n."id" > ? order by n."id" limit 1`,
        [Number(position.last_event_seq)],
      );
      if (!next) return false;
      const userId = Number(next.user_id);
      const frequency = (await frequenciesFor(tx, [userId], next.topic, NotificationChannel.EMAIL)).get(
        userId,
      );
      if (frequency === NotificationFrequency.INSTANT && next.email)
        await this.send(next, userId, next.email);
      await tx.execute('update "notification_position" set "last_event_seq" = ? where "name" = ?', [
        Number(next.id),
        EMAIL_JOB,
      ]);
      return true;
    });
  }

  private async send(
    notification: { id: string; topic: NotificationTopic; params: TemplateParams },
    userId: number,
    to: string,
  ): Promise<void> {
    const { publicUrl, jwtSecret, config, transport } = this.deps;
    const message = composeNotificationMail(config.mailFrom, {
      to,
      topic: notification.topic,
      params: notification.params,
      // Accounts store no language yet: Chinese.
      locale: localeOf(null),
      link: `${publicUrl}/console/`,
      unsubscribeUrl: unsubscribeUrl(publicUrl, jwtSecret, userId, notification.topic),
    });
    try {
      await transport.sendMail({
        ...message,
        headers: { ...message.headers, 'X-Niudai-Notification': notification.id },
      });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // Refused for good (no such mailbox, …): retrying cannot help, and would hold up everyone else's.
      if (code !== undefined && code >= 500) {
        this.deps.log.warn(
          { notificationId: notification.id, smtpCode: code },
          'notifications: e-mail refused',
        );
        return;
      }
      throw error;
    }
  }
}
