import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DemandProgress } from './demand.entity.js';

/**
 * The notes `Demand.progressNotes` shows: the latest ones, so that the list has a bound the query
 * cost can count (list-bounds.ts) however often an organization reports.
 */
export const PROGRESS_NOTES_SHOWN = 50;

/** Per operation: the latest notes of every demand asked about in one tick, in one statement. */
const notesLoaders = new WeakMap<EntityManager, DataLoader<number, DemandProgress[]>>();

/** The latest {@link PROGRESS_NOTES_SHOWN} notes of a demand, oldest first; batched per operation. */
export function latestProgressNotes(em: EntityManager, demandId: number): Promise<DemandProgress[]> {
  let loader = notesLoaders.get(em);
  if (!loader) {
    loader = new DataLoader(async (demandIds: readonly number[]) => {
      const rows = await em.execute<{ id: string | number }[]>(
        `select "id" from (
           select p."id", row_number() over (partition by p."demand_id" order by p."created_at" desc, p."id" desc) as "rn"
             from "demand_progress" p where p."demand_id" in (${demandIds.map(() => '?').join(', ')})) as "t"
          where "rn" <= ?`,
        [...demandIds, PROGRESS_NOTES_SHOWN],
      );
      const notes = rows.length
        ? await em.find(
            DemandProgress,
            { id: { $in: rows.map((r) => Number(r.id)) } },
            { orderBy: { createdAt: 'asc', id: 'asc' } },
          )
        : [];
      return demandIds.map((id) => notes.filter((n) => n.demand.id === id));
    });
    notesLoaders.set(em, loader);
  }
  return loader.load(demandId);
}

/**
 * Per operation and worker: which of the demands asked about in one tick she endorsed, in one
 * statement. Keyed by the user, not the Viewer: the live feed resolves one event for many
 * subscribers in one shared fork.
 */
const endorsementLoaders = new WeakMap<EntityManager, Map<number, DataLoader<number, boolean>>>();

/** Whether the worker endorsed the demand; batched per operation. */
export function endorsedBy(em: EntityManager, workerId: number, demandId: number): Promise<boolean> {
  let byWorker = endorsementLoaders.get(em);
  if (!byWorker) endorsementLoaders.set(em, (byWorker = new Map()));
  let loader = byWorker.get(workerId);
  if (!loader) {
    loader = new DataLoader(async (demandIds: readonly number[]) => {
      const rows = await em.execute<{ demand_id: string | number }[]>(
        `select demand_id from demand_endorsement where worker_id = ? and demand_id in (${demandIds.map(() => '?').join(', ')})`,
        [workerId, ...demandIds],
      );
      const endorsed = new Set(rows.map((r) => Number(r.demand_id)));
      return demandIds.map((id) => endorsed.has(id));
    });
    byWorker.set(workerId, loader);
  }
  return loader.load(demandId);
}
