import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { NotificationConfig } from '../../core/config.js';
import { EVENT_COLUMNS, pgTextArray, toFeedEvent, type EventRow } from '../../core/events/event-rows.js';
import type { EventHub } from '../../core/events/event-hub.js';
import type { ProjectApplicationsService } from '../projects/project-applications.service.js';
import { NotificationChannel, NotificationFrequency, type NotificationTopic } from './notification.enums.js';
import { frequenciesFor, membersChoosing } from './notification-preferences.js';
import { NOTIFYING_TOPICS, recipientsOf, startRound, type Recipient } from './notification-recipients.js';
import { audienceKey, type NotificationRound, type NotificationSignals } from './notification-signals.js';

/** Outbox events turned into notifications per transaction. */
const FANOUT_BATCH = 100;
/** The position row of the fan-out job. */
export const FANOUT_JOB = 'fanout';
/**
 * How long a woken worker gathers events before its round: under a stream of submissions, a round
 * then takes the events of this long together, and its fixed cost (the position lock, the
 * announcement, the channel workers' rounds it wakes) is paid once for them all.
 */
const FANOUT_GATHER_MS = 50;

export interface NotificationWorkerDeps {
  orm: MikroORM;
  log: Logger;
  config: Pick<NotificationConfig, 'pollMs'>;
  events: EventHub;
  /** Where committed rounds are announced (the live feed, the channel workers). */
  signals: NotificationSignals;
  projects: ProjectApplicationsService;
  /** The instant channels this hub sends through (e-mail, SMS): their delivery rows are made here. */
  instantChannels?: readonly NotificationChannel[];
}

/** A notification made by a round: the columns its deliveries and its announcement need. */
interface Made {
  id: number;
  userId: number | null;
  organizationId: number | null;
  adminsOnly: boolean;
  excludedUserIds: number[];
  topic: NotificationTopic;
}

/**
 * The per-process notification worker: turns outbox events into notifications
 * (notification-recipients.ts), durably, after the change committed. What concerns an
 * organization's members is one row for the organization, whatever its size; what concerns a
 * person is one row for her, unless she turned that topic's inbox off (notification-preferences.ts).
 * Those who want a topic at once by e-mail or SMS get one delivery row per channel, which the
 * channel workers send.
 *
 * Why it costs the write path little: a change's transaction writes only the outbox row it always
 * wrote; everything here runs later, in the worker's own transactions, woken by the relay, and a
 * round writes a handful of rows per event, not one per member.
 *
 * All its state is in the database, so processes share the work and a restart loses nothing. The
 * job's `notification_position` row holds the last outbox seq turned into notifications; a round
 * locks it `FOR UPDATE SKIP LOCKED` (the process holding it does the round, the others skip), reads
 * the next events of the notifying topics, inserts their notifications and deliveries (unique per
 * event and recipient: a round that is retried after a crash inserts nothing twice) and advances
 * the position, all in one transaction: a process that dies mid-round leaves nothing half done, and
 * the next round does it again. Rounds run one at a time (the position row's lock), so notification
 * ids are committed in increasing order: a reader that has seen id N has seen every id below it.
 *
 * Once a round has committed it is announced outside the ordered outbox (notification-signals.ts):
 * this process's subscribers at once, the others' by one NOTIFY. Writing it into the outbox took the
 * outbox's global lock in every round, which every request that emits an event waits for.
 */
export class NotificationWorker {
  private running: Promise<void> | null = null;
  private gathering: NodeJS.Timeout | null = null;
  private again = false;
  private stopping = false;
  private started = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly wakingTopics = new Set<string>(NOTIFYING_TOPICS);

  constructor(private readonly deps: NotificationWorkerDeps) {}

  /**
   * Fixes where the job begins, then polls and listens for new events; the first round runs at once.
   * On a database's first start the job begins at the outbox's head as this resolves: every event
   * committed after it is notified. (Fixed by the first round instead, a demand submitted in the
   * moments before it ran was silently never notified.)
   */
  async start(): Promise<void> {
    if (this.deps.config.pollMs === 0 || this.started) return;
    this.started = true;
    const em = this.deps.orm.em.fork();
    // The stable position, not max(seq): a seq below the head may still commit (docs/architecture.md).
    await em.execute(
      `insert into "notification_position" ("name", "last_event_seq") values (?, ?) on conflict ("name") do nothing`,
      [FANOUT_JOB, await this.deps.events.stablePosition(em)],
    );
    if (this.stopping) return;
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
    if (this.gathering) clearTimeout(this.gathering);
    this.timer = null;
    this.gathering = null;
    this.unsubscribe?.();
    await this.running;
  }

  /**
   * Runs a round after FANOUT_GATHER_MS; woken during a round, gathers again once it ends. (Going
   * straight into the next round made rounds run back to back under a stream of submissions, each
   * taking the few events of one round's duration and paying its fixed cost for them.)
   */
  wake(): void {
    if (this.stopping || this.deps.config.pollMs === 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.gathering) return;
    this.gathering = setTimeout(() => {
      this.gathering = null;
      if (this.stopping) return;
      this.running = this.loop().finally(() => {
        this.running = null;
        if (!this.again) return;
        this.again = false;
        this.wake();
      });
    }, FANOUT_GATHER_MS);
  }

  /** Rounds until one is not full (a full batch means more events are waiting already). */
  private async loop(): Promise<void> {
    try {
      while (!this.stopping && (await this.fanOut()));
    } catch (error) {
      this.deps.log.warn({ err: error }, 'notifications: fan-out round failed');
    }
  }

  /** One fan-out transaction, then its announcement; true when there may be more to do. */
  private async fanOut(): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    const { more, announced } = await em.transactional(async (tx) => {
      const none = { more: false, announced: null };
      const [position] = await tx.execute<{ last_event_seq: string }[]>(
        `select "last_event_seq" from "notification_position" where "name" = ? for update skip locked`,
        [FANOUT_JOB],
      );
      // Another process holds the job: its round reads what this one would have.
      if (!position) return none;
      // Up to the stable position only: past it, a seq still uncommitted would be passed over for good.
      const rows = await tx.execute<EventRow[]>(
        `select ${EVENT_COLUMNS} from "event"
          where "seq" > ? and "seq" <= ? and "topic" = any(?::text[]) order by "seq" limit ?`,
        [
          Number(position.last_event_seq),
          await this.deps.events.stablePosition(tx),
          pgTextArray(NOTIFYING_TOPICS),
          FANOUT_BATCH,
        ],
      );
      if (rows.length === 0) return none;
      const events = rows.map(toFeedEvent);
      const round = await startRound(tx, events);
      const wanted: { eventSeq: number; recipient: Recipient }[] = [];
      for (const event of events) {
        for (const recipient of await recipientsOf(tx, event, this.deps.projects, round))
          wanted.push({ eventSeq: event.seq, recipient });
      }
      await withInbox(tx, wanted);
      const { made, after } = await insertNotifications(tx, wanted);
      const queued: NotificationChannel[] = [];
      for (const channel of this.deps.instantChannels ?? [])
        if (await queueDeliveries(tx, made, channel)) queued.push(channel);
      await tx.execute('update "notification_position" set "last_event_seq" = ? where "name" = ?', [
        Number(rows.at(-1)!.seq),
        FANOUT_JOB,
      ]);
      // Every write above is a statement of its own: the entities read (demands, organizations) have
      // nothing to flush, and the commit need not compare them or hand them to the parent context.
      tx.clear();
      return { more: rows.length === FANOUT_BATCH, announced: roundOf(made, after, queued) };
    });
    if (announced)
      await this.deps.signals
        .announce(em, announced)
        // Not lost: every process's check finds the round missing from its chain and wakes its subscribers.
        .catch((error: unknown) =>
          this.deps.log.warn({ err: error }, 'notifications: announcing a round failed'),
        );
    return more;
  }
}

/**
 * Leaves out those who turned the topic's inbox off (notification-preferences.ts), as it is now: a
 * personal notification is not made, and an audience's lists them among its excluded members
 * (found among those with a reason to differ from the default, a few of even a large organization).
 */
async function withInbox(
  tx: EntityManager,
  wanted: { eventSeq: number; recipient: Recipient }[],
): Promise<void> {
  const recipients = wanted.map((w) => w.recipient);
  const muted = new Set<string>();
  for (const topic of new Set(recipients.map((r) => r.topic))) {
    const ofTopic = recipients.filter((r) => r.topic === topic);
    const userIds = ofTopic.flatMap((r) => (r.userId === undefined ? [] : [r.userId]));
    const frequencies = await frequenciesFor(tx, userIds, topic, NotificationChannel.IN_APP);
    for (const [userId, frequency] of frequencies)
      if (frequency === NotificationFrequency.OFF) muted.add(`${topic}/${userId}`);
    for (const adminsOnly of [false, true]) {
      const audiences = ofTopic.flatMap((r) => (r.audience?.adminsOnly === adminsOnly ? [r.audience] : []));
      if (audiences.length === 0) continue;
      const off = await membersChoosing(
        tx,
        [...new Set(audiences.map((a) => a.organizationId))],
        adminsOnly,
        {
          topic,
          channel: NotificationChannel.IN_APP,
          frequency: NotificationFrequency.OFF,
        },
      );
      for (const audience of audiences)
        audience.excludedUserIds = [
          ...new Set([...audience.excludedUserIds, ...(off.get(audience.organizationId) ?? [])]),
        ];
    }
  }
  const kept = wanted.filter(
    (w) => w.recipient.userId === undefined || !muted.has(`${w.recipient.topic}/${w.recipient.userId}`),
  );
  wanted.splice(0, wanted.length, ...kept);
}

/**
 * Inserts a round's notifications in one statement; those made before (a retried round) are left as
 * they are. `after` is the highest notification id committed before them (read by the same
 * statement, so with the position row locked it is exactly the previous round's last).
 */
async function insertNotifications(
  tx: EntityManager,
  wanted: readonly { eventSeq: number; recipient: Recipient }[],
): Promise<{ made: Made[]; after: number }> {
  if (wanted.length === 0) return { made: [], after: 0 };
  // clock_timestamp(), not now(): a round's transaction may begin before a member joined and the
  // event arrived (it gathers events for a moment); stamped with its start, her organization's
  // notification would look older than her membership and be hidden from her ("since she joined").
  const values = wanted.map(() => '(?, ?, ?, ?::bigint[], ?, ?, ?, ?, clock_timestamp())').join(', ');
  const params = wanted.flatMap(({ eventSeq, recipient: r }) => [
    r.userId ?? null,
    r.audience?.organizationId ?? null,
    r.audience?.adminsOnly ?? false,
    `{${(r.audience?.excludedUserIds ?? []).join(',')}}`,
    eventSeq,
    r.topic,
    r.subjectId,
    JSON.stringify(r.params),
  ]);
  // Two arbiters: a personal row is unique per (event, user), an audience row per (event, organization).
  const rows = await tx.execute<
    {
      id: string;
      user_id: string | null;
      organization_id: string | null;
      admins_only: boolean;
      excluded_user_ids: string[];
      topic: NotificationTopic;
      after: string;
    }[]
  >(
    `with "before" as (select coalesce(max("id"), 0) as "id" from "notification")
     insert into "notification" ("user_id", "organization_id", "admins_only", "excluded_user_ids",
        "event_seq", "topic", "subject_id", "params", "created_at")
     values ${values} on conflict do nothing
     returning "id", "user_id", "organization_id", "admins_only", "excluded_user_ids", "topic",
       (select "id" from "before") as "after"`,
    params,
  );
  const toNumber = (value: string | null) => (value === null ? null : Number(value));
  const made = rows.map((row) => ({
    id: Number(row.id),
    userId: toNumber(row.user_id),
    organizationId: toNumber(row.organization_id),
    adminsOnly: row.admins_only,
    excludedUserIds: row.excluded_user_ids.map(Number),
    topic: row.topic,
  }));
  return { made, after: Number(rows[0]?.after ?? 0) };
}

/**
 * One delivery row per person who wants one of these notifications at once on `channel`: for a
 * personal notification its recipient, for an audience one each such member (sending is per person
 * anyway). The channel's worker sends them (notification-channel-worker.ts).
 */
async function queueDeliveries(
  tx: EntityManager,
  made: readonly Made[],
  channel: NotificationChannel,
): Promise<boolean> {
  const deliveries: [number, number][] = [];
  for (const topic of new Set(made.map((m) => m.topic))) {
    const ofTopic = made.filter((m) => m.topic === topic);
    const personal = ofTopic.filter((m) => m.userId !== null);
    if (personal.length > 0) {
      const frequencies = await frequenciesFor(
        tx,
        [...new Set(personal.map((m) => m.userId!))],
        topic,
        channel,
      );
      for (const m of personal)
        if (frequencies.get(m.userId!) === NotificationFrequency.INSTANT) deliveries.push([m.id, m.userId!]);
    }
    for (const adminsOnly of [false, true]) {
      const audiences = ofTopic.filter((m) => m.organizationId !== null && m.adminsOnly === adminsOnly);
      if (audiences.length === 0) continue;
      const organizationIds = [...new Set(audiences.map((m) => m.organizationId!))];
      const instant = await membersChoosing(tx, organizationIds, adminsOnly, {
        topic,
        channel,
        frequency: NotificationFrequency.INSTANT,
      });
      for (const m of audiences)
        for (const userId of instant.get(m.organizationId!) ?? [])
          if (!m.excludedUserIds.includes(userId)) deliveries.push([m.id, userId]);
    }
  }
  if (deliveries.length === 0) return false;
  await tx.execute(
    `insert into "notification_delivery" ("notification_id", "user_id", "channel")
     select d."notification_id", d."user_id", ? from unnest(?::bigint[], ?::bigint[]) as d("notification_id", "user_id")
      order by d."notification_id", d."user_id"
     on conflict do nothing`,
    [channel, `{${deliveries.map((d) => d[0]).join(',')}}`, `{${deliveries.map((d) => d[1]).join(',')}}`],
  );
  return true;
}

/**
 * What a round announces (notification-signals.ts), null when it made nothing: its id range, its
 * audience (audienceKey: the persons and organizations whose notifications it made, so that each
 * process wakes only their subscribers) and the channels it queued deliveries for (only their
 * workers need to look).
 */
function roundOf(
  made: readonly Made[],
  after: number,
  queued: readonly NotificationChannel[],
): NotificationRound | null {
  if (made.length === 0) return null;
  const audience = new Set<string>();
  for (const m of made)
    audience.add(
      m.userId !== null ? audienceKey('user', m.userId) : audienceKey('organization', m.organizationId!),
    );
  return { after, upTo: Math.max(...made.map((m) => m.id)), audience: [...audience], channels: queued };
}
