import { ref } from '@mikro-orm/core';
import type { Actor, Context } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { viewerFactsOf } from '../organizations/viewer-facts.js';
import { ProjectQuestion } from './clarification.entity.js';
import type { AnswerProjectQuestionInput, AskProjectQuestionInput } from './clarification.inputs.js';
import { Project, ProjectAmendment } from './project.entity.js';
import { ProjectStatus } from './project.enums.js';
import type { ProjectAccess } from './project.policy.js';
import type { ProjectApplicationsService } from './project-applications.service.js';
import { announceClarified } from './project-events.js';
import { closeApplicationPeriods } from './project-transitions.js';
import { createOnce, type RetryKey } from '../../core/idempotency/retry-key.js';

/** Statuses in which a question asked during the tender may still be answered. */
const ANSWERABLE_STATUSES: readonly ProjectStatus[] = [ProjectStatus.PUBLISHED, ProjectStatus.EVALUATING];

/**
 * Clarifications (澄清) during a tender: an eligible organization's member asks, the publisher's
 * staff answer once; the answer is public (`Project.clarifications`) and reaches every eligible
 * organization in one notification round (equal notice); an answer that changes the terms is also
 * an amendment. docs/domain.md, "Clarifications and complaints".
 */
export class ProjectClarificationsService {
  constructor(
    private readonly access: ProjectAccess,
    private readonly applications: ProjectApplicationsService,
  ) {}

  /**
   * A member of an organization asks, while the tender is open (PUBLISHED, before its close by the
   * database clock), if the organization is eligible for the project as `applyToProject` judges
   * (FORBIDDEN with `extensions.reason` otherwise). The project row is share-locked meanwhile, so the
   * period cannot close or the project be cancelled between the check and the insert.
   */
  ask(actor: Actor, input: AskProjectQuestionInput): Promise<ProjectQuestion> {
    return createOnce(
      actor,
      'askProjectQuestion',
      input,
      (key) => this.askOnce(actor, input, key),
      (id) => actor.em.findOneOrFail(ProjectQuestion, { id }),
    );
  }

  private async askOnce(
    actor: Actor,
    input: AskProjectQuestionInput,
    key: RetryKey | null,
  ): Promise<ProjectQuestion> {
    const viewer = requireViewer(actor.viewer);
    const projectId = parseIdOf('Project', input.projectId, 'input.projectId');
    const organizationId = parseIdOf('Organization', input.organizationId, 'input.organizationId');
    if (!viewer.memberships.has(organizationId))
      throw new ForbiddenError("Only the organization's members ask on its behalf.");
    return actor.em.transactional(async (em) => {
      await closeApplicationPeriods(em, new Date(), { projectId, requestId: actor.requestId });
      const [row] = await em.execute<{ status: ProjectStatus; closed: boolean }[]>(
        `select "status", now() >= "application_closes_at" as "closed" from "project" where "id" = ? for share`,
        [projectId],
      );
      const project = row ? await em.findOneOrFail(Project, { id: projectId }) : null;
      if (!project || !row || !(await this.access.canSee({ em, viewer }, project)))
        throw new NotFoundError('Project', input.projectId);
      if (row.status !== ProjectStatus.PUBLISHED || row.closed)
        throw new ConflictError(
          `Questions are taken while the tender is open; this project is ${row.closed ? ProjectStatus.EVALUATING : row.status}.`,
          { status: row.closed ? ProjectStatus.EVALUATING : row.status },
        );
      const organization = await em.findOne(Organization, { id: organizationId });
      if (!organization) throw new NotFoundError('Organization', input.organizationId);
      const verdict = await this.applications.eligibilityOf(em, project, organization);
      if (!verdict.eligible) throw new ForbiddenError(verdict.message, { reason: verdict.reason });
      const question = em.create(ProjectQuestion, {
        project: ref(project),
        organization: ref(organization),
        askedBy: ref(em.getReference(User, viewer.userId)),
        question: input.question,
      });
      await em.flush();
      recordAudit({ ...actor, em }, 'askProjectQuestion', question, {
        project: project.globalId(),
        organization: organization.globalId(),
      });
      await em.flush();
      await key?.record(em, question.id);
      return question;
    });
  }

  /**
   * The publisher's staff answer a question once, while the tender is open or under evaluation (an
   * answer that changes the terms only while it is open: it is an amendment, recorded with the answer
   * as its rationale). Of two answers at once, the conditional UPDATE lets one win; the other gets
   * CONFLICT. The PROJECT_CLARIFIED event goes out last in the same transaction.
   */
  async answer(
    actor: Actor,
    input: AnswerProjectQuestionInput,
  ): Promise<{ question: ProjectQuestion; project: Project; amendment: ProjectAmendment | null }> {
    const viewer = requireViewer(actor.viewer);
    const id = parseIdOf('ProjectQuestion', input.questionId, 'input.questionId');
    return actor.em.transactional(async (em) => {
      const question = await em.findOne(ProjectQuestion, { id });
      if (!question) throw new NotFoundError('Question', input.questionId);
      const projectId = question.project.id;
      await closeApplicationPeriods(em, new Date(), { projectId, requestId: actor.requestId });
      const [row] = await em.execute<{ status: ProjectStatus }[]>(
        `select "status" from "project" where "id" = ? for share`,
        [projectId],
      );
      const project = await em.findOneOrFail(Project, { id: projectId });
      await this.access.assertStaffOf(em, viewer, project);
      const status = row!.status;
      if (!ANSWERABLE_STATUSES.includes(status))
        throw new ConflictError(`Questions are answered during the tender; this project is ${status}.`, {
          status,
        });
      if (input.changesTerms && status !== ProjectStatus.PUBLISHED)
        throw new ConflictError(
          'An answer that changes the terms is an amendment, made only while the tender is open.',
          { status },
        );
      const answeredAt = new Date();
      const claimed = await em.nativeUpdate(
        ProjectQuestion,
        { id, answer: null },
        { answer: input.answer, answeredAt, answeredBy: viewer.userId, changesTerms: input.changesTerms },
      );
      if (claimed === 0) throw new ConflictError('This question has already been answered.');
      let amendment: ProjectAmendment | null = null;
      if (input.changesTerms) {
        amendment = em.create(ProjectAmendment, {
          project: ref(project),
          rationale: input.answer,
          // No field of the project changed: the answer itself is the new term.
          changes: { clarification: { from: null, to: question.globalId() } },
          amendedBy: ref(em.getReference(User, viewer.userId)),
        });
        await em.flush();
        await em.nativeUpdate(ProjectQuestion, { id }, { amendment: amendment.id });
      }
      recordAudit({ ...actor, em }, 'answerProjectQuestion', project, {
        question: question.globalId(),
        changesTerms: input.changesTerms,
        amendment: amendment?.globalId() ?? null,
      });
      await em.flush();
      await em.refresh(question);
      await announceClarified(em, project);
      return { question, project, amendment };
    });
  }

  /** Answered questions of a project, in the order they were answered: public with the project. */
  clarifications(ctx: Context, project: Project): Promise<ProjectQuestion[]> {
    return ctx.loaders.clarifications.answered.load(project.id);
  }

  /**
   * Questions not answered yet: for the publisher's staff (who answer them) and admins; empty for
   * everyone else.
   */
  async openQuestions(ctx: Context, project: Project): Promise<ProjectQuestion[]> {
    const mayRead =
      viewerFactsOf(ctx.viewer)?.isAdmin === true || (await this.access.isPublisherStaff(ctx, project));
    return mayRead ? ctx.loaders.clarifications.open.load(project.id) : [];
  }

  /** `node(id)`: an answered question to anyone who sees its project; an open one as `openQuestions`. */
  async get(ctx: Context, id: number): Promise<ProjectQuestion | null> {
    const question = await ctx.em.findOne(ProjectQuestion, { id });
    if (!question) return null;
    const project = await question.project.loadOrFail({ dataloader: true });
    if (!(await this.access.canSee(ctx, project))) return null;
    if (question.answer != null) return question;
    return (await this.openQuestions(ctx, project)).some((q) => q.id === id) ? question : null;
  }
}
