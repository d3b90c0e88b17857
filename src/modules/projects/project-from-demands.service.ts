import { LockMode, ref } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import type { CategoryService } from '../categories/category.service.js';
import { Demand } from '../demands/demand.entity.js';
import { Region } from '../regions/region.entity.js';
import { Project } from './project.entity.js';
import { ProcurementMethod, ProjectStatus, PublisherKind } from './project.enums.js';
import { ProjectDemand } from './project-demand.entity.js';
import {
  checkLinkable,
  defaultBudgetFen,
  defaultDescription,
  defaultTitle,
  summarizeDemands,
} from './project-from-demands.js';
import { Publisher } from './publisher.entity.js';
import type { CreateProjectFromDemandsInput } from './project.inputs.js';
import { assertPeriod } from './project-fields.js';
import type { PublisherService } from './publisher.service.js';
import { unionScopeOf } from './project.policy.js';
import { createOnce, type RetryKey } from '../../core/idempotency/retry-key.js';

/** Statuses in which a project still stands for its linked demands: a demand joins one at a time. */
const LIVE_TENDER_STATUSES = [
  ProjectStatus.DRAFT,
  ProjectStatus.PLANNED,
  ProjectStatus.PUBLISHED,
  ProjectStatus.EVALUATING,
];

/** Application period of a project made from demands, when staff give no closing date. */
const DEFAULT_PERIOD_DAYS = 30;

/** Projects from workers' demands (职工点单、工会买单): union staff turn OPEN demands into a DRAFT. */
export class ProjectFromDemandsService {
  constructor(
    private readonly publishers: PublisherService,
    private readonly categories: CategoryService,
  ) {}

  /**
   * Union staff turn OPEN demands in their region scope, all of one category, into a DRAFT project
   * of the union publisher they act for, linked to the demands. The demand rows are locked (in id
   * order) for the check, so a demand cannot be linked to two live projects by two staff at once,
   * nor claimed meanwhile. Refusals name the demand: FORBIDDEN outside the scope, CONFLICT when not
   * OPEN or already in a live project, BAD_USER_INPUT for a second category.
   */
  createFromDemands(actor: Actor, input: CreateProjectFromDemandsInput): Promise<Project> {
    return createOnce(
      actor,
      'createProjectFromDemands',
      input,
      (key) => this.createFromDemandsOnce(actor, input, key),
      (id) => actor.em.findOneOrFail(Project, { id }),
    );
  }

  private async createFromDemandsOnce(
    actor: Actor,
    input: CreateProjectFromDemandsInput,
    key: RetryKey | null,
  ): Promise<Project> {
    const viewer = requireViewer(actor.viewer);
    const scope = unionScopeOf(viewer) ?? null;
    if (scope === null)
      throw new ForbiddenError('Only union staff with a region scope turn demands into projects.');
    const publisherId = parseIdOf('Publisher', input.publisherId, 'input.publisherId');
    const ids = input.demandIds.map((id, i) => parseIdOf('Demand', id, `input.demandIds.${i}`));
    const repeated = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    if (repeated !== -1) throw BadUserInputError.field(`input.demandIds.${repeated}`, 'is listed twice');
    return actor.em.transactional(async (em) => {
      if ((await this.publishers.publisherIdOf(em, viewer)) !== publisherId)
        throw new ForbiddenError('You can create projects only for the publisher you act for.');
      const publisher = await em.findOneOrFail(Publisher, { id: publisherId });
      if (publisher.kind !== PublisherKind.UNION)
        throw new ForbiddenError('Only a union publisher turns workers’ demands into a project.');
      const locked = await em.find(
        Demand,
        { id: { $in: ids } },
        { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
      );
      const byId = new Map(locked.map((d) => [d.id, d]));
      const missing = ids.findIndex((id) => !byId.has(id));
      if (missing !== -1) throw BadUserInputError.field(`input.demandIds.${missing}`, 'no such demand');
      const demands = ids.map((id) => byId.get(id)!);
      const facts = demands.map((d) => ({
        globalId: d.globalId(),
        status: d.status,
        categoryCode: d.category.code,
        regionCode: d.region.code,
        regionPath: d.regionPath,
        targetGroups: d.targetGroups,
        peopleAffected: d.peopleAffected,
        endorsementCount: d.endorsementCount,
      }));
      const refusal = checkLinkable(facts, scope);
      if (refusal) {
        const extensions = {
          demandId: refusal.demandId,
          ...(refusal.currentStatus ? { currentStatus: refusal.currentStatus } : {}),
        };
        if (refusal.code === 'FORBIDDEN') throw new ForbiddenError(refusal.message, extensions);
        if (refusal.code === 'CONFLICT') throw new ConflictError(refusal.message, extensions);
        throw new BadUserInputError(
          [{ path: `input.demandIds.${refusal.index}`, message: refusal.message }],
          refusal.message,
        );
      }
      const taken = await em.findOne(
        ProjectDemand,
        { demand: { $in: ids }, project: { status: { $in: LIVE_TENDER_STATUSES } } },
        { orderBy: { id: 'asc' } },
      );
      if (taken) {
        const demandId = byId.get(taken.demand.id)!.globalId();
        throw new ConflictError(
          `Demand ${demandId} is already part of a live project (${taken.project.unwrap().globalId()}).`,
          { demandId, projectId: taken.project.unwrap().globalId() },
        );
      }
      const summary = summarizeDemands(facts);
      const category = await this.categories.require(em, summary.categoryCode, 'input.demandIds');
      const regions = await em.find(Region, { code: { $in: summary.regionCodes } });
      const opensAt = input.applicationOpensAt ?? new Date();
      const project = em.create(Project, {
        publisher: ref(publisher),
        title: input.title?.trim() || defaultTitle(category.name, demands.length),
        description: input.description ?? defaultDescription(demands.map((d) => d.title)),
        category: ref(category),
        categoryPath: category.path,
        regionCodes: summary.regionCodes,
        regionPaths: [...new Set(regions.flatMap((r) => r.path))],
        targetGroups: summary.targetGroups,
        budgetFen: input.budgetFen ?? defaultBudgetFen(summary.peopleAffected),
        procurementMethod: input.procurementMethod ?? ProcurementMethod.OPEN,
        applicationOpensAt: opensAt,
        applicationClosesAt:
          input.applicationClosesAt ?? new Date(opensAt.getTime() + DEFAULT_PERIOD_DAYS * 86_400_000),
        createdBy: ref(em.getReference(User, viewer.userId)),
      });
      const rules = input.eligibility;
      if (rules?.verifiedOnly != null) project.verifiedOnly = rules.verifiedOnly;
      if (rules?.minGrade != null) project.minGrade = rules.minGrade;
      if (rules?.allowedFoundingTypes != null)
        project.allowedFoundingTypes = [...new Set(rules.allowedFoundingTypes)];
      if (rules?.mustServeRegions != null) project.mustServeRegions = rules.mustServeRegions;
      if (rules?.allowedProviderKinds != null)
        project.allowedProviderKinds = [...new Set(rules.allowedProviderKinds)];
      assertPeriod(project);
      for (const demand of demands) em.create(ProjectDemand, { project: ref(project), demand: ref(demand) });
      await em.flush(); // ids for the audit subject
      recordAudit({ ...actor, em }, 'createProjectFromDemands', project, {
        demands: demands.map((d) => d.globalId()),
        categoryCode: summary.categoryCode,
        regionCodes: summary.regionCodes,
        peopleAffected: summary.peopleAffected,
        endorsements: summary.endorsements,
        budgetFen: project.budgetFen,
      });
      await em.flush();
      await key?.record(em, project.id);
      return project;
    });
  }
}
