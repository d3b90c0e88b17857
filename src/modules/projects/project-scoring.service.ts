import { LockMode } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { ProjectApplication } from './application.entity.js';
import { ProjectStatus } from './project.enums.js';
import type { ScoreApplicationInput } from './project.inputs.js';
import type { ProjectAccess } from './project.policy.js';
import { checkScores } from './project-criteria.js';
import { closeApplicationPeriods, PENDING_APPLICATION_STATUSES } from './project-transitions.js';

/** Shortlisting's scores: the publisher's staff score applications against the award criteria. */
export class ProjectScoringService {
  constructor(private readonly access: ProjectAccess) {}

  /**
   * Scores an application still in the running (SUBMITTED or SHORTLISTED) of an EVALUATING project
   * on every criterion, replacing earlier scores; the audit entry keeps what it replaced. The
   * project row is held shared (an award or a cancellation waits, and cannot start between the
   * check and the write) and the application row exclusively: two staff scoring one application at
   * once are applied one after the other, the later one replacing the earlier (both audited, each
   * naming the scores it replaced) — last writer wins, nothing is lost from the trail.
   */
  async score(actor: Actor, input: ScoreApplicationInput): Promise<ProjectApplication> {
    const viewer = requireViewer(actor.viewer);
    const id = parseIdOf('ProjectApplication', input.applicationId, 'input.applicationId');
    return actor.em.transactional(async (em) => {
      const found = await em.findOne(ProjectApplication, { id });
      if (!found) throw new NotFoundError('ProjectApplication', input.applicationId);
      const projectId = found.project.id;
      await closeApplicationPeriods(em, new Date(), { projectId, requestId: actor.requestId });
      await em.execute(`select 1 from "project" where "id" = ? for share`, [projectId]);
      // The publisher's staff only; anyone else learns nothing about the application (NOT_FOUND).
      const project = await found.project.loadOrFail();
      await em.refresh(project);
      if (!(await this.access.isPublisherStaff({ em, viewer }, project)))
        throw new NotFoundError('ProjectApplication', input.applicationId);
      if (project.status !== ProjectStatus.EVALUATING)
        throw new ConflictError(
          `Applications are scored while the project is EVALUATING; it is ${project.status}.`,
          { status: project.status },
        );
      if (project.criteria.length === 0)
        throw new ConflictError('This project declared no award criteria to score against.');
      const { scores, weightedScoreCenti } = checkScores(project.criteria, input.scores, 'input.scores');
      const application = await em.findOneOrFail(
        ProjectApplication,
        { id },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      if (!PENDING_APPLICATION_STATUSES.includes(application.status))
        throw new ConflictError(`A ${application.status} application is no longer scored.`, {
          status: application.status,
        });
      const replaced = application.scores ?? null;
      application.scores = scores;
      application.weightedScoreCenti = weightedScoreCenti;
      application.scoredAt = new Date();
      recordAudit({ ...actor, em }, 'scoreApplication', application, {
        scores,
        weightedScore: weightedScoreCenti / 100,
        replaced,
      });
      await em.flush();
      return application;
    });
  }
}
