import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DemandProgress } from './demand.entity.js';

/**
 * The notes `Demand.progressNotes` shows: the latest ones, so that the list has a bound the query
 * cost can count (list-bounds.ts) however often an organization reports.
 */
export const PROGRESS_NOTES_SHOWN = 50;

declare module '../../core/context.js' {
  interface RequestLoaders {
    demandProgress: DemandProgressLoaders;
  }
}

/** The progress reads of one unit of work (`ctx.loaders.demandProgress`), batched per tick. */
export class DemandProgressLoaders {
  /** The latest notes of every demand asked about in one tick, in one statement. */
  private notes: DataLoader<number, DemandProgress[]> | null = null;
  /**
   * Per worker: which of the demands asked about in one tick she endorsed, in one statement. Keyed
   * by the user, not the Viewer: the live feed resolves one event for many subscribers in one
   * shared fork (and its loaders).
   */
  private readonly endorsements = new Map<number, DataLoader<number, boolean>>();

  constructor(private readonly em: EntityManager) {}

  /** The latest {@link PROGRESS_NOTES_SHOWN} notes of a demand, oldest first. */
  latestNotes(demandId: number): Promise<DemandProgress[]> {
    const em = this.em;
    this.notes ??= new DataLoader(async (demandIds: readonly number[]) => {
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
    return this.notes.load(demandId);
  }

  /** Whether the worker endorsed the demand. */
  endorsedBy(workerId: number, demandId: number): Promise<boolean> {
    let loader = this.endorsements.get(workerId);
    if (!loader) {
      const em = this.em;
      loader = new DataLoader(async (demandIds: readonly number[]) => {
        const rows = await em.execute<{ demand_id: string | number }[]>(
          `select demand_id from demand_endorsement where worker_id = ? and demand_id in (${demandIds.map(() => '?').join(', ')})`,
          [workerId, ...demandIds],
        );
        const endorsed = new Set(rows.map((r) => Number(r.demand_id)));
        return demandIds.map((id) => endorsed.has(id));
      });
      this.endorsements.set(workerId, loader);
    }
    return loader.load(demandId);
  }
}
