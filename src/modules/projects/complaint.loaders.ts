import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProjectComplaint } from './complaint.entity.js';

declare module '../../core/context.js' {
  interface RequestLoaders {
    /** Complaints per project id, oldest first. */
    complaints: DataLoader<number, ProjectComplaint[]>;
  }
}

/** One query per list of projects, not one per project (`ctx.loaders.complaints`). */
export function complaintsLoader(em: EntityManager): DataLoader<number, ProjectComplaint[]> {
  return new DataLoader(async (ids) => {
    const rows = await em.find(ProjectComplaint, { project: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
    const grouped = new Map<number, ProjectComplaint[]>();
    for (const row of rows) grouped.set(row.project.id, [...(grouped.get(row.project.id) ?? []), row]);
    return ids.map((id) => grouped.get(id) ?? []);
  });
}
