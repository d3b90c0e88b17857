import { ref } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import type { Node } from '../../core/relay/node.js';
import { User } from '../accounts/user.entity.js';
import { AuditEntry } from './audit-entry.entity.js';

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
    summary,
    requestId: actor.requestId,
  });
  actor.em.persist(entry);
  return entry;
}
