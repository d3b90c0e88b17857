import { LockMode, ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { Demand } from '../demands/demand.entity.js';
import { Project } from './project.entity.js';
import { ProjectDemand } from './project-demand.entity.js';
import { ProjectOutcomeConfirmation } from './project-contract.entity.js';
import { DEMAND_REPORT_STATUSES } from './project-lifecycle.js';
import type { ConfirmProjectOutcomeInput } from './project-contract.inputs.js';
import type { ProjectAccess } from './project.policy.js';

/**
 * Worker-confirmed outcomes: the worker who submitted a demand a project was made from says whether
 * the project served her and rates it, while the project is IN_PROGRESS or COMPLETED. One answer per
 * demand; answering again replaces it (she may be served after saying she was not), each answer with
 * its audit entry on the demand (read by those who read the demand's trail, never public). The
 * project shows only the figures (`outcomeSummary`, project-contract.ts).
 */
export class ProjectOutcomesService {
  constructor(private readonly access: ProjectAccess) {}

  /**
   * NOT_FOUND for a project the viewer may not see; BAD_USER_INPUT (`input.demandId`) for a demand
   * not linked to it; FORBIDDEN when the demand is not the viewer's own; CONFLICT before delivery.
   */
  async confirm(actor: Actor, input: ConfirmProjectOutcomeInput): Promise<Project> {
    const viewer = requireViewer(actor.viewer);
    const projectId = parseIdOf('Project', input.projectId, 'input.projectId');
    const demandId = parseIdOf('Demand', input.demandId, 'input.demandId');
    return actor.em.transactional(async (em) => {
      // Shared lock: the project's status holds until the answer is written.
      const project = await em.findOne(
        Project,
        { id: projectId },
        { lockMode: LockMode.PESSIMISTIC_READ, refresh: true },
      );
      if (!project || !(await this.access.canSee({ em, viewer }, project)))
        throw new NotFoundError('Project', input.projectId);
      // The link row, locked: two answers for one demand at once are written one after the other.
      const link = await em.findOne(
        ProjectDemand,
        { project: project.id, demand: demandId },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!link)
        throw BadUserInputError.field('input.demandId', 'is not a demand this project was made from');
      const demand = await em.findOneOrFail(Demand, { id: demandId });
      if (demand.submittedBy.id !== viewer.userId)
        throw new ForbiddenError('Only the worker who submitted the demand confirms its outcome.');
      if (!DEMAND_REPORT_STATUSES.includes(project.status))
        throw new ConflictError(
          `The project is ${project.status}; outcomes are confirmed once it is IN_PROGRESS or COMPLETED.`,
          { status: project.status },
        );
      const rating = input.rating ?? null;
      const previous = await em.findOne(ProjectOutcomeConfirmation, {
        project: project.id,
        demand: demandId,
      });
      const before = previous ? { served: previous.served, rating: previous.rating ?? null } : null;
      if (previous) Object.assign(previous, { served: input.served, rating });
      else
        em.create(ProjectOutcomeConfirmation, {
          project,
          demand,
          worker: ref(em.getReference(User, viewer.userId)),
          served: input.served,
          rating,
        });
      recordAudit({ ...actor, em }, 'confirmProjectOutcome', demand, {
        project: project.globalId(),
        served: input.served,
        rating,
        previous: before,
      });
      await em.flush();
      return project;
    });
  }
}

/** The counts of each project's confirmations, in one grouped query. */
export async function outcomeCountsOf(
  em: EntityManager,
  projectIds: readonly number[],
): Promise<Map<number, { responses: number; confirmedServed: number; ratings: number; ratingSum: number }>> {
  const rows = await em.execute<
    { project_id: string; responses: number; served: number; ratings: number; rating_sum: number }[]
  >(
    `select "project_id", count(*)::int as responses, count(*) filter (where "served")::int as served,
            count("rating")::int as ratings, coalesce(sum("rating"), 0)::int as rating_sum
       from "project_outcome_confirmation" where "project_id" = any(?::bigint[]) group by "project_id"`,
    [`{${projectIds.join(',')}}`],
  );
  return new Map(
    rows.map((r) => [
      Number(r.project_id),
      { responses: r.responses, confirmedServed: r.served, ratings: r.ratings, ratingSum: r.rating_sum },
    ]),
  );
}
