import type { EntityManager } from '@mikro-orm/postgresql';
import { emitEvent, Topic } from '../../core/events/outbox.js';
import { Region } from '../regions/region.entity.js';
import { ProjectApplication } from './application.entity.js';
import type { Project } from './project.entity.js';

/*
 * The outbox events of projects (`project.published`, APPLICATION_PERIOD_CLOSED, APPLICATION_DECIDED,
 * `project.awarded`) and what they match on.
 */

/** The project's regions, through the identity map when already loaded. */
export function regionsOf(em: EntityManager, project: Project): Promise<Region[]> {
  return em.find(Region, { code: { $in: project.regionCodes } });
}

/** Writes the `project.published` outbox event: last in the transaction (see emitEvent). */
export async function announcePublished(em: EntityManager, project: Project): Promise<void> {
  await announce(em, Topic.PROJECT_PUBLISHED, project);
}

/** Writes the APPLICATION_PERIOD_CLOSED outbox event: last in the transaction (see emitEvent). */
export async function announcePeriodClosed(em: EntityManager, project: Project): Promise<void> {
  await announce(em, Topic.APPLICATION_PERIOD_CLOSED, project);
}

async function announce(em: EntityManager, topic: Topic, project: Project): Promise<void> {
  await emitEvent(em, {
    topic,
    entityId: project.id,
    categoryPath: project.categoryPath,
    regionPath: await regionPathOf(em, project),
    targetGroups: project.targetGroups,
  });
}

/**
 * Writes the `project.awarded` outbox event: after the award's decisions (so each applicant's
 * decided application has a `decidedSeq` below it), last in the transaction (see emitEvent).
 */
export async function announceAwarded(em: EntityManager, project: Project): Promise<void> {
  await emitEvent(em, {
    topic: Topic.PROJECT_AWARDED,
    entityId: project.id,
    categoryPath: project.categoryPath,
    regionPath: await regionPathOf(em, project),
    targetGroups: project.targetGroups,
  });
}

/** The project's regions' codes, provinces first: what its events are matched on. */
async function regionPathOf(em: EntityManager, project: Project): Promise<string[]> {
  const regions = await regionsOf(em, project);
  return [...new Set(regions.sort((a, b) => a.path.length - b.path.length).flatMap((r) => r.path))];
}

/**
 * Writes one APPLICATION_DECIDED outbox event per decided application (AWARDED or REJECTED),
 * keyed by the applicant organization, and records its seq on the application (`decidedSeq`), so
 * the organization's `applicationDecided` stream finds the application of each event. The rows
 * must be flushed already; call it last in the transaction (see emitEvent).
 */
export async function announceDecisions(
  em: EntityManager,
  project: Project,
  decided: readonly ProjectApplication[],
): Promise<void> {
  if (decided.length === 0) return;
  const regionPath = await regionPathOf(em, project);
  for (const application of [...decided].sort((a, b) => a.id - b.id)) {
    const seq = await emitEvent(em, {
      topic: Topic.APPLICATION_DECIDED,
      entityId: application.organization.id,
      categoryPath: project.categoryPath,
      regionPath,
      targetGroups: project.targetGroups,
    });
    await em.nativeUpdate(ProjectApplication, { id: application.id }, { decidedSeq: seq });
  }
}

/**
 * Writes a contract's outbox event (MILESTONE_REPORTED, MILESTONE_ACCEPTED, MILESTONE_RETURNED keyed by
 * the milestone, CONTRACT_PAYMENT_RECORDED by the payment), matched on the project's paths: last in
 * the transaction (see emitEvent).
 */
export async function announceContractEvent(
  em: EntityManager,
  topic: Topic,
  entityId: number,
  project: Project,
): Promise<void> {
  await emitEvent(em, {
    topic,
    entityId,
    categoryPath: project.categoryPath,
    regionPath: await regionPathOf(em, project),
    targetGroups: project.targetGroups,
  });
}

/**
 * Writes the PROJECT_CLARIFIED outbox event of an answered clarification question: matched like
 * `project.published`, so the notification worker tells every eligible organization in one round.
 * Last in the transaction (see emitEvent).
 */
export async function announceClarified(em: EntityManager, project: Project): Promise<void> {
  await announce(em, Topic.PROJECT_CLARIFIED, project);
}
