import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { NotificationConfig } from '../../core/config.js';
import { EVENT_COLUMNS, pgTextArray, toFeedEvent, type EventRow } from '../../core/events/event-rows.js';
import type { EventHub } from '../../core/events/event-hub.js';
import { emitEvents, Topic } from '../../core/events/outbox.js';
import type { ProjectApplicationsService } from '../projects/project-applications.service.js';
import { NotificationChannel, NotificationFrequency } from './notification.enums.js';
import { frequenciesFor } from './notification-preferences.js';
import { NOTIFYING_TOPICS, recipientsOf, type Recipient } from './notification-recipients.js';

/** Outbox events turned into notifications per transaction. */
const FANOUT_BATCH = 100;
/** The position row of the fan-out job. */
export const FANOUT_JOB = 'fanout';

export interface NotificationWorkerDeps {
  orm: MikroORM;
  log: Logger;
  config: Pick<NotificationConfig, 'pollMs'>;
  events: EventHub;
  projects: ProjectApplicationsService;
}

/**
 * The per-process notification worker: turns outbox events into one `notification` row per
 * recipient (notification-recipients.ts) who has not turned that topic's inbox off
 * (notification-preferences.ts), durably, after the change committed.
 *
 * Why it costs the write path nothing: a change's transaction writes only the outbox row it always
 * wrote; everything here runs later, in the worker's own transactions, woken by the relay.
 *
 * All its state is in the database, so processes share the work and a restart loses nothing. The
 * job's `notification_position` row holds the last outbox seq turned into notifications; a round
 * locks it `FOR UPDATE SKIP LOCKED` (the process holding it does the round, the others skip), reads
 * the next events of the notifying topics, inserts their notifications (unique per event and
 * recipient: a round that is retried after a crash inserts nothing twice), announces them with one
 * `notification.created` outbox event per recipient (what the `notificationReceived` subscription
 * follows on the EventHub) and advances the position, all in one transaction: a process that dies
 * mid-round leaves nothing half done, and the next round does it again.
 */
export class NotificationWorker {
  private running: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly wakingTopics = new Set<string>(NOTIFYING_TOPICS);

  constructor(private readonly deps: NotificationWorkerDeps) {}

  /** Starts polling and listening for new events; the first round runs at once. */
  start(): void {
    if (this.deps.config.pollMs === 0 || this.timer) return;
    this.timer = setInterval(() => this.wake(), this.deps.config.pollMs);
    this.timer.unref();
    this.unsubscribe = this.deps.events.onEvent((event) => {
      if (this.wakingTopics.has(event.topic)) this.wake();
    });
    this.wake();
  }

  /** Stops taking work and waits for the round under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    await this.running;
  }

  /** Runs a round now (or right after the one under way). */
  wake(): void {
    if (this.stopping || this.deps.config.pollMs === 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves once no round is running (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        if (await this.fanOut()) this.again = true;
      } catch (error) {
        this.deps.log.warn({ err: error }, 'notifications: fan-out round failed');
        return;
      }
    } while (this.again && !this.stopping);
  }

  /** One fan-out transaction; true when there may be more to do. */
  private async fanOut(): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    // The first round ever starts at the outbox's head: notifications are for what happens from now.
    await em.execute(
      `insert into "notification_position" ("name", "last_event_seq")
       select ?, coalesce(max("seq"), 0) from "event" on conflict ("name") do nothing`,
      [FANOUT_JOB],
    );
    return em.transactional(async (tx) => {
      const [position] = await tx.execute<{ last_event_seq: string }[]>(
        `select "last_event_seq" from "notification_position" where "name" = ? for update skip locked`,
        [FANOUT_JOB],
      );
      // Another process holds the job: its round reads what this one would have.
      if (!position) return false;
      const rows = await tx.execute<EventRow[]>(
        `select ${EVENT_COLUMNS} from "event"
          where "seq" > ? and "topic" = any(?::text[]) order by "seq" limit ?`,
        [Number(position.last_event_seq), pgTextArray(NOTIFYING_TOPICS), FANOUT_BATCH],
      );
      if (rows.length === 0) return false;
      const made: { id: number; userId: number }[] = [];
      for (const row of rows) {
        const event = toFeedEvent(row);
        const recipients = await withInbox(tx, await recipientsOf(tx, event, this.deps.projects));
        made.push(...(await insertNotifications(tx, event.seq, recipients)));
      }
      await announce(tx, made);
      await tx.execute('update "notification_position" set "last_event_seq" = ? where "name" = ?', [
        Number(rows.at(-1)!.seq),
        FANOUT_JOB,
      ]);
      return rows.length === FANOUT_BATCH;
    });
  }
}

/** Those recipients who have not turned this topic's inbox off (notification-preferences.ts), in order. */
async function withInbox(tx: EntityManager, recipients: readonly Recipient[]): Promise<Recipient[]> {
  const muted = new Set<string>();
  for (const topic of new Set(recipients.map((r) => r.topic))) {
    const userIds = recipients.filter((r) => r.topic === topic).map((r) => r.userId);
    const frequencies = await frequenciesFor(tx, userIds, topic, NotificationChannel.IN_APP);
    for (const [userId, frequency] of frequencies)
      if (frequency === NotificationFrequency.OFF) muted.add(`${topic}/${userId}`);
  }
  return recipients.filter((r) => !muted.has(`${r.topic}/${r.userId}`));
}

/** Inserts one event's notifications; those made before (a retried round) are left as they are. */
async function insertNotifications(
  tx: EntityManager,
  eventSeq: number,
  recipients: readonly Recipient[],
): Promise<{ id: number; userId: number }[]> {
  if (recipients.length === 0) return [];
  const values = recipients.map(() => '(?, ?, ?, ?, ?, now())').join(', ');
  const params = recipients.flatMap((r) => [
    r.userId,
    eventSeq,
    r.topic,
    r.subjectId,
    JSON.stringify(r.params),
  ]);
  const rows = await tx.execute<{ id: string; user_id: string }[]>(
    `insert into "notification" ("user_id", "event_seq", "topic", "subject_id", "params", "created_at")
     values ${values} on conflict ("event_seq", "user_id") do nothing returning "id", "user_id"`,
    params,
  );
  return rows.map((row) => ({ id: Number(row.id), userId: Number(row.user_id) }));
}

/**
 * One `notification.created` event per recipient of this round, written last in the transaction (see
 * emitEvent), and its seq on each of the recipient's new notifications.
 */
async function announce(tx: EntityManager, made: readonly { id: number; userId: number }[]): Promise<void> {
  const userIds = [...new Set(made.map((m) => m.userId))];
  if (userIds.length === 0) return;
  const unscoped = { categoryPath: [], regionPath: [], targetGroups: [] };
  const seqs = await emitEvents(
    tx,
    userIds.map((entityId) => ({ topic: Topic.NOTIFICATION_CREATED, entityId, ...unscoped })),
  );
  await tx.execute(
    `update "notification" n set "announced_seq" = a."seq"
       from unnest(?::bigint[], ?::bigint[]) as a("user_id", "seq")
      where n."user_id" = a."user_id" and n."id" = any(?::bigint[])`,
    [`{${userIds.join(',')}}`, `{${seqs.join(',')}}`, `{${made.map((m) => m.id).join(',')}}`],
  );
}
