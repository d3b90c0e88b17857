/**
 * Who sees a project's contract and its milestones: everyone who sees the project, once delivery
 * has started (IN_PROGRESS or COMPLETED), like the award it comes from (OCDS publishes contracts and
 * their payments; nothing in them names a person). Also `node(id)` of contracts and milestones.
 *
 * @module
 */
import type { Context } from '../../core/context.js';
import type { NodeRegistry } from '../../core/relay/node.resolver.js';
import type { Project } from './project.entity.js';
import { ProjectStatus } from './project.enums.js';
import { ContractMilestone, ProjectContract } from './project-contract.entity.js';

/** Statuses in which a project's contract is shown: signed, delivering or delivered. */
export function contractShown(status: ProjectStatus): boolean {
  return status === ProjectStatus.IN_PROGRESS || status === ProjectStatus.COMPLETED;
}

/** `node(id)` of contracts and milestones answers as `Project.contract` of their project. */
export function installContractRules(services: {
  nodes: NodeRegistry;
  /** `ProjectQueriesService.get`: the project, if the viewer may see it. */
  projectQueries: { get(ctx: Context, id: number): Promise<Project | null> };
}): void {
  const { nodes, projectQueries } = services;
  const visibleProject = async (ctx: Context, projectId: number) => {
    const project = await projectQueries.get(ctx, projectId);
    return project !== null && contractShown(project.status);
  };
  nodes
    .registerById('ProjectContract', async (ctx, id) => {
      const contract = await ctx.em.findOne(ProjectContract, { id });
      return contract && (await visibleProject(ctx, contract.project.id)) ? contract : null;
    })
    .registerById('ContractMilestone', async (ctx, id) => {
      const milestone = await ctx.em.findOne(ContractMilestone, { id }, { populate: ['contract'] });
      return milestone && (await visibleProject(ctx, milestone.contract.getEntity().project.id))
        ? milestone
        : null;
    });
}
