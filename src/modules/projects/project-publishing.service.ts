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
import type {
  CancelProjectInput,
  PlanProjectInput,
  PublishProjectInput,
  UpdateProjectInput,
} from './project.inputs.js';
import { checkCriteria, sameCriteria } from './project-criteria.js';
import { assertProjectInScope, type ProjectAccess } from './project.policy.js';
import { announceDecisions, announcePublished } from './project-events.js';
import type { ProjectFairnessFlag } from './fairness-flag.entity.js';
import { flagsAudited, type ProjectFairnessService } from './project-fairness.service.js';
import {
  assertBudgetCoversApplications,
  assertPeriod,
  assertReadyToPublish,
  type Changes,
  type ProjectFields,
} from './project-fields.js';
import {
  claimTransition,
  CLOSE_BATCH,
  closeApplicationPeriods,
  PENDING_APPLICATION_STATUSES,
  transition,
} from './project-transitions.js';
import { createOnce, type RetryKey } from '../../core/idempotency/retry-key.js';

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
   * DRAFT or PLANNED project and publishes it. Publishing writes the `project.published` event in the
   * same transaction.
   */
  publish(actor: Actor, input: PublishProjectInput): Promise<Project> {
    return createOnce(
      actor,
      'publishProject',
      input,
      (key) =>
        this.announce(actor, input, input.publish ? ProjectStatus.PUBLISHED : ProjectStatus.DRAFT, key),
      (id) => actor.em.findOneOrFail(Project, { id }),
    );
  }

  /**
   * Announces a plan (采购意向): a new project, or an existing DRAFT, becomes PLANNED — public, with
   * what it announced kept as its plan — and is pushed as a published one is (`project.published`:
   * the `projectPublished` feed, notifications and webhooks select the eligible organizations).
   */
  plan(actor: Actor, input: PlanProjectInput): Promise<Project> {
    return createOnce(
      actor,
      'planProject',
      input,
      (key) => this.announce(actor, { ...input, publish: true }, ProjectStatus.PLANNED, key),
      (id) => actor.em.findOneOrFail(Project, { id }),
    );
  }

  private async announce(
    actor: Actor,
    input: PublishProjectInput,
    to: ProjectStatus.DRAFT | ProjectStatus.PLANNED | ProjectStatus.PUBLISHED,
    key: RetryKey | null,
  ): Promise<Project> {
    const viewer = requireViewer(actor.viewer);
    return actor.em.transactional(async (em) => {
      const publisherId = await this.access.requirePublisherId(em, viewer);
      let project: Project;
      let fromPlan: Changes | null = null;
      if (input.projectId) {
        project = await this.access.requireOwnProject(em, viewer, input.projectId, 'input.projectId');
        const from = project.status;
        if (
          from !== ProjectStatus.DRAFT &&
          !(from === ProjectStatus.PLANNED && to === ProjectStatus.PUBLISHED)
        )
          throw new ConflictError(
            to === ProjectStatus.PLANNED
              ? `Only a DRAFT can be announced as a plan; this project is ${from}.`
              : from === ProjectStatus.PLANNED
                ? 'A PLANNED project is published as a tender (publish: true) or cancelled; it is not a draft again.'
                : `Only a DRAFT or PLANNED project can be published; this project is ${from}.`,
            { status: from },
          );
        const changes = await this.fields.applyFields({ ...actor, em }, project, input);
        if (from === ProjectStatus.PLANNED) fromPlan = changes;
      } else {
        project = await this.fields.createDraft({ ...actor, em }, publisherId, input);
      }
      if (input.criteria) project.criteria = checkCriteria(input.criteria, 'input.criteria');
      await assertProjectInScope(em, viewer, project);
      assertPeriod(project);
      let flags: ProjectFairnessFlag[] = [];
      if (to !== ProjectStatus.DRAFT) {
        await assertReadyToPublish(em, project);
        // Guarded: of two staff announcing one draft at once, one wins and the other gets CONFLICT.
        if (input.projectId) await claimTransition(em, project, to);
        project.status = to;
      }
      if (to === ProjectStatus.PUBLISHED) {
        project.publishedAt = new Date();
        // A plan raises no flag: the tender it becomes does, when it is published.
        flags = this.fairness.atPublication({ ...actor, em }, project, input.fairnessRationale);
      }
      if (to === ProjectStatus.PLANNED)
        project.plan = {
          budgetFen: project.budgetFen,
          applicationOpensAt: project.applicationOpensAt.toISOString(),
          applicationClosesAt: project.applicationClosesAt.toISOString(),
          announcedAt: new Date().toISOString(),
        };
      await em.flush(); // ids for the audit subject and the event
      recordAudit(
        { ...actor, em },
        to === ProjectStatus.PLANNED ? 'planProject' : 'publishProject',
        project,
        {
          status: project.status,
          title: project.title,
          budgetFen: project.budgetFen,
          ...(project.criteria.length ? { criteria: project.criteria } : {}),
          // What the tender changed of the plan it was announced as (the plan itself is kept).
          ...(fromPlan ? { changedFromPlan: fromPlan } : {}),
          ...flagsAudited(flags, input.fairnessRationale),
        },
      );
      await em.flush();
      if (to !== ProjectStatus.DRAFT) await announcePublished(em, project);
      await key?.record(em, project.id);
      return project;
    });
  }

  /**
   * Edits a project. A DRAFT changes freely. A PUBLISHED project changes only with a rationale, and
   * each change is kept as a public amendment. Award criteria, once an application is made, change
   * only by an amendment that also sets a later closing date in the future: it extends the period, or
   * reopens it (EVALUATING → PUBLISHED, the scores given so far cleared). Later statuses are fixed
   * (CONFLICT).
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
      const criteria = input.criteria ? checkCriteria(input.criteria, 'input.criteria') : null;
      const changesCriteria = criteria !== null && !sameCriteria(criteria, project.criteria);
      const reopening = project.status === ProjectStatus.EVALUATING && changesCriteria;
      if (project.status !== ProjectStatus.DRAFT && project.status !== ProjectStatus.PUBLISHED && !reopening)
        throw new ConflictError(
          project.status === ProjectStatus.EVALUATING
            ? 'An EVALUATING project changes only by an amendment of its award criteria that reopens the application period.'
            : `A ${project.status} project can no longer be changed.`,
        );
      const amending = project.status !== ProjectStatus.DRAFT;
      if (amending && !input.rationale?.trim())
        throw BadUserInputError.field('input.rationale', 'is required to amend a published project');
      if (amending && input.procurementMethod && input.procurementMethod !== project.procurementMethod)
        throw BadUserInputError.field('input.procurementMethod', 'cannot change after publication');
      const closedBefore = project.applicationClosesAt.getTime();
      const changes = await this.fields.applyFields({ ...actor, em }, project, input);
      if (changesCriteria) {
        if (amending) await this.assertCriteriaMayChange(em, project, closedBefore);
        changes.criteria = { from: project.criteria, to: criteria };
        project.criteria = criteria;
      }
      await assertProjectInScope(em, viewer, project);
      assertPeriod(project);
      let scoresCleared = 0;
      if (amending) {
        if (Object.keys(changes).length === 0)
          throw new BadUserInputError([], 'The amendment changes nothing.');
        if (changes.applicationClosesAt && project.applicationClosesAt.getTime() <= Date.now())
          throw BadUserInputError.field('input.applicationClosesAt', 'must be in the future');
        if (changes.budgetFen) await assertBudgetCoversApplications(em, project);
        await assertReadyToPublish(em, project);
        if (reopening) {
          await claimTransition(em, project, ProjectStatus.PUBLISHED);
          changes.status = { from: ProjectStatus.EVALUATING, to: ProjectStatus.PUBLISHED };
        }
        // Scores against the old criteria mean nothing against the new ones.
        if (changesCriteria)
          scoresCleared = await em.nativeUpdate(
            ProjectApplication,
            { project: project.id, scores: { $ne: null } },
            { scores: null, weightedScoreCenti: null, scoredAt: null },
          );
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
        ...(reopening ? { reopened: true } : {}),
        ...(scoresCleared ? { scoresCleared } : {}),
        ...flagsAudited(flags, input.fairnessRationale),
      });
      await em.flush();
      // A reopened tender is news to every eligible organization again, at the same moment.
      if (reopening) await announcePublished(em, project);
      return { project, amendment };
    });
  }

  /**
   * Criteria that organizations may have applied against change only with a new closing date later
   * than the old one and in the future, so every organization can apply, or withdraw and apply
   * again, against the new ones. The project row is locked first: `apply` holds it shared while it
   * inserts, so no application slips in between the count and the change.
   */
  private async assertCriteriaMayChange(
    em: EntityManager,
    project: Project,
    closedBefore: number,
  ): Promise<void> {
    await em.execute(`select 1 from "project" where "id" = ? for update`, [project.id]);
    const applications = await em.count(ProjectApplication, { project: project.id });
    if (applications === 0) return;
    const closes = project.applicationClosesAt.getTime();
    if (closes <= closedBefore || closes <= Date.now())
      throw new BadUserInputError(
        [
          {
            path: 'input.criteria',
            message:
              'cannot change once an application is made, unless the amendment also sets applicationClosesAt later than before and in the future (reopening the period)',
          },
        ],
        `The award criteria are fixed since the first application (${applications} so far); change them only with an amendment that reopens the application period (a later applicationClosesAt in the future).`,
      );
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
