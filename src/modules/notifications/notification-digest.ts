import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { NotificationConfig } from '../../core/config.js';
import { NotificationChannel, NotificationFrequency, type NotificationTopic } from './notification.enums.js';
import { composeDigestMail } from './notification-mail.js';
import { frequenciesFor } from './notification-preferences.js';
import { localeOf, type TemplateParams } from './notification-templates.js';
import { unsubscribeUrl } from './unsubscribe.js';

/** `notification_position` rows of the digest: the last notification id a digest covered … */
export const DIGEST_JOB = 'digest';
/** … and the day (yyyymmdd, Asia/Shanghai) of the last digest. */
export const DIGEST_DAY_JOB = 'digest-day';
/** How often each process checks whether the digest is due. */
const DIGEST_CHECK_MS = 60_000;
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
 * one e-mail per person summarising the notifications made since the last digest whose topics she
 * wants by e-mail as DAILY_DIGEST; nothing to a person with nothing to summarise.
 *
 * A run is one transaction holding the digest's `notification_position` row `FOR UPDATE SKIP
 * LOCKED` (one process runs it), so a day's digest is sent by one process once. A process that dies
 * during a run commits nothing, and the next check runs it again: those mailed before the crash get
 * that day's digest twice (SMTP has no idempotency key; at least once).
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
      const sent = await this.sendDigests(tx, covered, upTo);
      await tx.execute(
        `update "notification_position" set "last_event_seq" = case "name" when ? then ?::bigint else ?::bigint end
          where "name" in (?, ?)`,
        [DIGEST_JOB, upTo, day, DIGEST_JOB, DIGEST_DAY_JOB],
      );
      return sent;
    });
  }

  private async sendDigests(tx: EntityManager, after: number, upTo: number): Promise<number> {
    const notifications = await tx.execute<
      { user_id: string; topic: NotificationTopic; params: TemplateParams; email: string | null }[]
    >(
      `select n."user_id", n."topic", n."params", u."email" from "notification" n
         join "app_user" u on u."id" = n."user_id"
        where n."id" > ? and n."id" <= ? and u."email" is not null and u."status" = 'ACTIVE'
        order by n."user_id", n."id"`,
      [after, upTo],
    );
    const byUser = new Map<number, typeof notifications>();
    for (const n of notifications) {
      const userId = Number(n.user_id);
      byUser.set(userId, [...(byUser.get(userId) ?? []), n]);
    }
    // Whom each topic reaches by digest.
    const wanted = new Set<string>();
    for (const topic of new Set(notifications.map((n) => n.topic))) {
      const frequencies = await frequenciesFor(tx, [...byUser.keys()], topic, NotificationChannel.EMAIL);
      for (const [userId, frequency] of frequencies)
        if (frequency === NotificationFrequency.DAILY_DIGEST) wanted.add(`${userId}/${topic}`);
    }
    const { publicUrl, jwtSecret, config, transport } = this.deps;
    let sent = 0;
    for (const [userId, all] of byUser) {
      const items = all.filter((n) => wanted.has(`${userId}/${n.topic}`));
      if (items.length === 0) continue;
      const topics = [...new Set(items.map((i) => i.topic))];
      await transport.sendMail(
        composeDigestMail(config.mailFrom, {
          to: items[0]!.email!,
          // Accounts store no language yet: Chinese.
          locale: localeOf(null),
          items,
          link: `${publicUrl}/console/`,
          unsubscribeUrls: new Map(
            topics.map((topic) => [topic, unsubscribeUrl(publicUrl, jwtSecret, userId, topic)]),
          ),
        }),
      );
      sent += 1;
    }
    this.deps.log.info({ sent }, 'notifications: daily digest sent');
    return sent;
  }
}
