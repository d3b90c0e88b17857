import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../db/pooled-query.js';

/**
 * A PostgreSQL array literal for `?::text[]`. The ORM's query builder expands array bindings into
 * value lists, so arrays travel as one quoted literal instead.
 */
export function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** The topics of the event feed; the value is what the `event.topic` column holds. */
export enum Topic {
  DEMAND_PUBLISHED = 'demand.published',
  DEMAND_UPDATED = 'demand.updated',
  PROJECT_PUBLISHED = 'project.published',
  /**
   * The decision on one application (AWARDED or REJECTED), keyed by the applicant organization's id;
   * the application is the one whose `decidedSeq` is the event's seq.
   */
  APPLICATION_DECIDED = 'application.decided',
  /** A project's application period closed (PUBLISHED → EVALUATING), keyed by the project's id. */
  APPLICATION_PERIOD_CLOSED = 'project.applicationsClosed',
  /**
   * A project was awarded (after its APPLICATION_DECIDED events, in the same transaction), keyed by
   * the project's id; its applicants' webhooks are told, each with its own decision only.
   */
  PROJECT_AWARDED = 'project.awarded',
  /** Regions or service categories changed: every process reloads its reference cache (entity id 0). */
  REFERENCE_CHANGED = 'reference.changed',
  /**
   * What an account may do changed (status, roles, scope, memberships), keyed by the user's id:
   * that user's open subscriptions re-check their rights (src/core/rights/).
   */
  USER_RIGHTS_CHANGED = 'rights.user',
  /**
   * What an organization's members may do through it changed (verification, suspension, hub
   * status), keyed by the organization's id: its members' open subscriptions re-check their rights.
   */
  ORGANIZATION_RIGHTS_CHANGED = 'rights.organization',
  /**
   * A union decided an organization's verification (verified or suspended), keyed by the
   * organization's id: its members are notified (the decision is the organization's status then).
   */
  VERIFICATION_DECIDED = 'organization.verification',
  /**
   * New notifications. No longer written to the outbox: the notification worker announces its
   * rounds outside it (notification-signals.ts), and the match index routes those wake-up calls to
   * `notificationReceived` streams under this topic, the audience keys as category path. Rows of it
   * in the table are from before (one per round, keyed by its highest notification id): they are
   * read only to resume a cursor of that time.
   */
  NOTIFICATION_CREATED = 'notification.created',
  /**
   * A claim will lapse soon unless its organization reports progress, keyed by the demand's id:
   * written once per claim period by the demand sweep; its organization's members are notified and
   * its webhooks told.
   */
  CLAIM_LAPSING = 'demand.claimLapsing',
  /** A webhook endpoint was disabled after failing, keyed by the endpoint's id: its admins are notified. */
  WEBHOOK_DISABLED = 'webhook.disabled',
  /** The awarded organization reported a contract milestone, keyed by the milestone's id: the publisher's staff are notified. */
  MILESTONE_REPORTED = 'contract.milestoneReported',
  /** The publisher accepted a contract milestone, keyed by the milestone's id: the organization's members are notified. */
  MILESTONE_ACCEPTED = 'contract.milestoneAccepted',
  /** The publisher returned a contract milestone, keyed by the milestone's id: the organization's members are notified. */
  MILESTONE_RETURNED = 'contract.milestoneReturned',
  /** The publisher recorded a payment under a contract, keyed by the payment's id: the organization's members are notified. */
  CONTRACT_PAYMENT_RECORDED = 'contract.paymentRecorded',
  /**
   * A publisher answered a clarification question about a tender, keyed by the project's id: every
   * organization eligible for the project is notified in the same round (equal notice).
   */
  PROJECT_CLARIFIED = 'project.clarified',
}

/** The channel every process LISTENs on. Its payload is a wake-up call only: the table is the truth. */
export const EVENTS_CHANNEL = 'hub_events';

/** What a change announces: the entity id and the paths subscribers are matched on. */
export interface OutboxEvent {
  topic: Topic;
  entityId: number;
  /** Category codes, root → self. */
  categoryPath: readonly string[];
  /** Region codes, province → city → district. */
  regionPath: readonly string[];
  targetGroups: readonly string[];
}

/**
 * Told after the commit of a transaction that wrote events (and after an autocommitted write of
 * them): wakes this process's relay and tells the other processes (one coalesced NOTIFY outside
 * any writer's transaction). Attached to an ORM with {@link attachCommitNotifier}.
 */
export interface CommitNotifier {
  committed(): void;
}

/** The root transactions that wrote events and have not committed yet. */
const emittingTransactions = new WeakSet<object>();
/** Per ORM configuration (shared by every fork), the notifier told after such commits. */
const notifiers = new WeakMap<object, CommitNotifier>();

/** The root transaction of a MikroORM transaction context (a savepoint points at its parent). */
function rootTransaction(ctx: object): object {
  let current = ctx as Record<symbol, unknown>;
  for (;;) {
    const parent = Object.getOwnPropertySymbols(current).find((s) => s.description === 'parentTransaction');
    const next = parent ? current[parent] : undefined;
    if (!next || typeof next !== 'object') return current;
    current = next as Record<symbol, unknown>;
  }
}

/**
 * Tells `notifier` after every commit of a root transaction on `orm` that called {@link emitEvents}
 * (MikroORM's `afterTransactionCommit`, which fires for root transactions only, after COMMIT).
 * Returns a function that detaches it.
 */
export function attachCommitNotifier(em: EntityManager, notifier: CommitNotifier): () => void {
  notifiers.set(em.config, notifier);
  let attached = true;
  const subscriber: EventSubscriber = {
    afterTransactionCommit(args: TransactionEventArgs) {
      const ctx = args.transaction as object | undefined;
      if (!ctx || !emittingTransactions.has(ctx)) return;
      emittingTransactions.delete(ctx);
      if (attached) notifier.committed();
    },
    afterTransactionRollback(args: TransactionEventArgs) {
      if (args.transaction) emittingTransactions.delete(args.transaction as object);
    },
  };
  em.getEventManager().registerSubscriber(subscriber);
  return () => {
    if (notifiers.get(em.config) === notifier) notifiers.delete(em.config);
    // MikroORM has no unregister: the subscriber stays, but tells nobody once detached.
    attached = false;
  };
}

/**
 * Writes an `event` row in the caller's transaction (call it inside `em.transactional`): a rollback
 * removes the row too, so a failed change publishes nothing. Resolves to the event's `seq` (its
 * cursor). Takes no lock and sends nothing inside the transaction: after COMMIT, the ORM's notifier
 * wakes the relays (docs/architecture.md, "Live path").
 */
export async function emitEvent(em: EntityManager, event: OutboxEvent): Promise<number> {
  const [seq] = await emitEvents(em, [event]);
  return seq!;
}

/**
 * The statement that writes events: `?`-placeholders for each event's topic, entity id and three
 * paths (as text[] literals), in this order.
 *
 * Seqs are taken without a lock, so they may commit out of order; the relay holds back what
 * follows a missing seq until every transaction that could still fill it has ended, which it can
 * tell only if the writer owned its transaction id BEFORE it took its seq (docs/architecture.md,
 * "Live path"). `nextval` assigns none, and an insert assigns one only when it writes its first
 * row, after evaluating that row's default: the materialized CTE assigns it first (the rows depend
 * on it, so it is evaluated before any of their defaults).
 */
export function insertEventsSql(count: number): string {
  return `with "tx" as materialized (select pg_current_xact_id() as "xid")
    insert into "event" ("topic", "entity_id", "category_path", "region_path", "target_groups", "created_at")
    select v."topic", v."entity_id", v."category_path", v."region_path", v."target_groups", now()
      from "tx", (values ${Array.from({ length: count }, (_, i) => `(${i}, ?::varchar(64), ?::bigint, ?::text[], ?::text[], ?::text[])`).join(', ')})
        as v("ord", "topic", "entity_id", "category_path", "region_path", "target_groups")
     where "tx"."xid" is not null
     order by v."ord"
    returning "seq"`;
}

/** The parameters of {@link insertEventsSql} for `events`. */
export function insertEventsParams(events: readonly OutboxEvent[]): (string | number)[] {
  return events.flatMap((event) => [
    event.topic,
    event.entityId,
    pgTextArray(event.categoryPath),
    pgTextArray(event.regionPath),
    pgTextArray(event.targetGroups),
  ]);
}

/**
 * Marks the transaction of `em` as one that wrote events, so that its commit wakes the relays; an
 * autocommitted write (no transaction) is announced at once.
 */
export function announceAfterCommit(em: EntityManager): void {
  const tx = em.getTransactionContext() as object | undefined;
  if (tx) emittingTransactions.add(rootTransaction(tx));
  else notifiers.get(em.config)?.committed();
}

/**
 * {@link emitEvent} for several events at once, in the order given: one statement. Resolves to their
 * seqs, in the same order.
 */
export async function emitEvents(em: EntityManager, events: readonly OutboxEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  const connection = em.getConnection();
  const tx = em.getTransactionContext();
  // A native insert runs now, on the transaction's connection (never flushed later, outside it).
  const rows = await connection.execute<{ seq: string }[]>(
    insertEventsSql(events.length),
    insertEventsParams(events),
    'all',
    tx,
  );
  // The rows take their seqs in the order of the VALUES list (order by "ord").
  const seqs = rows.map((row) => Number(row.seq)).sort((a, b) => a - b);
  if (notifiers.has(em.config)) announceAfterCommit(em);
  // No notifier on this ORM (a script without the app): the old way, a NOTIFY that PostgreSQL
  // delivers on commit; without it the processes would learn of these events by their poll only.
  else await connection.execute('select pg_notify(?, ?)', [EVENTS_CHANNEL, events[0]!.topic], 'run', tx);
  return seqs;
}

/**
 * The newest outbox seq (0 when there is none). Lower seqs may still be uncommitted: never read
 * events up to it (read up to the relay's position, `EventHub.stablePosition`); it only bounds what
 * a cursor may name.
 */
export async function outboxHead(em: EntityManager): Promise<number> {
  const rows = await em.execute<{ head: string }[]>('select coalesce(max("seq"), 0) as "head" from "event"');
  return Number(rows[0]?.head ?? 0);
}

/**
 * SQL (an xid8 as text): the oldest transaction id still running in THIS database (a session or a
 * prepared transaction), or the next id to be assigned when none is. A missing seq can only be
 * filled by a transaction of this database, so this is the horizon the relay waits for; the
 * cluster-wide `pg_snapshot_xmin` would make a long transaction in another database of the cluster
 * hold back this one's events too. The view shows 32-bit ids: each is widened to 64 bits against
 * the next id (a running one is within 2^31 of it, either side). Where a session of this database
 * hides its details from this role, the cluster-wide bound is the safe answer.
 */
export const OLDEST_RUNNING_HERE_SQL = `(with "now" as (
     select pg_snapshot_xmax(pg_current_snapshot())::text::bigint as "next",
            pg_snapshot_xmin(pg_current_snapshot())::text::bigint as "cluster_oldest"),
   "running" as (
     select "backend_xid"::text::bigint as "xid" from pg_stat_activity
      where "datname" = current_database() and "backend_xid" is not null
     union all
     select "transaction"::text::bigint from pg_prepared_xacts where "database" = current_database()),
   "widened" as (
     select case when d < 2147483648 then "now"."next" - d else "now"."next" + (4294967296 - d) end as "xid"
       from "now", (select ("now"."next" % 4294967296 - "running"."xid" + 4294967296) % 4294967296 as d
                      from "now", "running") as "diffs")
   select case when exists (select 1 from pg_stat_activity
                             where "datname" = current_database() and "query" = '<insufficient privilege>')
               then "now"."cluster_oldest"
               else coalesce((select min("xid") from "widened"), "now"."next") end::text
     from "now")`;

/** First and longest wait between two looks at the oldest running transaction in {@link settledHead}. */
const SETTLE_MIN_MS = 5;
const SETTLE_MAX_MS = 250;

/**
 * The head of the outbox once no seq at or below it can still commit: read the head, then wait
 * until every transaction running then has ended (each writer owned its transaction id before its
 * seq, see insertEventsSql). For a process without a relay; the relay's position is the same bound.
 */
export async function settledHead(em: EntityManager): Promise<number> {
  const [row] = await em.execute<{ head: string; horizon: string }[]>(
    `select coalesce(max("seq"), 0) as "head", pg_snapshot_xmax(pg_current_snapshot())::text as "horizon" from "event"`,
  );
  const horizon = BigInt(row?.horizon ?? 0);
  for (let wait = SETTLE_MIN_MS; ; wait = Math.min(SETTLE_MAX_MS, wait * 2)) {
    // Prepared: planning the pg_stat_activity view costs far more than reading it (relay.ts).
    const [now] = await executePrepared<{ oldest: string }>(
      em,
      'settled_head',
      `select ${OLDEST_RUNNING_HERE_SQL} as "oldest"`,
      [],
    );
    if (BigInt(now?.oldest ?? 0) >= horizon) return Number(row?.head ?? 0);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
