import type { EntityManager } from '@mikro-orm/postgresql';

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

/** Advisory lock that orders outbox writers (an arbitrary constant, unique to this use). */
const EVENTS_LOCK_KEY = 4_826_113;

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
 * Writes an `event` row and `NOTIFY hub_events` in the caller's transaction (call it inside
 * `em.transactional`). PostgreSQL delivers the notification only on commit, and a rollback removes
 * the row too, so a failed change publishes nothing.
 *
 * Emitting transactions are serialized from this call to their commit, so call it last in the
 * transaction (after the change's own writes) to keep that window short and free of lock waits.
 * Resolves to the event's `seq` (its cursor).
 */
export async function emitEvent(em: EntityManager, event: OutboxEvent): Promise<number> {
  const [seq] = await emitEvents(em, [event]);
  return seq!;
}

/**
 * {@link emitEvent} for several events at once, in the order given: one lock, one insert, one
 * notification. Resolves to their seqs, in the same order.
 */
export async function emitEvents(em: EntityManager, events: readonly OutboxEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  const connection = em.getConnection();
  const tx = em.getTransactionContext();
  // Without this, a transaction could take seq 10, commit after another took seq 11, and a relay
  // that already read 11 would never see 10. The lock (held to commit) makes seq order commit order.
  await connection.execute('select pg_advisory_xact_lock(?)', [EVENTS_LOCK_KEY], 'run', tx);
  // A native insert runs now, on the transaction's connection: the rows can never be flushed later,
  // outside the caller's transaction, after the lock (so their seqs follow every committed one).
  const rows = await connection.execute<{ seq: string }[]>(
    `insert into "event" ("topic", "entity_id", "category_path", "region_path", "target_groups", "created_at")
     values ${events.map(() => '(?, ?, ?::text[], ?::text[], ?::text[], now())').join(', ')} returning "seq"`,
    events.flatMap((event) => [
      event.topic,
      event.entityId,
      pgTextArray(event.categoryPath),
      pgTextArray(event.regionPath),
      pgTextArray(event.targetGroups),
    ]),
    'all',
    tx,
  );
  // The rows take their seqs in the order of the VALUES list.
  const seqs = rows.map((row) => Number(row.seq)).sort((a, b) => a - b);
  // The payload is the topic only: listeners read the rows themselves, so nothing else is needed.
  for (const topic of new Set(events.map((event) => event.topic)))
    await connection.execute('select pg_notify(?, ?)', [EVENTS_CHANNEL, topic], 'run', tx);
  return seqs;
}

/** The newest outbox seq (0 when there is none). */
export async function outboxHead(em: EntityManager): Promise<number> {
  const rows = await em.execute<{ head: string }[]>('select coalesce(max("seq"), 0) as "head" from "event"');
  return Number(rows[0]?.head ?? 0);
}
