import { LockMode, ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { Topic } from '../../core/events/outbox.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { ProjectApplication } from './application.entity.js';
import { Project } from './project.entity.js';
import { ApplicationStatus, ProjectStatus } from './project.enums.js';
import { ContractMilestone, ContractPayment, ProjectContract } from './project-contract.entity.js';
import { MilestoneStatus } from './project-contract.enums.js';
import { contractTermsProblem, paymentProblem } from './project-contract.js';
import type {
  AcceptMilestoneInput,
  RecordPaymentInput,
  ReportMilestoneInput,
  ReturnMilestoneInput,
  SignContractInput,
} from './project-contract.inputs.js';
import type { ProjectAccess } from './project.policy.js';
import { announceContractEvent } from './project-events.js';
import { assertMayBecome, claimTransition } from './project-transitions.js';
import { assertNoOpenComplaint } from './project-complaints.service.js';
import { createOnce, type RetryKey } from '../../core/idempotency/retry-key.js';

/** Project statuses in which milestones are reported and decided: delivery. */
const DELIVERY_STATUSES: readonly ProjectStatus[] = [ProjectStatus.IN_PROGRESS];
/** Project statuses in which payments are recorded: delivery, and after it (the final payment). */
const PAYMENT_STATUSES: readonly ProjectStatus[] = [ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED];

/**
 * After the award: the contract signed with the awarded organization (signing starts delivery,
 * AWARDED → IN_PROGRESS, through the same guarded transition as `startProject`), its milestones
 * reported by the organization and accepted or returned by the publisher, and the payments made.
 * Every milestone decision is a conditional UPDATE from the status it needs, so of two staff
 * deciding at once one wins and the other gets CONFLICT; payments are checked under the contract
 * row's lock, so concurrent payments can never sum above what is due. Each decision writes an audit
 * entry on the project and, where someone expects to be told, an outbox event.
 */
export class ProjectContractsService {
  constructor(private readonly access: ProjectAccess) {}

  /**
   * Signs the contract of an AWARDED project with one of its awarded applications and starts
   * delivery. BAD_USER_INPUT naming the field for an application that is not an award of the
   * project, a value above the award, a period that ends before it starts, a milestone due outside
   * it, or milestones whose payments sum above the value; CONFLICT when the project is not AWARDED
   * (or another signing or start won).
   */
  async sign(
    actor: Actor,
    input: SignContractInput,
  ): Promise<{ project: Project; contract: ProjectContract }> {
    const viewer = requireViewer(actor.viewer);
    const applicationId = parseIdOf('ProjectApplication', input.applicationId, 'input.applicationId');
    return actor.em.transactional(async (em) => {
      const project = await this.access.requireOwnProject(em, viewer, input.projectId, 'input.projectId');
      const from = project.status;
      assertMayBecome(project, ProjectStatus.IN_PROGRESS);
      const application = await em.findOne(ProjectApplication, { id: applicationId });
      if (
        !application ||
        application.project.id !== project.id ||
        application.status !== ApplicationStatus.AWARDED
      )
        throw BadUserInputError.field('input.applicationId', 'is not an award of this project');
      const problem = contractTermsProblem(input, application.awardedFen ?? 0);
      if (problem) throw new BadUserInputError([problem]);
      await claimTransition(em, project, ProjectStatus.IN_PROGRESS);
      // After the guarded UPDATE locked the row, as startProject does (project-complaints.service.ts).
      await assertNoOpenComplaint(em, project.id);
      const signedAt = new Date();
      project.startedAt = signedAt;
      const contract = em.create(ProjectContract, {
        project,
        application,
        organization: application.organization,
        valueFen: input.valueFen,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        documents: (input.documents ?? []).map((d) => ({ title: d.title, url: d.url })),
        signedAt,
        signedBy: ref(em.getReference(User, viewer.userId)),
      });
      input.milestones.forEach((m, position) =>
        em.create(ContractMilestone, {
          contract,
          position,
          title: m.title,
          deliverables: m.deliverables,
          dueAt: m.dueAt,
          paymentFen: m.paymentFen,
        }),
      );
      recordAudit({ ...actor, em }, 'signContract', project, {
        from,
        to: ProjectStatus.IN_PROGRESS,
        applicationId: application.globalId(),
        valueFen: input.valueFen,
        periodStart: input.periodStart.toISOString(),
        periodEnd: input.periodEnd.toISOString(),
        milestones: input.milestones.map((m) => ({ title: m.title, paymentFen: m.paymentFen })),
        documents: contract.documents.length,
      });
      await em.flush();
      return { project, contract };
    });
  }

  /**
   * A member of the contract's organization reports a PENDING or RETURNED milestone as delivered
   * while the project is IN_PROGRESS. FORBIDDEN for anyone else (membership read at this request).
   */
  async reportMilestone(actor: Actor, input: ReportMilestoneInput): Promise<ContractMilestone> {
    const viewer = requireViewer(actor.viewer);
    return actor.em.transactional(async (em) => {
      const { milestone, contract, project } = await this.milestoneFor(em, input.milestoneId);
      if (!viewer.memberships.has(contract.organization.id))
        throw new ForbiddenError("Only the contracted organization's members report its milestones.");
      assertDelivering(project);
      const from = milestone.status;
      const now = new Date();
      await moveMilestone(em, milestone, [MilestoneStatus.PENDING, MilestoneStatus.RETURNED], {
        status: MilestoneStatus.REPORTED,
        report: input.report,
        reportedAt: now,
      });
      recordAudit({ ...actor, em }, 'reportMilestone', project, {
        milestoneId: milestone.globalId(),
        from,
        to: MilestoneStatus.REPORTED,
      });
      await em.flush();
      await announceContractEvent(em, Topic.MILESTONE_REPORTED, milestone.id, project);
      return milestone;
    });
  }

  /** The publisher's staff accept a REPORTED milestone: its payment falls due. */
  async acceptMilestone(actor: Actor, input: AcceptMilestoneInput): Promise<ContractMilestone> {
    return this.decide(actor, input.milestoneId, MilestoneStatus.ACCEPTED, null);
  }

  /** The publisher's staff return a REPORTED milestone with a reason; the organization is told. */
  async returnMilestone(actor: Actor, input: ReturnMilestoneInput): Promise<ContractMilestone> {
    return this.decide(actor, input.milestoneId, MilestoneStatus.RETURNED, input.reason);
  }

  private async decide(
    actor: Actor,
    milestoneGlobalId: string,
    to: MilestoneStatus.ACCEPTED | MilestoneStatus.RETURNED,
    reason: string | null,
  ): Promise<ContractMilestone> {
    const viewer = requireViewer(actor.viewer);
    return actor.em.transactional(async (em) => {
      const { milestone, project } = await this.milestoneFor(em, milestoneGlobalId);
      await this.access.assertStaffOf(em, viewer, project);
      assertDelivering(project);
      const now = new Date();
      await moveMilestone(em, milestone, [MilestoneStatus.REPORTED], {
        status: to,
        decidedAt: now,
        ...(reason === null ? {} : { returnReason: reason }),
      });
      recordAudit(
        { ...actor, em },
        to === MilestoneStatus.ACCEPTED ? 'acceptMilestone' : 'returnMilestone',
        project,
        {
          milestoneId: milestone.globalId(),
          from: MilestoneStatus.REPORTED,
          to,
          ...(reason === null ? {} : { reason }),
        },
      );
      await em.flush();
      await announceContractEvent(
        em,
        to === MilestoneStatus.ACCEPTED ? Topic.MILESTONE_ACCEPTED : Topic.MILESTONE_RETURNED,
        milestone.id,
        project,
      );
      return milestone;
    });
  }

  /**
   * The publisher's staff record a payment against an ACCEPTED milestone or the contract, while
   * the project is IN_PROGRESS or COMPLETED: never more than the milestone still has due, and the
   * contract's payments never above its value (both read under the contract row's lock).
   */
  recordPayment(actor: Actor, input: RecordPaymentInput): Promise<ProjectContract> {
    return createOnce(
      actor,
      'recordPayment',
      input,
      (key) => this.recordPaymentOnce(actor, input, key),
      async (id) =>
        (
          await actor.em.findOneOrFail(ContractPayment, { id }, { populate: ['contract'] })
        ).contract.getEntity(),
    );
  }

  private async recordPaymentOnce(
    actor: Actor,
    input: RecordPaymentInput,
    key: RetryKey | null,
  ): Promise<ProjectContract> {
    const viewer = requireViewer(actor.viewer);
    if ((input.milestoneId == null) === (input.contractId == null))
      throw BadUserInputError.field('input.milestoneId', 'give exactly one of milestoneId and contractId');
    if (input.paidAt.getTime() > Date.now())
      throw BadUserInputError.field('input.paidAt', 'must not be in the future');
    return actor.em.transactional(async (em) => {
      // Locks in one order on both paths: the project (shared), then the contract.
      let milestone: ContractMilestone | null = null;
      let project: Project;
      let contractId: number;
      if (input.milestoneId != null) {
        ({ milestone, project } = await this.milestoneFor(em, input.milestoneId));
        contractId = milestone.contract.id;
      } else {
        contractId = parseIdOf('ProjectContract', input.contractId!, 'input.contractId');
        const found = await em.findOne(ProjectContract, { id: contractId });
        if (!found) throw new NotFoundError('ProjectContract', input.contractId!);
        project = await this.lockProject(em, found.project.id);
      }
      const contract = await em.findOneOrFail(
        ProjectContract,
        { id: contractId },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      await this.access.assertStaffOf(em, viewer, project);
      if (!PAYMENT_STATUSES.includes(project.status))
        throw new ConflictError(
          `The project is ${project.status}; payments are recorded once it is IN_PROGRESS or COMPLETED.`,
          { status: project.status },
        );
      if (milestone) {
        await em.refresh(milestone);
        if (milestone.status !== MilestoneStatus.ACCEPTED)
          throw new ConflictError(`The milestone is ${milestone.status}; it is paid once ACCEPTED.`, {
            status: milestone.status,
          });
      }
      const paid = await paidTotals(em, contract.id, milestone?.id ?? null);
      const problem = paymentProblem({
        amountFen: input.amountFen,
        contractValueFen: contract.valueFen,
        paidOnContractFen: paid.contractFen,
        ...(milestone ? { milestone: { paymentFen: milestone.paymentFen, paidFen: paid.milestoneFen } } : {}),
      });
      if (problem) throw BadUserInputError.field('input.amountFen', problem);
      const payment = em.create(ContractPayment, {
        contract,
        milestone,
        amountFen: input.amountFen,
        paidAt: input.paidAt,
        recordedBy: ref(em.getReference(User, viewer.userId)),
      });
      recordAudit({ ...actor, em }, 'recordPayment', project, {
        contractId: contract.globalId(),
        ...(milestone ? { milestoneId: milestone.globalId() } : {}),
        amountFen: input.amountFen,
        paidAt: input.paidAt.toISOString(),
        paidTotalFen: paid.contractFen + input.amountFen,
      });
      await em.flush();
      await announceContractEvent(em, Topic.CONTRACT_PAYMENT_RECORDED, payment.id, project);
      await key?.record(em, payment.id);
      return contract;
    });
  }

  /** The milestone, its contract and its project (share-locked: not cancelled meanwhile); NOT_FOUND. */
  private async milestoneFor(
    em: EntityManager,
    globalId: string,
  ): Promise<{ milestone: ContractMilestone; contract: ProjectContract; project: Project }> {
    const id = parseIdOf('ContractMilestone', globalId, 'input.milestoneId');
    const milestone = await em.findOne(ContractMilestone, { id }, { populate: ['contract'] });
    if (!milestone) throw new NotFoundError('ContractMilestone', globalId);
    const contract = milestone.contract.getEntity();
    const project = await this.lockProject(em, contract.project.id);
    return { milestone, contract, project };
  }

  /** The project row, share-locked so that it cannot change status until the transaction ends. */
  private async lockProject(em: EntityManager, projectId: number): Promise<Project> {
    return em.findOneOrFail(
      Project,
      { id: projectId },
      { lockMode: LockMode.PESSIMISTIC_READ, refresh: true },
    );
  }
}

function assertDelivering(project: Project): void {
  if (!DELIVERY_STATUSES.includes(project.status))
    throw new ConflictError(
      `The project is ${project.status}; milestones are reported and decided while it is IN_PROGRESS.`,
      { status: project.status },
    );
}

/**
 * The guarded UPDATE of a milestone: changes the row only if it is still in one of `from`. Zero rows
 * means another transaction moved it first (PostgreSQL re-reads the row after the first commits).
 */
async function moveMilestone(
  em: EntityManager,
  milestone: ContractMilestone,
  from: readonly MilestoneStatus[],
  changes: Partial<
    Pick<ContractMilestone, 'status' | 'report' | 'reportedAt' | 'returnReason' | 'decidedAt'>
  >,
): Promise<void> {
  const changed = await em.nativeUpdate(
    ContractMilestone,
    { id: milestone.id, status: { $in: [...from] } },
    changes,
  );
  if (changed === 0) {
    await em.refresh(milestone);
    throw new ConflictError(
      `The milestone is ${milestone.status}; it cannot become ${changes.status ?? 'that'} now.`,
      { status: milestone.status },
    );
  }
  Object.assign(milestone, changes);
}

/** What was paid under a contract, and against one of its milestones. */
async function paidTotals(
  em: EntityManager,
  contractId: number,
  milestoneId: number | null,
): Promise<{ contractFen: number; milestoneFen: number }> {
  const [row] = await em.execute<{ contract_fen: string; milestone_fen: string }[]>(
    `select coalesce(sum("amount_fen"), 0) as contract_fen,
            coalesce(sum("amount_fen") filter (where "milestone_id" = ?), 0) as milestone_fen
       from "contract_payment" where "contract_id" = ?`,
    [milestoneId ?? 0, contractId],
  );
  return { contractFen: Number(row?.contract_fen ?? 0), milestoneFen: Number(row?.milestone_fen ?? 0) };
}
