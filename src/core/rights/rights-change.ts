import type { EntityManager } from '@mikro-orm/postgresql';
import { emitEvent, Topic } from '../events/outbox.js';

/** Whose rights a change alters: accounts, and organizations (for all of their members). */
export interface RightsChange {
  userIds?: readonly number[];
  organizationIds?: readonly number[];
}

/**
 * Announces that the rights of these accounts or organizations changed: bumps their
 * `rights_version` and writes one outbox event each, in the caller's transaction, so the change
 * and its announcement commit together or not at all. Every process's relay then hands the event
 * to its RightsWatch, which re-checks exactly the open subscriptions concerned (docs/SECURITY.md,
 * "Live rights").
 *
 * Call it in the transaction that makes the change, after the change's own writes (it writes
 * outbox events: see `emitEvent`). Throws outside a transaction: an announcement that could commit
 * without its change, or the reverse, would leave subscribers with rights they no longer have.
 */
export async function announceRightsChange(em: EntityManager, change: RightsChange): Promise<void> {
  if (!em.isInTransaction())
    throw new Error('announceRightsChange must run inside the transaction that changes the rights');
  const userIds = [...new Set(change.userIds ?? [])].sort((a, b) => a - b);
  const organizationIds = [...new Set(change.organizationIds ?? [])].sort((a, b) => a - b);
  const connection = em.getConnection();
  const tx = em.getTransactionContext();
  if (userIds.length > 0)
    await connection.execute(
      'update "app_user" set "rights_version" = "rights_version" + 1 where "id" = any(?::bigint[])',
      [`{${userIds.join(',')}}`],
      'run',
      tx,
    );
  if (organizationIds.length > 0)
    await connection.execute(
      'update "organization" set "rights_version" = "rights_version" + 1 where "id" = any(?::bigint[])',
      [`{${organizationIds.join(',')}}`],
      'run',
      tx,
    );
  const unscoped = { categoryPath: [], regionPath: [], targetGroups: [] };
  for (const entityId of userIds)
    await emitEvent(em, { topic: Topic.USER_RIGHTS_CHANGED, entityId, ...unscoped });
  for (const entityId of organizationIds)
    await emitEvent(em, { topic: Topic.ORGANIZATION_RIGHTS_CHANGED, entityId, ...unscoped });
}
