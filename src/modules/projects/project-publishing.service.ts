import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { ProjectApplication } from './application.entity.js';
import { Project, ProjectAmendment } from './project.entity.js';
import { ApplicationStatus, ProjectStatus } from './project.enums.js';
import type { CancelProjectInput, PublishProjectInput, UpdateProjectInput } from './project.inputs.js';
import { assertProjectInScope, type ProjectAccess } from './project.policy.js';
import { announceDecisions, announcePublished } from './project-events.js';
import type { ProjectFairnessFlag } from './fairness-flag.entity.js';
import { flagsAudited, type ProjectFairnessService } from './project-fairness.service.js';
import {
  assertBudgetCoversApplications,
  assertPeriod,
  assertReadyToPublish,
  type ProjectFields,
} from './project-fields.js';
import {
  CLOSE_BATCH,
  closeApplicationPeriods,
  PENDING_APPLICATION_STATUSES,
  transition,
} from './project-transitions.js';

/**
 * Planning and tender: publishing, editing (amending once published) and cancelling projects, and
 * closing the application periods that have ended (the sweep).
 */
export class ProjectPublishingService {
  constructor(
    private readonly access: ProjectAccess,
    private readonly fields: ProjectFields,
    private readonly fairness: ProjectFairnessService,
  ) {}

  /**
   * Creates a project (DRAFT, or PUBLISHED at once), or applies the given fields to an existing
   * DRAFT and publishes it. Publishing writes the `project.published` event in the same transaction.
   */
  async publish(actor: Actor, input: PublishProjectInput): Promise<Project> {
    const viewer = requireViewer(actor.viewer);
    return actor.em.transactional(async (em) => {
      const publisherId = await this.access.requirePublisherId(em, viewer);
      let project: Project;
      if (input.projectId) {
        project = await this.access.requireOwnProject(em, viewer, input.projectId, 'input.projectId');
        if (project.status !== ProjectStatus.DRAFT)
          throw new ConflictError(`Only a DRAFT can be published; this project is ${project.status}.`);
        await this.fields.applyFields({ ...actor, em }, project, input);
      } else {
        project = await this.fields.createDraft({ ...actor, em }, publisherId, input);
      }
      await assertProjectInScope(em, viewer, project);
      assertPeriod(project);
      const published = input.publish;
      let flags: ProjectFairnessFlag[] = [];
      if (published) {
        await assertReadyToPublish(em, project);
        project.status = ProjectStatus.PUBLISHED;
        project.publishedAt = new Date();
        flags = this.fairness.atPublication({ ...actor, em }, project, input.fairnessRationale);
      }
      await em.flush(); // ids for the audit subject and the event
      recordAudit({ ...actor, em }, 'publishProject', project, {
        status: project.status,
        title: project.title,
        budgetFen: project.budgetFen,
        ...flagsAudited(flags, input.fairnessRationale),
      });
      await em.flush();
      if (published) await announcePublished(em, project);
      return project;
    });
  }

  /**
   * Edits a project. A DRAFT changes freely. A PUBLISHED project changes only with a rationale, and
   * each change is kept as a public amendment. Later statuses are fixed (CONFLICT).
   */
  async update(
    actor: Actor,
    input: UpdateProjectInput,
  ): Promise<{ project: Project; amendment: ProjectAmendment | null }> {
    const viewer = requireViewer(actor.viewer);
    return actor.em.transactional(async (em) => {
      const id = parseIdOf('Project', input.projectId, 'input.projectId');
      await closeApplicationPeriods(em, new Date(), { projectId: id, requestId: actor.requestId });
      const project = await this.access.requireOwnProject(em, viewer, input.projectId, 'input.projectId');
      if (project.status !== ProjectStatus.DRAFT && project.status !== ProjectStatus.PUBLISHED)
        throw new ConflictError(`A ${project.status} project can no longer be changed.`);
      const amending = project.status === ProjectStatus.PUBLISHED;
      if (amending && !input.rationale?.trim())
        throw BadUserInputError.field('input.rationale', 'is required to amend a published project');
      if (amending && input.procurementMethod && input.procurementMethod !== project.procurementMethod)
        throw BadUserInputError.field('input.procurementMethod', 'cannot change after publication');
      const changes = await this.fields.applyFields({ ...actor, em }, project, input);
      await assertProjectInScope(em, viewer, project);
      assertPeriod(project);
      if (amending) {
        if (Object.keys(changes).length === 0)
          throw new BadUserInputError([], 'The amendment changes nothing.');
        if (changes.applicationClosesAt && project.applicationClosesAt.getTime() <= Date.now())
          throw BadUserInputError.field('input.applicationClosesAt', 'must be in the future');
        if (changes.budgetFen) await assertBudgetCoversApplications(em, project);
        await assertReadyToPublish(em, project);
      }
      let amendment: ProjectAmendment | null = null;
      let flags: ProjectFairnessFlag[] = [];
      if (amending) {
        amendment = em.create(ProjectAmendment, {
          project: ref(project),
          rationale: input.rationale!.trim(),
          changes,
          amendedBy: ref(em.getReference(User, viewer.userId)),
        });
        flags = this.fairness.atAmendment(
          { ...actor, em },
          project,
          changes.allowedFoundingTypes ? project.allowedFoundingTypes : null,
          input.fairnessRationale,
          amendment.createdAt,
        );
      }
      recordAudit({ ...actor, em }, 'updateProject', project, {
        changes,
        rationale: input.rationale ?? null,
        ...flagsAudited(flags, input.fairnessRationale),
      });
      await em.flush();
      return { project, amendment };
    });
  }

  /**
   * CANCELLED from any open status, or UNSUCCESSFUL (no award) from EVALUATING, with a reason.
   * Applications still in the running are rejected, and each applicant hears of it
   * (`applicationDecided`); awarded ones keep their record (a terminated contract).
   */
  async cancel(actor: Actor, input: CancelProjectInput): Promise<Project> {
    const to = input.unsuccessful ? ProjectStatus.UNSUCCESSFUL : ProjectStatus.CANCELLED;
    let rejected: ProjectApplication[] = [];
    return transition(
      this.access,
      actor,
      input.projectId,
      to,
      'cancelProject',
      async (em, project) => {
        project.statusReason = input.reason.trim();
        project.closedAt = new Date();
        // The status change above locked the project row: no application can join or leave meanwhile.
        rejected = await em.find(
          ProjectApplication,
          { project: project.id, status: { $in: PENDING_APPLICATION_STATUSES } },
          { orderBy: { id: 'asc' } },
        );
        for (const application of rejected) application.status = ApplicationStatus.REJECTED;
        return { reason: project.statusReason, rejected: rejected.length };
      },
      (em, project) => announceDecisions(em, project, rejected),
    );
  }

  /** Closes the periods that have ended, in batches, in transactions of their own (the sweep). */
  async closeEndedApplicationPeriods(em: EntityManager, now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const closed = await em
        .fork()
        .transactional((tx) => closeApplicationPeriods(tx, now, { requestId: `sweep-${now.toISOString()}` }));
      total += closed.length;
      if (closed.length < CLOSE_BATCH) return total;
    }
  }
}
