import type { EntityManager } from '@mikro-orm/postgresql';
import { ref, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { MemberRole } from '../organizations/organization.enums.js';
import { ProjectApplication } from './application.entity.js';
import {
  applicantFactsOf,
  eligibilityFailures,
  eligibilityRulesOf,
  type EligibilityFailure,
  type EligibilityResult,
} from './eligibility.js';
import { Project, ProjectInvitation } from './project.entity.js';
import { ApplicationStatus, ProcurementMethod, ProjectStatus } from './project.enums.js';
import type { ApplyToProjectInput } from './project.inputs.js';
import type { ProjectAccess } from './project.policy.js';
import { Region } from '../regions/region.entity.js';
import {
  closeApplicationPeriods,
  lockOpenTender,
  moveApplication,
  PENDING_APPLICATION_STATUSES,
} from './project-transitions.js';
import { createOnce, type RetryKey } from '../../core/idempotency/retry-key.js';

/** Applications to a project: applying, withdrawing, shortlisting, and who is eligible to apply. */
export class ProjectApplicationsService {
  constructor(private readonly access: ProjectAccess) {}

  /**
   * An organization's admin applies. The period is checked by the database clock under a share lock
   * on the project row, so an award or a cancellation cannot slip in between the check and the insert;
   * the partial unique index keeps one live application per organization even under races.
   */
  apply(actor: Actor, input: ApplyToProjectInput): Promise<ProjectApplication> {
    return createOnce(
      actor,
      'applyToProject',
      input,
      (key) => this.applyOnce(actor, input, key),
      (id) => actor.em.findOneOrFail(ProjectApplication, { id }),
    );
  }

  private async applyOnce(
    actor: Actor,
    input: ApplyToProjectInput,
    key: RetryKey | null,
  ): Promise<ProjectApplication> {
    const viewer = requireViewer(actor.viewer);
    const projectId = parseIdOf('Project', input.projectId, 'input.projectId');
    const organizationId = parseIdOf('Organization', input.organizationId, 'input.organizationId');
    if (viewer.memberships.get(organizationId) !== MemberRole.ORG_ADMIN)
      throw new ForbiddenError("Only the organization's admins apply on its behalf.");
    return actor.em.transactional(async (em) => {
      await closeApplicationPeriods(em, new Date(), { projectId, requestId: actor.requestId });
      const rows = await em.execute<{ status: ProjectStatus; opened: boolean; closed: boolean }[]>(
        `select "status", now() >= "application_opens_at" as "opened", now() >= "application_closes_at" as "closed"
           from "project" where "id" = ? for share`,
        [projectId],
      );
      const row = rows[0];
      const project = row ? await em.findOneOrFail(Project, { id: projectId }) : null;
      if (!project || !row || !(await this.access.canSee({ em, viewer }, project)))
        throw new NotFoundError('Project', input.projectId);
      if (row.status !== ProjectStatus.PUBLISHED || row.closed)
        throw new ConflictError(`This project is not accepting applications (it is ${row.status}).`);
      if (!row.opened) throw new ConflictError('The application period has not opened yet.');
      if (input.requestedFen > project.budgetFen)
        throw BadUserInputError.field(
          'input.requestedFen',
          `must not exceed the budget (${project.budgetFen} fen)`,
        );
      const organization = await em.findOne(Organization, { id: organizationId });
      if (!organization) throw new NotFoundError('Organization', input.organizationId);
      const verdict = await this.eligibilityOf(em, project, organization);
      if (!verdict.eligible) throw new ForbiddenError(verdict.message, { reason: verdict.reason });
      const application = em.create(ProjectApplication, {
        project: ref(project),
        organization: ref(organization),
        proposal: input.proposal.trim(),
        requestedFen: input.requestedFen,
        submittedBy: ref(em.getReference(User, viewer.userId)),
      });
      try {
        await em.flush();
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException)
          throw new ConflictError('This organization already has a live application to this project.');
        throw error;
      }
      recordAudit({ ...actor, em }, 'applyToProject', application, {
        project: project.globalId(),
        organization: organization.globalId(),
        requestedFen: input.requestedFen,
      });
      await em.flush();
      await key?.record(em, application.id);
      return application;
    });
  }

  /** The applicant's admin withdraws an application that is still in the running, before the award. */
  async withdraw(actor: Actor, applicationId: string): Promise<ProjectApplication> {
    const viewer = requireViewer(actor.viewer);
    const id = parseIdOf('ProjectApplication', applicationId, 'input.applicationId');
    return actor.em.transactional(async (em) => {
      const application = await em.findOne(ProjectApplication, { id });
      if (!application) throw new NotFoundError('Application', applicationId);
      if (viewer.memberships.get(application.organization.id) !== MemberRole.ORG_ADMIN)
        throw new ForbiddenError("Only the organization's admins withdraw its applications.");
      await lockOpenTender(em, application.project.id, actor.requestId);
      await moveApplication(em, application, PENDING_APPLICATION_STATUSES, ApplicationStatus.WITHDRAWN);
      recordAudit({ ...actor, em }, 'withdrawApplication', application, {});
      await em.flush();
      return application;
    });
  }

  /** The publisher's staff shortlist a submitted application while the tender is open or evaluated. */
  async shortlist(actor: Actor, applicationId: string): Promise<ProjectApplication> {
    const viewer = requireViewer(actor.viewer);
    const id = parseIdOf('ProjectApplication', applicationId, 'input.applicationId');
    return actor.em.transactional(async (em) => {
      const application = await em.findOne(ProjectApplication, { id });
      if (!application) throw new NotFoundError('Application', applicationId);
      const project = await em.findOneOrFail(Project, { id: application.project.id });
      await this.access.assertStaffOf(em, viewer, project);
      await lockOpenTender(em, project.id, actor.requestId);
      await moveApplication(em, application, [ApplicationStatus.SUBMITTED], ApplicationStatus.SHORTLISTED);
      recordAudit({ ...actor, em }, 'shortlistApplication', application, {});
      await em.flush();
      return application;
    });
  }

  /**
   * Whether `organization` may apply to `project` now (invitation, verification, grade, founding
   * type, regions): the one place `applyToProject`, the `projectPublished` feed and the eligibility
   * reads (`projects(filter: { eligibleFor })`, `Project.eligibilityFor`) ask.
   */
  async eligibilityOf(
    em: EntityManager,
    project: Project,
    organization: Organization,
  ): Promise<EligibilityResult> {
    const [[first] = []] = await this.eligibilityOfEach(em, [project], organization);
    return first ? { eligible: false, ...first } : { eligible: true };
  }

  /**
   * Every rule `organization` fails for each of several projects, in order (empty: eligible), in two
   * statements whatever their number: the organization's invitations to those that need one, and
   * the projects' regions.
   */
  async eligibilityOfEach(
    em: EntityManager,
    projects: readonly Project[],
    organization: Organization,
  ): Promise<EligibilityFailure[][]> {
    if (projects.length === 0) return [];
    const byInvitation = projects
      .filter((p) => p.procurementMethod !== ProcurementMethod.OPEN)
      .map((p) => p.id);
    const invitedTo = new Set(
      byInvitation.length === 0
        ? []
        : (
            await em.find(ProjectInvitation, {
              project: { $in: byInvitation },
              organization: organization.id,
            })
          ).map((invitation) => invitation.project.id),
    );
    const regions = await em.find(Region, {
      code: { $in: [...new Set(projects.flatMap((p) => p.regionCodes))] },
    });
    const pathOf = new Map(regions.map((r) => [r.code, r.path]));
    return projects.map((project) =>
      eligibilityFailures(
        eligibilityRulesOf(
          project,
          project.regionCodes.map((code) => pathOf.get(code)).filter((path) => path !== undefined),
        ),
        applicantFactsOf(organization, invitedTo.has(project.id)),
      ),
    );
  }
}
