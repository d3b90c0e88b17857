import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProjectApplication } from './application.entity.js';
import { Project, ProjectAmendment, ProjectInvitation } from './project.entity.js';
import type { Actor } from '../../core/context.js';
import type { ProjectAccess } from './project.policy.js';
import type { ProjectApplicationsService } from './project-applications.service.js';
import { ApplicationStatus, ProcurementMethod } from './project.enums.js';
import type { Demand } from '../demands/demand.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Region } from '../regions/region.entity.js';
import {
  applicantFactsOf,
  eligibilityFailures,
  eligibilityRulesOf,
  type EligibilityFailure,
} from './eligibility.js';
import { ProjectDemand } from './project-demand.entity.js';

/** The linked demands of a project, summed now (endorsements keep coming while they are open). */
export interface DemandTotals {
  count: number;
  peopleAffected: number;
  endorsements: number;
}

/** The per-request batch loaders of the projects module. */
export interface ProjectLoaders {
  /** Winning applications per project id, oldest first. */
  awards: DataLoader<number, ProjectApplication[]>;
  /** Amendments per project id, oldest first. */
  amendments: DataLoader<number, ProjectAmendment[]>;
  /** Invited organization ids per project id. */
  invitations: DataLoader<number, number[]>;
  /** Demands each project was made from, in link order. */
  linkedDemands: DataLoader<number, Demand[]>;
  /** Count and sums of each project's linked demands, in one grouped query. */
  demandTotals: DataLoader<number, DemandTotals>;
  /**
   * The rules an organization fails now for a project (empty: eligible), by the rules
   * `applyToProject` applies; the projects, organizations, invitations and regions of a whole batch
   * in four queries.
   */
  applicantEligibility: DataLoader<ApplicantOf, EligibilityFailure[], string>;
}

/** An organization as an applicant to a project. */
export interface ApplicantOf {
  projectId: number;
  organizationId: number;
}

/**
 * An organization's verdict on a project for the viewer asking (null when she may not read the
 * organization's verdicts), batched per organization (`Project.eligibilityFor`).
 */
export type ProjectEligibilityLoader = DataLoader<
  { actor: Actor; organizationId: number; project: Project },
  EligibilityFailure[] | null,
  string
>;

declare module '../../core/context.js' {
  interface RequestLoaders {
    projects: ProjectLoaders;
    projectEligibility: ProjectEligibilityLoader;
  }
}

/**
 * The loaders of one unit of work (`ctx.loaders.projects`): a list of projects asking for `awards`
 * and `amendments` costs one query each, not one per project.
 */
export function projectLoaders(em: EntityManager): ProjectLoaders {
  return {
    awards: new DataLoader(async (ids) => {
      const rows = await em.find(
        ProjectApplication,
        { project: { $in: [...ids] }, status: ApplicationStatus.AWARDED },
        { orderBy: { id: 'asc' } },
      );
      return ids.map((id) => rows.filter((r) => r.project.id === id));
    }),
    amendments: new DataLoader(async (ids) => {
      const rows = await em.find(
        ProjectAmendment,
        { project: { $in: [...ids] } },
        { orderBy: { id: 'asc' } },
      );
      return ids.map((id) => rows.filter((r) => r.project.id === id));
    }),
    invitations: new DataLoader(async (ids) => {
      const rows = await em.find(
        ProjectInvitation,
        { project: { $in: [...ids] } },
        { orderBy: { id: 'asc' } },
      );
      return ids.map((id) => rows.filter((r) => r.project.id === id).map((r) => r.organization.id));
    }),
    linkedDemands: new DataLoader(async (ids) => {
      const rows = await em.find(
        ProjectDemand,
        { project: { $in: [...ids] } },
        { orderBy: { id: 'asc' }, populate: ['demand'] },
      );
      return ids.map((id) => rows.filter((r) => r.project.id === id).map((r) => r.demand.$));
    }),
    demandTotals: new DataLoader(async (ids) => {
      const rows = await em.execute<
        { project_id: string; n: string; people: string | null; endorsements: string | null }[]
      >(
        `select pd."project_id", count(*) as "n", sum(d."people_affected") as "people",
                sum(d."endorsement_count") as "endorsements"
           from "project_demand" pd join "demand" d on d."id" = pd."demand_id"
          where pd."project_id" in (${ids.map(() => '?').join(', ')})
          group by pd."project_id"`,
        [...ids],
      );
      const byId = new Map(rows.map((r) => [Number(r.project_id), r]));
      return ids.map((id) => {
        const row = byId.get(id);
        return {
          count: Number(row?.n ?? 0),
          peopleAffected: Number(row?.people ?? 0),
          endorsements: Number(row?.endorsements ?? 0),
        };
      });
    }),
    applicantEligibility: new DataLoader(
      async (keys) => {
        const projectIds = [...new Set(keys.map((k) => k.projectId))];
        const organizationIds = [...new Set(keys.map((k) => k.organizationId))];
        const [projects, organizations, invitations] = await Promise.all([
          em.find(Project, { id: { $in: projectIds } }),
          em.find(Organization, { id: { $in: organizationIds } }),
          em.find(ProjectInvitation, {
            project: { $in: projectIds },
            organization: { $in: organizationIds },
          }),
        ]);
        const regions = await em.find(Region, {
          code: { $in: [...new Set(projects.flatMap((p) => p.regionCodes))] },
        });
        const pathOf = new Map(regions.map((r) => [r.code, r.path]));
        const projectById = new Map(projects.map((p) => [p.id, p]));
        const organizationById = new Map(organizations.map((o) => [o.id, o]));
        const invited = new Set(invitations.map((i) => `${i.project.id}:${i.organization.id}`));
        return keys.map((key) => {
          const project = projectById.get(key.projectId);
          const organization = organizationById.get(key.organizationId);
          if (!project || !organization) return new Error('Project or organization not found');
          return eligibilityFailures(
            eligibilityRulesOf(
              project,
              project.regionCodes.flatMap((code) => {
                const path = pathOf.get(code);
                return path ? [path] : [];
              }),
            ),
            applicantFactsOf(
              organization,
              project.procurementMethod !== ProcurementMethod.OPEN && invited.has(applicantKey(key)),
            ),
          );
        });
      },
      { cacheKeyFn: applicantKey },
    ),
  };
}

/**
 * The loader of `ctx.loaders.projectEligibility`: the verdicts a page of projects asks for, in one
 * batch per organization — who may read them (`eligibilityReader`), then the rules `applyToProject`
 * checks (`eligibilityOfEach`). A unit of work serves one request, so every key of a batch carries
 * the same viewer; the first key's is asked.
 */
export function projectEligibilityLoader(
  em: EntityManager,
  judge: Pick<ProjectApplicationsService, 'eligibilityOfEach'>,
  access: Pick<ProjectAccess, 'eligibilityReader'>,
): ProjectEligibilityLoader {
  const keyOf = (key: { organizationId: number; project: Project }) =>
    `${key.organizationId}:${key.project.id}`;
  return new DataLoader(
    async (keys: readonly { actor: Actor; organizationId: number; project: Project }[]) => {
      const actor = { ...keys[0]!.actor, em };
      const verdicts = new Map<string, EligibilityFailure[]>();
      const byOrganization = new Map<number, Project[]>();
      for (const { organizationId, project } of keys)
        byOrganization.set(organizationId, [...(byOrganization.get(organizationId) ?? []), project]);
      for (const [organizationId, projects] of byOrganization) {
        const { organization, allowed } = await access.eligibilityReader(actor, organizationId);
        if (!organization || !allowed) continue;
        const results = await judge.eligibilityOfEach(em, projects, organization);
        projects.forEach((project, i) => verdicts.set(keyOf({ organizationId, project }), results[i]!));
      }
      return keys.map((key) => verdicts.get(keyOf(key)) ?? null);
    },
    { cacheKeyFn: keyOf },
  );
}

function applicantKey(key: ApplicantOf): string {
  return `${key.projectId}:${key.organizationId}`;
}
