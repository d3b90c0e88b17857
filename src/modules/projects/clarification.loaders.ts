import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProjectQuestion } from './clarification.entity.js';

/** The per-request batch loaders of clarification questions, by project id. */
export interface ClarificationLoaders {
  /** Answered questions, in the order they were answered. */
  answered: DataLoader<number, ProjectQuestion[]>;
  /** Questions not answered yet, oldest first. */
  open: DataLoader<number, ProjectQuestion[]>;
}

declare module '../../core/context.js' {
  interface RequestLoaders {
    clarifications: ClarificationLoaders;
  }
}

/** One query per list of projects, not one per project (`ctx.loaders.clarifications`). */
export function clarificationLoaders(em: EntityManager): ClarificationLoaders {
  const byProject = (answered: boolean) =>
    new DataLoader<number, ProjectQuestion[]>(async (ids) => {
      const rows = await em.find(
        ProjectQuestion,
        { project: { $in: [...ids] }, answer: answered ? { $ne: null } : null },
        { orderBy: answered ? { answeredAt: 'asc', id: 'asc' } : { id: 'asc' } },
      );
      const grouped = new Map<number, ProjectQuestion[]>();
      for (const row of rows) grouped.set(row.project.id, [...(grouped.get(row.project.id) ?? []), row]);
      return ids.map((id) => grouped.get(id) ?? []);
    });
  return { answered: byProject(true), open: byProject(false) };
}
