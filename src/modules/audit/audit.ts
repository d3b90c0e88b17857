import { ref } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import type { Node } from '../../core/relay/node.js';
import { toGlobalId } from '../../core/relay/global-id.js';
import { User } from '../accounts/user.entity.js';
import { AuditEntry } from './audit-entry.entity.js';

/** A summary key naming ids: the word before `Id`/`Ids` names the type (`invitedOrganizationIds`). */
const ID_KEY = /([A-Za-z][a-z]*)Ids?$/;

/** Words of id keys that are not the type's own name. */
const TYPE_OF_WORD: Readonly<Record<string, string>> = { hub: 'Organization' };

function typeOfIdKey(key: string): string | null {
  const word = ID_KEY.exec(key)?.[1];
  if (!word) return null;
  const lower = word.toLowerCase();
  return TYPE_OF_WORD[lower] ?? lower.charAt(0).toUpperCase() + lower.slice(1);
}

/**
 * The one rule for ids in audit summaries: a database id (a positive integer) under a key ending in
 * `Id` or `Ids` (or inside such a key's value, e.g. `{ from, to }` of an edit) becomes the global id of
 * the type the key names, so clients resolve it with `node(id:)`. Global ids (strings) stay as they
 * are. Applied when an entry is written and again when one is read, so entries written before the
 * rule read the same.
 */
export function globalIdsIn(value: unknown, typeName: string | null = null): unknown {
  if (typeof value === 'number')
    return typeName !== null && Number.isSafeInteger(value) && value > 0
      ? toGlobalId(typeName, value)
      : value;
  if (Array.isArray(value)) return value.map((item) => globalIdsIn(item, typeName));
  if (value !== null && typeof value === 'object') {
    const converted: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      converted[key] = globalIdsIn(item, typeOfIdKey(key) ?? typeName);
    return converted;
  }
  return value;
}

/**
 * Queues an audit entry in the actor's unit of work; it is written by the same flush (and so the
 * same transaction) as the change it records. Call it before the flush that commits the change.
 */
export function recordAudit(
  actor: Actor,
  action: string,
  subject: Node,
  summary: Record<string, unknown> = {},
): AuditEntry {
  const viewer = actor.viewer;
  const entry = actor.em.create(AuditEntry, {
    actor: viewer ? ref(actor.em.getReference(User, viewer.userId)) : null,
    actorRoles: viewer ? [...viewer.roles] : [],
    action,
    subjectId: subject.globalId(),
    subjectType: subject.nodeTypeName(),
    summary: globalIdsIn(summary) as Record<string, unknown>,
    requestId: actor.requestId,
  });
  actor.em.persist(entry);
  return entry;
}
