import type { EntityManager } from '@mikro-orm/postgresql';
import { HubEvent } from './event.entity.js';

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
  const connection = em.getConnection();
  const tx = em.getTransactionContext();
  // Without this, a transaction could take seq 10, commit after another took seq 11, and a relay
  // that already read 11 would never see 10. The lock (held to commit) makes seq order commit order.
  await connection.execute('select pg_advisory_xact_lock(?)', [EVENTS_LOCK_KEY], 'run', tx);
  // A native insert runs now, on the transaction's connection: the row can never be flushed later,
  // outside the caller's transaction, after the lock (so its seq follows every committed one).
  const seq = await em.insert(HubEvent, {
    topic: event.topic,
    entityId: event.entityId,
    categoryPath: [...event.categoryPath],
    regionPath: [...event.regionPath],
    targetGroups: [...event.targetGroups],
  });
  // The payload is the topic only: listeners read the rows themselves, so nothing else is needed.
  await connection.execute('select pg_notify(?, ?)', [EVENTS_CHANNEL, event.topic], 'run', tx);
  return Number(seq);
}

/** The newest outbox seq (0 when there is none). */
export async function outboxHead(em: EntityManager): Promise<number> {
  const rows = await em.execute<{ head: string }[]>('select coalesce(max("seq"), 0) as "head" from "event"');
  return Number(rows[0]?.head ?? 0);
}
