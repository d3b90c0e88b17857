import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { ConflictError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { ProjectApplication } from './application.entity.js';
import { Project } from './project.entity.js';
import { ApplicationStatus, ProjectStatus } from './project.enums.js';
import { statusesThatMayBecome } from './project-lifecycle.js';
import { announcePeriodClosed } from './project-events.js';
import type { ProjectAccess } from './project.policy.js';

/** Applications still in the running: they may be withdrawn, shortlisted, awarded or rejected. */
export const PENDING_APPLICATION_STATUSES = [ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED];

/*
 * Guarded status changes of projects and applications. Every status change is a conditional UPDATE
 * guarded by the lifecycle table, so two staff racing on the same project cannot both win.
 */

/** Projects each sweep pass closes per transaction; the next pass takes the rest. */
export const CLOSE_BATCH = 500;

/**
 * Writes the close of application periods that have ended by `now`: PUBLISHED → EVALUATING, with
 * an audit entry (actor: the system, `requestId` of whoever ran it) and an APPLICATION_PERIOD_CLOSED
 * event each, like every other status change. Reads never call it: they present the status by the
 * clock (`projectStatusAt`). The sweep calls it for all projects (rows locked by a running mutation
 * are skipped and taken next time); a mutation that depends on the close calls it for its project
 * first, in its own transaction, waiting for the row. Returns the ids closed.
 */
export async function closeApplicationPeriods(
  em: EntityManager,
  now: Date,
  { projectId, requestId }: { projectId?: number; requestId: string },
): Promise<number[]> {
  const rows = await em.execute<{ id: number }[]>(
    `update "project" set "status" = 'EVALUATING', "updated_at" = now()
      where "id" in (
        select "id" from "project"
         where "status" = 'PUBLISHED' and "application_closes_at" <= ?` +
      (projectId === undefined
        ? ` order by "id" limit ${CLOSE_BATCH} for update skip locked)`
        : ` and "id" = ? for update)`) +
      ` returning "id"`,
    projectId === undefined ? [now] : [now, projectId],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const closed = await em.find(Project, { id: { $in: ids } }, { orderBy: { id: 'asc' } });
  const actor: Actor = { em, viewer: null, requestId };
  for (const project of closed) {
    // The UPDATE above bypassed the identity map: a project loaded earlier still says PUBLISHED.
    project.status = ProjectStatus.EVALUATING;
    recordAudit(actor, 'project.applicationPeriodClose', project, {
      from: ProjectStatus.PUBLISHED,
      to: ProjectStatus.EVALUATING,
    });
  }
  await em.flush();
  for (const project of closed) await announcePeriodClosed(em, project);
  return ids;
}

/** A staff-only status change of a project, guarded, audited, in one transaction. */
export async function transition(
  access: ProjectAccess,
  actor: Actor,
  projectGlobalId: string,
  to: ProjectStatus,
  action: string,
  apply: (em: EntityManager, project: Project) => Promise<Record<string, unknown>>,
  /** Writes the change's outbox events, after its rows (see emitEvent). */
  announce?: (em: EntityManager, project: Project) => Promise<void>,
): Promise<Project> {
  const viewer = requireViewer(actor.viewer);
  return actor.em.transactional(async (em) => {
    const id = parseIdOf('Project', projectGlobalId, 'input.projectId');
    await closeApplicationPeriods(em, new Date(), { projectId: id, requestId: actor.requestId });
    const project = await access.requireOwnProject(em, viewer, projectGlobalId, 'input.projectId');
    const from = project.status;
    assertMayBecome(project, to);
    await claimTransition(em, project, to);
    const summary = await apply(em, project);
    recordAudit({ ...actor, em }, action, project, { from, to, ...summary });
    await em.flush();
    await announce?.(em, project);
    return project;
  });
}

export function assertMayBecome(project: Project, to: ProjectStatus): void {
  if (!project.mayBecome(to))
    throw new ConflictError(`A ${project.status} project cannot become ${to}.`, { status: project.status });
}

/**
 * The guarded UPDATE: changes the row only if it is still in a status that may become `to`. Zero
 * rows means another transaction moved it first.
 */
export async function claimTransition(em: EntityManager, project: Project, to: ProjectStatus): Promise<void> {
  const changed = await em.nativeUpdate(
    Project,
    { id: project.id, status: { $in: statusesThatMayBecome(to) } },
    { status: to },
  );
  if (changed === 0)
    throw new ConflictError('Someone else changed this project at the same moment; reload it.');
  project.status = to;
}

/** Locks the project row against concurrent award/cancel and checks the tender is still undecided. */
export async function lockOpenTender(em: EntityManager, projectId: number, requestId: string): Promise<void> {
  await closeApplicationPeriods(em, new Date(), { projectId, requestId });
  const rows = await em.execute<{ status: ProjectStatus }[]>(
    `select "status" from "project" where "id" = ? for share`,
    [projectId],
  );
  const status = rows[0]?.status;
  if (status !== ProjectStatus.PUBLISHED && status !== ProjectStatus.EVALUATING)
    throw new ConflictError(`The tender is decided or closed (the project is ${status ?? 'gone'}).`);
}

export async function moveApplication(
  em: EntityManager,
  application: ProjectApplication,
  from: readonly ApplicationStatus[],
  to: ApplicationStatus,
): Promise<void> {
  const changed = await em.nativeUpdate(
    ProjectApplication,
    { id: application.id, status: { $in: [...from] } },
    { status: to },
  );
  if (changed === 0)
    throw new ConflictError(`An application that is ${application.status} cannot become ${to}.`, {
      status: application.status,
    });
  application.status = to;
}
