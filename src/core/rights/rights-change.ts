import type { EntityManager, EventSubscriber, TransactionEventArgs } from '@mikro-orm/postgresql';
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
  remember(em, { userIds, organizationIds });
  const unscoped = { categoryPath: [], regionPath: [], targetGroups: [] };
  for (const entityId of userIds)
    await emitEvent(em, { topic: Topic.USER_RIGHTS_CHANGED, entityId, ...unscoped });
  for (const entityId of organizationIds)
    await emitEvent(em, { topic: Topic.ORGANIZATION_RIGHTS_CHANGED, entityId, ...unscoped });
}

/**
 * The rights changes announced in each transaction still open, keyed by its root transaction (the
 * knex transaction MikroORM hands to the commit and rollback events). A rolled-back transaction's
 * entry is never read, and goes with the transaction object.
 */
const announcedIn = new WeakMap<object, RightsChange[]>();

function remember(em: EntityManager, change: Required<RightsChange>): void {
  const root = rootTransactionOf(em.getTransactionContext() as object);
  let changes = announcedIn.get(root);
  if (!changes) announcedIn.set(root, (changes = []));
  changes.push(change);
}

/**
 * The outermost transaction of a (possibly nested) one: a savepoint's release commits nothing, and
 * MikroORM tells `afterTransactionCommit` for the outermost transaction only. MikroORM links a
 * savepoint to its parent under a private symbol (`parentTransaction`, AbstractSqlConnection in
 * @mikro-orm/knex, pinned exactly in package.json); `tests/integration/rights/viewer-cache.test.ts`
 * checks a change announced in a nested transaction.
 */
function rootTransactionOf(transaction: object): object {
  for (;;) {
    const parent = Object.getOwnPropertySymbols(transaction).find(
      (s) => s.description === 'parentTransaction',
    );
    if (!parent) return transaction;
    transaction = (transaction as Record<symbol, object>)[parent]!;
  }
}

/**
 * Calls `listener` with every rights change announced through `em`'s ORM (its forks share its event
 * manager) once its transaction has committed, before the transaction's caller resumes: so the
 * process that made a change acts on it before it answers the request that made it. Never for a
 * change rolled back. Other processes learn of it from their relay (RightsWatch). Returns a function
 * that stops the calls (MikroORM cannot unregister a subscriber).
 */
export function onCommittedRightsChange(
  em: EntityManager,
  listener: (change: Required<RightsChange>) => void,
): () => void {
  let listening = true;
  const subscriber: EventSubscriber = {
    afterTransactionCommit({ transaction }: TransactionEventArgs) {
      if (!listening || !transaction) return;
      for (const change of announcedIn.get(transaction as object) ?? [])
        listener(change as Required<RightsChange>);
    },
  };
  em.getEventManager().registerSubscriber(subscriber);
  return () => {
    listening = false;
  };
}
