import { LockMode } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { MemberRole } from '../organizations/organization.enums.js';
import { Demand } from '../demands/demand.entity.js';
import type { DemandClaimsService } from '../demands/demand-claims.service.js';
import { ProjectApplication } from './application.entity.js';
import { Project } from './project.entity.js';
import { ApplicationStatus, ProjectStatus } from './project.enums.js';
import { ProjectDemand } from './project-demand.entity.js';
import { checkFulfilmentReport, primaryWinner } from './project-from-demands.js';
import { DEMAND_REPORT_STATUSES } from './project-lifecycle.js';
import type {
  AwardProjectInput,
  CompleteProjectInput,
  ReportProjectDemandsInput,
  StartProjectInput,
} from './project.inputs.js';
import type { ProjectAccess } from './project.policy.js';
import { announceAwarded, announceDecisions } from './project-events.js';
import { assertNoOpenComplaint } from './project-complaints.service.js';
import { flagsAudited, type ProjectFairnessService } from './project-fairness.service.js';
import {
  closeApplicationPeriods,
  assertMayBecome,
  claimTransition,
  PENDING_APPLICATION_STATUSES,
  transition,
} from './project-transitions.js';

/**
 * Award and implementation: awarding a tender (claiming its linked demands for the winner),
 * starting and completing the project, and the winner's report on the demands it fulfilled.
 */
export class ProjectAwardsService {
  constructor(
    private readonly access: ProjectAccess,
    private readonly demandClaims: DemandClaimsService,
    private readonly fairness: ProjectFairnessService,
  ) {}

  /**
   * AWARDED → IN_PROGRESS: the contract is signed and delivery starts; refused (CONFLICT) while a
   * complaint about the award is open.
   */
  async start(actor: Actor, input: StartProjectInput): Promise<Project> {
    return transition(
      this.access,
      actor,
      input.projectId,
      ProjectStatus.IN_PROGRESS,
      'startProject',
      async (em, project) => {
        await assertNoOpenComplaint(em, project.id);
        project.startedAt = new Date();
        return {};
      },
    );
  }

  /** IN_PROGRESS → COMPLETED, with the outcome and the publisher's 1–5 evaluation. */
  async complete(actor: Actor, input: CompleteProjectInput): Promise<Project> {
    return transition(
      this.access,
      actor,
      input.projectId,
      ProjectStatus.COMPLETED,
      'completeProject',
      (_em, project) => {
        project.outcome = input.outcome.trim();
        project.evaluationScore = input.evaluationScore;
        project.closedAt = new Date();
        return Promise.resolve({ evaluationScore: input.evaluationScore });
      },
    );
  }

  /**
   * 职工点单、工会买单, closed: the winning organization's admin reports which of the project's
   * linked demands it fulfilled, while the project is IN_PROGRESS or once it is COMPLETED (the
   * publisher's staff complete the project with their evaluation; the fulfilment of a demand is the
   * serving organization's word, as with `fulfilDemand`). All or nothing: the named demands become
   * FULFILLED through the demand lifecycle, each with its audit entry and DEMAND_UPDATED event, plus
   * one `reportProjectDemands` entry on the project, in one transaction; any refusal changes nothing.
   * Refusals: FORBIDDEN when the viewer is not the organization's admin or it holds no award of the
   * project; CONFLICT naming the project's status, or a demand's (with `demandId`, `currentStatus`);
   * BAD_USER_INPUT for a demand not linked to the project.
   */
  async reportDemands(
    actor: Actor,
    input: ReportProjectDemandsInput,
  ): Promise<{ project: Project; fulfilled: Demand[] }> {
    const viewer = requireViewer(actor.viewer);
    const projectId = parseIdOf('Project', input.projectId, 'input.projectId');
    const organizationId = parseIdOf('Organization', input.organizationId, 'input.organizationId');
    const ids = input.fulfilledDemandIds.map((id, i) =>
      parseIdOf('Demand', id, `input.fulfilledDemandIds.${i}`),
    );
    const repeated = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    if (repeated !== -1)
      throw BadUserInputError.field(`input.fulfilledDemandIds.${repeated}`, 'is listed twice');
    if (viewer.memberships.get(organizationId) !== MemberRole.ORG_ADMIN)
      throw new ForbiddenError("Only the organization's admins report for it.");
    return actor.em.transactional(async (em) => {
      // Shared lock: the project cannot be cancelled while the report is written.
      const project = await em.findOne(
        Project,
        { id: projectId },
        { lockMode: LockMode.PESSIMISTIC_READ, refresh: true },
      );
      if (!project || !(await this.access.canSee({ em, viewer }, project)))
        throw new NotFoundError('Project', input.projectId);
      const won = await em.count(ProjectApplication, {
        project: project.id,
        organization: organizationId,
        status: ApplicationStatus.AWARDED,
      });
      if (won === 0)
        throw new ForbiddenError('Only an organization awarded this project reports on its demands.');
      if (!DEMAND_REPORT_STATUSES.includes(project.status))
        throw new ConflictError(
          `The project is ${project.status}; its demands are reported once it is IN_PROGRESS or COMPLETED.`,
          { status: project.status },
        );
      const linked = new Set(
        (await em.find(ProjectDemand, { project: project.id, demand: { $in: ids } })).map((l) => l.demand.id),
      );
      // Locked in id order, as every other path locks demands.
      const locked = await em.find(
        Demand,
        { id: { $in: ids } },
        { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true },
      );
      const byId = new Map(locked.map((d) => [d.id, d]));
      const refusal = checkFulfilmentReport(
        ids.map((id, i) => {
          const demand = byId.get(id);
          return {
            globalId: input.fulfilledDemandIds[i]!,
            linked: linked.has(id),
            status: demand?.status ?? null,
            claimedById: demand?.claimedBy?.id ?? null,
          };
        }),
        organizationId,
      );
      if (refusal) {
        const extensions = {
          demandId: refusal.demandId,
          ...(refusal.currentStatus ? { currentStatus: refusal.currentStatus } : {}),
        };
        if (refusal.code === 'FORBIDDEN') throw new ForbiddenError(refusal.message, extensions);
        if (refusal.code === 'CONFLICT') throw new ConflictError(refusal.message, extensions);
        throw new BadUserInputError(
          [{ path: `input.fulfilledDemandIds.${refusal.index}`, message: refusal.message }],
          refusal.message,
        );
      }
      const fulfilled = ids.map((id) => byId.get(id)!);
      recordAudit({ ...actor, em }, 'reportProjectDemands', project, {
        organization: input.organizationId,
        fulfilled: fulfilled.map((d) => d.globalId()),
        projectStatus: project.status,
      });
      await this.demandClaims.fulfilForProject({ ...actor, em }, fulfilled, organizationId, {
        project: project.globalId(),
        via: 'reportProjectDemands',
      });
      return { project, fulfilled };
    });
  }

  /**
   * Awards an EVALUATING project to one or more of its applications, amounts summing to at most the
   * budget; every other application still in the running is rejected. The EVALUATING → AWARDED step
   * is a conditional UPDATE: of two staff awarding at once, the second finds the row already AWARDED
   * (PostgreSQL re-checks the condition after the first commits) and gets CONFLICT.
   */
  async award(
    actor: Actor,
    input: AwardProjectInput,
  ): Promise<{ project: Project; awarded: ProjectApplication[] }> {
    const viewer = requireViewer(actor.viewer);
    const projectId = parseIdOf('Project', input.projectId, 'input.projectId');
    const lines = input.awards.map((line, i) => ({
      id: parseIdOf('ProjectApplication', line.applicationId, `input.awards.${i}.applicationId`),
      amountFen: line.amountFen,
      index: i,
    }));
    const seen = new Set<number>();
    for (const line of lines) {
      if (seen.has(line.id))
        throw BadUserInputError.field(`input.awards.${line.index}.applicationId`, 'is listed twice');
      seen.add(line.id);
    }
    return actor.em.transactional(async (em) => {
      await closeApplicationPeriods(em, new Date(), { projectId, requestId: actor.requestId });
      const project = await this.access.requireOwnProject(em, viewer, input.projectId, 'input.projectId');
      assertMayBecome(project, ProjectStatus.AWARDED);
      const justification = input.justification?.trim() || null;
      if (project.criteria.length > 0 && !justification)
        throw BadUserInputError.field(
          'input.justification',
          'is required: say why these applications win against the award criteria',
        );
      const total = lines.reduce((sum, line) => sum + line.amountFen, 0);
      if (total > project.budgetFen)
        throw BadUserInputError.field(
          'input.awards',
          `the amounts sum to ${total} fen, more than the budget of ${project.budgetFen} fen`,
        );
      const applications = await em.find(ProjectApplication, { id: { $in: [...seen] } });
      const byId = new Map(applications.map((a) => [a.id, a]));
      for (const line of lines) {
        const application = byId.get(line.id);
        const path = `input.awards.${line.index}`;
        if (!application || application.project.id !== project.id)
          throw BadUserInputError.field(`${path}.applicationId`, 'is not an application to this project');
        if (!PENDING_APPLICATION_STATUSES.includes(application.status))
          throw BadUserInputError.field(
            `${path}.applicationId`,
            `is ${application.status}, not in the running`,
          );
        if (line.amountFen > application.requestedFen)
          throw BadUserInputError.field(
            `${path}.amountFen`,
            `must not exceed the ${application.requestedFen} fen the organization requested`,
          );
      }
      await claimTransition(em, project, ProjectStatus.AWARDED);
      project.awardedAt = new Date();
      project.awardJustification = justification;
      const awarded = lines.map((line) => {
        const application = byId.get(line.id)!;
        application.status = ApplicationStatus.AWARDED;
        application.awardedFen = line.amountFen;
        return application;
      });
      // The guarded UPDATE above locked the project row: no application can join or leave meanwhile.
      const rejected = await em.find(
        ProjectApplication,
        { project: project.id, status: { $in: PENDING_APPLICATION_STATUSES }, id: { $nin: [...seen] } },
        { orderBy: { id: 'asc' } },
      );
      for (const application of rejected) application.status = ApplicationStatus.REJECTED;
      const flags = await this.fairness.atAward({ ...actor, em }, project, awarded, input.fairnessRationale);
      recordAudit({ ...actor, em }, 'awardProject', project, {
        awards: awarded.map((a) => ({ application: a.globalId(), amountFen: a.awardedFen })),
        rejected: rejected.map((a) => a.globalId()),
        totalFen: total,
        ...(justification ? { justification } : {}),
        ...flagsAudited(flags, input.fairnessRationale),
      });
      await em.flush();
      await this.claimLinkedDemands({ ...actor, em }, project, awarded);
      await announceDecisions(em, project, [...awarded, ...rejected]);
      await announceAwarded(em, project);
      return { project, awarded };
    });
  }

  /**
   * On award, the demands the project was made from become CLAIMED by the primary winner, in the
   * award's transaction, each with its audit entry (naming the project) and DEMAND_UPDATED event.
   */
  private async claimLinkedDemands(
    actor: Actor,
    project: Project,
    awarded: readonly ProjectApplication[],
  ): Promise<void> {
    const links = await actor.em.find(ProjectDemand, { project: project.id }, { orderBy: { id: 'asc' } });
    const winner = primaryWinner(
      awarded.map((a) => ({ organizationId: a.organization.id, awardedFen: a.awardedFen ?? 0 })),
    );
    if (links.length === 0 || winner === null) return;
    await this.demandClaims.claimForAward(
      actor,
      links.map((l) => l.demand.id),
      winner,
      { project: project.globalId(), via: 'awardProject' },
    );
  }
}
