/**
 * The pure rules of `applicationDecided` (application-feed.service.ts): which events a follower's
 * stream listens to, and which decided applications reach them.
 *
 * @module
 */
import type { EntitySpec } from '../../core/events/match-index.js';
import { Topic } from '../../core/events/outbox.js';

/** The match spec of an organization's decisions: the entity key is the organization's id. */
export function applicationDecisionSpec(organizationId: number): EntitySpec {
  return { kind: 'entity', topic: Topic.APPLICATION_DECIDED, entityId: organizationId };
}

/**
 * Whether a decided application goes to a subscriber following `organizationId` (narrowed to
 * `projectId` when given): its applicant must be that organization, of which the viewer is (still)
 * a member.
 */
export function decisionConcerns(
  application: { organizationId: number; projectId: number },
  follower: { organizationId: number; projectId: number | null; memberOf: (id: number) => boolean },
): boolean {
  return (
    application.organizationId === follower.organizationId &&
    follower.memberOf(application.organizationId) &&
    (follower.projectId === null || application.projectId === follower.projectId)
  );
}
