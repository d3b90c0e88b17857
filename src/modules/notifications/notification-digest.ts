import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { NotificationConfig } from '../../core/config.js';
import { NotificationChannel, NotificationFrequency, type NotificationTopic } from './notification.enums.js';
import { composeDigestMail } from './notification-mail.js';
import { frequenciesFor } from './notification-preferences.js';
import { localeOf, type TemplateParams } from './notification-templates.js';
import { unsubscribeUrl } from './unsubscribe.js';
import { inboxScope, visibleNotifications } from './notification.service.js';

/** `notification_position` rows of the digest: the last notification id a digest covered … */
export const DIGEST_JOB = 'digest';
/** … and the day (yyyymmdd, Asia/Shanghai) of the last digest. */
export const DIGEST_DAY_JOB = 'digest-day';
/** How often each process checks whether the digest is due. */
const DIGEST_CHECK_MS = 60_000;
/** Recipients whose preferences are read at once. */
const DIGEST_PREFERENCE_BATCH = 500;
/** Asia/Shanghai is UTC+8 all year (no daylight saving). */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

export interface NotificationDigestDeps {
  orm: MikroORM;
  log: Logger;
  config: Pick<NotificationConfig, 'digestHour' | 'mailFrom'>;
  publicUrl: string;
  jwtSecret: string;
  transport: Transporter;
  /** The clock (tests set it). */
  now?: () => Date;
}

/** The Shanghai day (yyyymmdd) and hour of an instant. */
export function shanghaiDayAndHour(at: Date): { day: number; hour: number } {
  const local = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  return {
    day: local.getUTCFullYear() * 10_000 + (local.getUTCMonth() + 1) * 100 + local.getUTCDate(),
    hour: local.getUTCHours(),
  };
}

/**
 * The daily digest: once a day, at `NOTIFY_DIGEST_HOUR` (Asia/Shanghai) or the first check after it,
 * one e-mail per person summarising the notifications made since the last digest (hers and her
 * organizations') whose topics she wants by e-mail as DAILY_DIGEST; nothing to a person with nothing
 * to summarise.
 *
 * A run is one transaction holding the digest's `notification_position` row `FOR UPDATE SKIP
 * LOCKED` (one process runs it), so a day's digest is sent by one process once. A process that dies
 * during a run commits nothing, and the next check runs it again: those mailed before the crash get
 * that day's digest again, with the same Message-ID (one per person and day), so that mail servers
 * and clients can drop the copy (SMTP has no idempotency key; at least once).
 */
export class NotificationDigest {
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly deps: NotificationDigestDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Checks now and then every minute whether the day's digest is due. */
  start(): void {
    if (this.timer) return;
    const check = () => {
      if (this.running) return;
      this.running = this.runDue()
        .catch((error: unknown) => this.deps.log.warn({ err: error }, 'notifications: daily digest failed'))
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(check, DIGEST_CHECK_MS);
    this.timer.unref();
    check();
  }

  /** Stops checking and waits for a run under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Sends the day's digest if it is due and not sent yet; resolves to the number of e-mails sent. */
  async runDue(): Promise<number> {
    const { day, hour } = shanghaiDayAndHour(this.now());
    const em = this.deps.orm.em.fork();
    // The first digest ever covers what happens from the first check on.
    await em.execute(
      `insert into "notification_position" ("name", "last_event_seq")
       select ?, coalesce(max("id"), 0) from "notification"
       union all select ?, 0
       on conflict ("name") do nothing`,
      [DIGEST_JOB, DIGEST_DAY_JOB],
    );
    if (hour < this.deps.config.digestHour) return 0;
    return em.transactional(async (tx) => {
      const rows = await tx.execute<{ name: string; last_event_seq: string }[]>(
        `select "name", "last_event_seq" from "notification_position"
          where "name" in (?, ?) order by "name" for update skip locked`,
        [DIGEST_JOB, DIGEST_DAY_JOB],
      );
      const position = new Map(rows.map((r) => [r.name, Number(r.last_event_seq)]));
      const covered = position.get(DIGEST_JOB);
      const lastDay = position.get(DIGEST_DAY_JOB);
      // Another process is running it, or today's is sent.
      if (covered === undefined || lastDay === undefined || lastDay >= day) return 0;
      const [head] = await tx.execute<{ id: string }[]>(
        'select coalesce(max("id"), 0) as "id" from "notification"',
      );
      const upTo = Number(head!.id);
      const sent = await this.sendDigests(tx, covered, upTo, day);
      await tx.execute(
        `update "notification_position" set "last_event_seq" = case "name" when ? then ?::bigint else ?::bigint end
          where "name" in (?, ?)`,
        [DIGEST_JOB, upTo, day, DIGEST_JOB, DIGEST_DAY_JOB],
      );
      return sent;
    });
  }

  /**
   * One e-mail per person with something to summarise: computed for each person from her personal
   * notifications and her organizations' of the period (notification.service.ts, the inbox's rule),
   * so an organization's notification is stored once and summarised for each member who wants it.
   * Each message's id is the person's and day's: a run retried after a crash sends the same ids, which
   * mail servers and clients drop as duplicates.
   */
  private async sendDigests(tx: EntityManager, after: number, upTo: number, day: number): Promise<number> {
    const topics = (
      await tx.execute<{ topic: NotificationTopic }[]>(
        'select distinct "topic" from "notification" where "id" > ? and "id" <= ?',
        [after, upTo],
      )
    ).map((row) => row.topic);
    if (topics.length === 0) return 0;
    const recipients = await tx.execute<{ id: string; email: string }[]>(
      `select u."id", u."email" from "app_user" u
        where u."status" = 'ACTIVE' and u."email" is not null and u."id" in (
          select n."user_id" from "notification" n where n."id" > ? and n."id" <= ? and n."user_id" is not null
          union
          select m."user_id" from "organization_member" m
           where m."organization_id" in (select n."organization_id" from "notification" n
                                          where n."id" > ? and n."id" <= ? and n."organization_id" is not null))
        order by u."id"`,
      [after, upTo, after, upTo],
    );
    const { publicUrl, jwtSecret, config, transport } = this.deps;
    const mailDomain = new URL(publicUrl).hostname;
    let sent = 0;
    for (let start = 0; start < recipients.length; start += DIGEST_PREFERENCE_BATCH) {
      const chunk = recipients.slice(start, start + DIGEST_PREFERENCE_BATCH);
      // Whom each topic reaches by digest.
      const wanted = new Map<number, NotificationTopic[]>();
      for (const topic of topics) {
        const userIds = chunk.map((r) => Number(r.id));
        for (const [userId, frequency] of await frequenciesFor(tx, userIds, topic, NotificationChannel.EMAIL))
          if (frequency === NotificationFrequency.DAILY_DIGEST)
            wanted.set(userId, [...(wanted.get(userId) ?? []), topic]);
      }
      for (const recipient of chunk) {
        const userId = Number(recipient.id);
        const hers = wanted.get(userId);
        if (!hers) continue;
        const scope = await inboxScope(tx, userId);
        const { sql, params } = visibleNotifications(
          scope,
          'and n."id" > ? and n."id" <= ? and n."topic" = any(?::text[])',
          [after, upTo, `{${hers.join(',')}}`],
        );
        const items = await tx.execute<{ topic: NotificationTopic; params: TemplateParams }[]>(
          `select v."topic", v."params" from (${sql}) as v order by v."id"`,
          params,
        );
        if (items.length === 0) continue;
        const itemTopics = [...new Set(items.map((i) => i.topic))];
        await transport.sendMail({
          ...composeDigestMail(config.mailFrom, {
            to: recipient.email,
            // Accounts store no language yet: Chinese.
            locale: localeOf(null),
            items,
            link: `${publicUrl}/console/`,
            unsubscribeUrls: new Map(
              itemTopics.map((topic) => [topic, unsubscribeUrl(publicUrl, jwtSecret, userId, topic)]),
            ),
          }),
          messageId: `<digest-${day}-${userId}@${mailDomain}>`,
        });
        sent += 1;
      }
    }
    this.deps.log.info({ sent }, 'notifications: daily digest sent');
    return sent;
  }
}
