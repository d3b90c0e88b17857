import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ContractMilestone, ContractPayment, ProjectContract } from './project-contract.entity.js';
import type { OutcomeCounts } from './project-contract.js';
import { outcomeCountsOf } from './project-outcomes.service.js';

/** The per-request batch loaders of contracts and outcomes: one query per list, not per project. */
export interface ContractLoaders {
  /** The contract of each project id, or null before signing. */
  byProject: DataLoader<number, ProjectContract | null>;
  /** Milestones per contract id, in the contract's order. */
  milestones: DataLoader<number, ContractMilestone[]>;
  /** Payments per contract id, oldest first. */
  payments: DataLoader<number, ContractPayment[]>;
  /** The counts of each project's workers' confirmations. */
  outcomeCounts: DataLoader<number, OutcomeCounts>;
}

declare module '../../core/context.js' {
  interface RequestLoaders {
    contracts: ContractLoaders;
  }
}

const NO_ANSWERS: OutcomeCounts = { responses: 0, confirmedServed: 0, ratings: 0, ratingSum: 0 };

export function contractLoaders(em: EntityManager): ContractLoaders {
  return {
    byProject: new DataLoader(async (ids) => {
      const rows = await em.find(ProjectContract, { project: { $in: [...ids] } });
      return ids.map((id) => rows.find((r) => r.project.id === id) ?? null);
    }),
    milestones: new DataLoader(async (ids) => {
      const rows = await em.find(
        ContractMilestone,
        { contract: { $in: [...ids] } },
        { orderBy: { contract: 'asc', position: 'asc' } },
      );
      return ids.map((id) => rows.filter((r) => r.contract.id === id));
    }),
    payments: new DataLoader(async (ids) => {
      const rows = await em.find(
        ContractPayment,
        { contract: { $in: [...ids] } },
        { orderBy: { id: 'asc' } },
      );
      return ids.map((id) => rows.filter((r) => r.contract.id === id));
    }),
    outcomeCounts: new DataLoader(async (ids) => {
      const counts = await outcomeCountsOf(em, ids);
      return ids.map((id) => counts.get(id) ?? NO_ANSWERS);
    }),
  };
}
