import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProjectApplication } from './application.entity.js';
import { ProjectAmendment, ProjectInvitation } from './project.entity.js';
import { ApplicationStatus } from './project.enums.js';

/** The per-request batch loaders of the projects module. */
export interface ProjectLoaders {
  /** Winning applications per project id, oldest first. */
  awards: DataLoader<number, ProjectApplication[]>;
  /** Amendments per project id, oldest first. */
  amendments: DataLoader<number, ProjectAmendment[]>;
  /** Invited organization ids per project id. */
  invitations: DataLoader<number, number[]>;
}

/**
 * Every operation gets a fresh EntityManager fork (context.ts), so keying the loaders by it makes them
 * per-request without touching the shared context: a list of projects asking for `awards` and
 * `amendments` costs one query each, not one per project.
 */
const byEntityManager = new WeakMap<EntityManager, ProjectLoaders>();

export function projectLoaders(em: EntityManager): ProjectLoaders {
  let loaders = byEntityManager.get(em);
  if (!loaders) {
    loaders = {
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
    };
    byEntityManager.set(em, loaders);
  }
  return loaders;
}
