import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProjectFairnessFlag } from './fairness-flag.entity.js';

declare module '../../core/context.js' {
  interface RequestLoaders {
    /** Fairness flags per project id, oldest first. */
    fairnessFlags: DataLoader<number, ProjectFairnessFlag[]>;
  }
}

/** The per-operation loader of projects' fairness flags: a list of projects costs one query. */
export function fairnessFlagsLoader(em: EntityManager): DataLoader<number, ProjectFairnessFlag[]> {
  return new DataLoader(async (ids) => {
    const rows = await em.find(
      ProjectFairnessFlag,
      { project: { $in: [...ids] } },
      { orderBy: { id: 'asc' } },
    );
    return ids.map((id) => rows.filter((f) => f.project.id === id));
  });
}
