import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../core/config.js';
import type { Actor, Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf, toGlobalId } from '../../core/relay/global-id.js';
import { Role } from '../../core/roles.js';
import { recordAudit } from '../audit/audit.js';
import { AccountStatus, User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { ProjectApplication } from './application.entity.js';
import { ProjectComplaint } from './complaint.entity.js';
import type {
  DesignateComplaintReviewerInput,
  FileComplaintInput,
  RespondToComplaintInput,
  RuleOnComplaintInput,
} from './complaint.inputs.js';
import { Project } from './project.entity.js';
import { ApplicationStatus, ComplaintOutcome, ProjectStatus } from './project.enums.js';
import type { ProjectAccess } from './project.policy.js';
import type { PublisherService } from './publisher.service.js';
import { createOnce, type RetryKey } from '../../core/idempotency/retry-key.js';

/** `extensions.reason` of the FORBIDDEN refusals of `fileComplaint`. */
export enum ComplaintRefusal {
  /** The organization has no application to the project (withdrawn ones do not count). */
  NOT_AN_APPLICANT = 'NOT_AN_APPLICANT',
  /** More than COMPLAINT_PERIOD_DAYS have passed since the award. */
  COMPLAINT_PERIOD_ENDED = 'COMPLAINT_PERIOD_ENDED',
}

/**
 * Complaints (质疑/投诉) against an award: an applicant files within the complaint period, the
 * publisher's staff respond, an admin or the reviewer an admin designated rules. UPHELD suspends the
 * award (AWARDED → EVALUATING, the only way back; awarded applications SHORTLISTED again, rejected
 * ones SUBMITTED), so the publisher evaluates again. A project with an open complaint does not
 * start (`assertNoOpenComplaint`). docs/domain.md, "Clarifications and complaints".
 */
export class ProjectComplaintsService {
  constructor(
    private readonly limits: Pick<Config['limits'], 'complaintPeriodDays'>,
    private readonly access: ProjectAccess,
    private readonly publishers: PublisherService,
  ) {}

  /**
   * A member of an organization that applied files, while the project is AWARDED and within
   * COMPLAINT_PERIOD_DAYS of the award by the database clock. The project row is share-locked, so the
   * project cannot start between the check and the insert (startProject waits, then sees it).
   */
  file(actor: Actor, input: FileComplaintInput): Promise<ProjectComplaint> {
    return createOnce(
      actor,
      'fileComplaint',
      input,
      (key) => this.fileOnce(actor, input, key),
      (id) => actor.em.findOneOrFail(ProjectComplaint, { id }),
    );
  }

  private async fileOnce(
    actor: Actor,
    input: FileComplaintInput,
    key: RetryKey | null,
  ): Promise<ProjectComplaint> {
    const viewer = requireViewer(actor.viewer);
    const projectId = parseIdOf('Project', input.projectId, 'input.projectId');
    const organizationId = parseIdOf('Organization', input.organizationId, 'input.organizationId');
    const applicationId = input.applicationId
      ? parseIdOf('ProjectApplication', input.applicationId, 'input.applicationId')
      : null;
    if (!viewer.memberships.has(organizationId))
      throw new ForbiddenError("Only the organization's members complain on its behalf.");
    const days = this.limits.complaintPeriodDays;
    return actor.em.transactional(async (em) => {
      const [row] = await em.execute<{ status: ProjectStatus; period_ended: boolean | null }[]>(
        `select "status", now() > "awarded_at" + make_interval(days => ?) as "period_ended"
           from "project" where "id" = ? for share`,
        [days, projectId],
      );
      const project = row ? await em.findOneOrFail(Project, { id: projectId }) : null;
      if (!project || !row || !(await this.access.canSee({ em, viewer }, project)))
        throw new NotFoundError('Project', input.projectId);
      const applications = await em.find(ProjectApplication, {
        project: project.id,
        organization: organizationId,
        status: { $ne: ApplicationStatus.WITHDRAWN },
      });
      if (applications.length === 0)
        throw new ForbiddenError('Only an organization that applied to this project may complain.', {
          reason: ComplaintRefusal.NOT_AN_APPLICANT,
        });
      if (row.status !== ProjectStatus.AWARDED)
        throw new ConflictError(`Complaints are filed against an award; this project is ${row.status}.`, {
          status: row.status,
        });
      if (row.period_ended)
        throw new ForbiddenError(
          `The complaint period ended ${days} days after the award (COMPLAINT_PERIOD_DAYS).`,
          { reason: ComplaintRefusal.COMPLAINT_PERIOD_ENDED, periodDays: days },
        );
      let application: ProjectApplication | null = null;
      if (applicationId !== null) {
        application = await em.findOne(ProjectApplication, { id: applicationId, project: project.id });
        const concernable =
          application !== null &&
          (application.organization.id === organizationId ||
            application.status === ApplicationStatus.AWARDED);
        if (!concernable)
          throw BadUserInputError.field(
            'input.applicationId',
            'is neither your application to this project nor an awarded one',
          );
      }
      const complaint = em.create(ProjectComplaint, {
        project: ref(project),
        organization: ref(em.getReference(Organization, organizationId)),
        application: application ? ref(application) : null,
        filedBy: ref(em.getReference(User, viewer.userId)),
        grounds: input.grounds,
      });
      await em.flush();
      recordAudit({ ...actor, em }, 'fileComplaint', complaint, {
        project: project.globalId(),
        organization: toGlobalId('Organization', organizationId),
        application: application?.globalId() ?? null,
      });
      await em.flush();
      await key?.record(em, complaint.id);
      return complaint;
    });
  }

  /** The publisher's staff respond once, while the complaint is open (CONFLICT otherwise). */
  async respond(actor: Actor, input: RespondToComplaintInput): Promise<ProjectComplaint> {
    const viewer = requireViewer(actor.viewer);
    const id = parseIdOf('ProjectComplaint', input.complaintId, 'input.complaintId');
    return actor.em.transactional(async (em) => {
      const complaint = await em.findOne(ProjectComplaint, { id });
      if (!complaint) throw new NotFoundError('Complaint', input.complaintId);
      const project = await em.findOneOrFail(Project, { id: complaint.project.id });
      await this.access.assertStaffOf(em, viewer, project);
      const changed = await em.nativeUpdate(
        ProjectComplaint,
        { id, response: null, outcome: null },
        { response: input.response, respondedAt: new Date(), respondedBy: viewer.userId },
      );
      if (changed === 0) throw new ConflictError('This complaint has already been responded to or ruled on.');
      recordAudit({ ...actor, em }, 'respondToComplaint', complaint, { project: project.globalId() });
      await em.flush();
      await em.refresh(complaint);
      return complaint;
    });
  }

  /**
   * An admin designates who, besides admins, may rule on an open complaint: an active UNION_STAFF
   * account that does not act for the project's publisher (no one rules on their own award).
   */
  async designateReviewer(actor: Actor, input: DesignateComplaintReviewerInput): Promise<ProjectComplaint> {
    const viewer = requireViewer(actor.viewer);
    if (!viewer.roles.has(Role.ADMIN))
      throw new ForbiddenError('Only administrators designate complaint reviewers.');
    const id = parseIdOf('ProjectComplaint', input.complaintId, 'input.complaintId');
    const reviewerId = parseIdOf('User', input.reviewerId, 'input.reviewerId');
    return actor.em.transactional(async (em) => {
      const complaint = await em.findOne(ProjectComplaint, { id });
      if (!complaint) throw new NotFoundError('Complaint', input.complaintId);
      const reviewer = await em.findOne(User, { id: reviewerId });
      if (!reviewer || reviewer.status !== AccountStatus.ACTIVE || !reviewer.roles.includes(Role.UNION_STAFF))
        throw BadUserInputError.field('input.reviewerId', 'must be an active UNION_STAFF account');
      if (
        (await this.publishers.publisherIdOfUser(em, reviewerId)) === (await this.publisherOf(em, complaint))
      )
        throw BadUserInputError.field('input.reviewerId', "acts for the project's publisher");
      const changed = await em.nativeUpdate(
        ProjectComplaint,
        { id, outcome: null },
        { reviewer: reviewerId },
      );
      if (changed === 0) throw new ConflictError('This complaint has already been ruled on.');
      recordAudit({ ...actor, em }, 'designateComplaintReviewer', complaint, {
        reviewer: toGlobalId('User', reviewerId),
      });
      await em.flush();
      await em.refresh(complaint);
      return complaint;
    });
  }

  /**
   * An admin or the designated reviewer rules once: of two rulings at once, the conditional UPDATE
   * lets one win and the other gets CONFLICT. UPHELD on an AWARDED project suspends the award in the
   * same transaction (guarded: a project cancelled meanwhile is not reopened, CONFLICT); on a project
   * an earlier upheld complaint already reopened, the ruling is recorded alone.
   */
  async rule(actor: Actor, input: RuleOnComplaintInput): Promise<ProjectComplaint> {
    const viewer = requireViewer(actor.viewer);
    const id = parseIdOf('ProjectComplaint', input.complaintId, 'input.complaintId');
    return actor.em.transactional(async (em) => {
      const complaint = await em.findOne(ProjectComplaint, { id });
      if (!complaint) throw new NotFoundError('Complaint', input.complaintId);
      await this.assertMayRule(em, viewer, complaint);
      const changed = await em.nativeUpdate(
        ProjectComplaint,
        { id, outcome: null },
        { outcome: input.outcome, reasoning: input.reasoning, ruledAt: new Date(), ruledBy: viewer.userId },
      );
      if (changed === 0) throw new ConflictError('This complaint has already been ruled on.');
      recordAudit({ ...actor, em }, 'ruleOnComplaint', complaint, {
        project: toGlobalId('Project', complaint.project.id),
        outcome: input.outcome,
      });
      if (input.outcome === ComplaintOutcome.UPHELD) await this.suspendAward(actor, em, complaint);
      await em.flush();
      await em.refresh(complaint);
      return complaint;
    });
  }

  /** Complaints about a project, oldest first: public with the project, without personal data. */
  complaints(ctx: Context, project: Project): Promise<ProjectComplaint[]> {
    return ctx.loaders.complaints.load(project.id);
  }

  /** `node(id)`: a complaint to anyone who sees its project. */
  async get(ctx: Context, id: number): Promise<ProjectComplaint | null> {
    const complaint = await ctx.em.findOne(ProjectComplaint, { id });
    if (!complaint) return null;
    const project = await complaint.project.loadOrFail({ dataloader: true });
    return (await this.access.canSee(ctx, project)) ? complaint : null;
  }

  /** Admins rule on every complaint; a designated reviewer on hers while she is still eligible. */
  private async assertMayRule(em: EntityManager, viewer: Viewer, complaint: ProjectComplaint): Promise<void> {
    if (viewer.roles.has(Role.ADMIN)) return;
    const designated =
      complaint.reviewer?.id === viewer.userId &&
      viewer.roles.has(Role.UNION_STAFF) &&
      (await this.publishers.publisherIdOfUser(em, viewer.userId)) !==
        (await this.publisherOf(em, complaint));
    if (!designated)
      throw new ForbiddenError(
        'Only an administrator or the reviewer designated for it rules on a complaint.',
      );
  }

  private async publisherOf(em: EntityManager, complaint: ProjectComplaint): Promise<number> {
    return (await em.findOneOrFail(Project, { id: complaint.project.id })).publisher.id;
  }

  /**
   * AWARDED → EVALUATING by a guarded UPDATE; the award's applications go back in the running
   * (awarded ones SHORTLISTED without their amounts, the ones it rejected SUBMITTED), with an audit
   * entry on the project naming what was undone.
   */
  private async suspendAward(actor: Actor, em: EntityManager, complaint: ProjectComplaint): Promise<void> {
    const projectId = complaint.project.id;
    const reopened = await em.nativeUpdate(
      Project,
      { id: projectId, status: ProjectStatus.AWARDED },
      { status: ProjectStatus.EVALUATING, awardedAt: null },
    );
    const project = await em.findOneOrFail(Project, { id: projectId }, { refresh: true });
    if (reopened === 0) {
      if (project.status === ProjectStatus.EVALUATING) return; // an earlier upheld complaint reopened it
      throw new ConflictError(`The award cannot be suspended: the project is ${project.status}.`, {
        status: project.status,
      });
    }
    const applications = await em.find(
      ProjectApplication,
      { project: projectId, status: { $in: [ApplicationStatus.AWARDED, ApplicationStatus.REJECTED] } },
      { orderBy: { id: 'asc' } },
    );
    const suspended = applications.filter((a) => a.status === ApplicationStatus.AWARDED);
    const summary = {
      complaint: complaint.globalId(),
      from: ProjectStatus.AWARDED,
      to: ProjectStatus.EVALUATING,
      suspendedAwards: suspended.map((a) => ({ application: a.globalId(), amountFen: a.awardedFen })),
      reopened: applications.filter((a) => a.status === ApplicationStatus.REJECTED).map((a) => a.globalId()),
    };
    for (const application of applications) {
      if (application.status === ApplicationStatus.AWARDED) {
        application.status = ApplicationStatus.SHORTLISTED;
        application.awardedFen = null;
      } else application.status = ApplicationStatus.SUBMITTED;
    }
    recordAudit({ ...actor, em }, 'suspendAward', project, summary);
  }
}

/**
 * Refuses (CONFLICT) to start a project while a complaint about it is open: called by startProject
 * after its guarded UPDATE locked the project row, so a complaint filed meanwhile (which share-locks
 * the row) is either seen here or refused as filed too late.
 */
export async function assertNoOpenComplaint(em: EntityManager, projectId: number): Promise<void> {
  const open = await em.count(ProjectComplaint, { project: projectId, outcome: null });
  if (open > 0)
    throw new ConflictError(
      `This project has ${open} open complaint${open === 1 ? '' : 's'}: it starts once every complaint is ruled on.`,
      { openComplaints: open },
    );
}
