import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ref } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { emitEvent, Topic } from '../../core/events/outbox.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Region, type RegionLevel } from '../regions/region.entity.js';

/**
 * Regions and service categories, held in memory by every process and read synchronously.
 *
 * Nearly every object the API returns names a region and a category, and a page of 100 demands with
 * `region { parent }` and `category` used to cost two batched queries and a few hundred MikroORM
 * references per request. The whole reference data is a few hundred rows (a few thousand for all of
 * China) that change only on an admin's import, so each process keeps a snapshot instead.
 *
 * Freshness: every write of reference data announces itself with a `reference.changed` event in its
 * own transaction (`announceReferenceChange`), so every process's relay — which replays what it
 * missed after a disconnect — tells its cache to reload; the writing process reloads before its
 * mutation answers. A code the snapshot does not know yet (a row written without the announcement,
 * or read in the moment before the reload) is loaded from the database for that request, and starts
 * a reload. Only a change that bypasses the announcement (a hand-written UPDATE) stays unseen until
 * the next reload.
 *
 * The snapshot's objects are read-only records with Region's and ServiceCategory's prototypes (so
 * GraphQL's `id` and type resolution see the entity types); they are not in any identity map and
 * must never be persisted. Write paths load real entities.
 */

/** Writes the `reference.changed` event in the caller's transaction; call it last, as any emit. */
export function announceReferenceChange(em: EntityManager): Promise<number> {
  return emitEvent(em, {
    topic: Topic.REFERENCE_CHANGED,
    entityId: 0,
    categoryPath: [],
    regionPath: [],
    targetGroups: [],
  });
}

interface RegionRow {
  code: string;
  name: string;
  name_en: string;
  level: RegionLevel;
  path: string[];
}
interface CategoryRow {
  code: string;
  name: string;
  name_en: string;
  sort_order: number;
  path: string[];
}

/** One immutable load of the reference tables. */
class Snapshot {
  readonly regions = new Map<string, Region>();
  readonly categories = new Map<string, ServiceCategory>();
  readonly regionChildren = new Map<string, Region[]>();
  readonly categoryChildren = new Map<string, ServiceCategory[]>();

  constructor(regionRows: RegionRow[], categoryRows: CategoryRow[]) {
    for (const row of regionRows) {
      this.regions.set(
        row.code,
        record(Region, {
          code: row.code,
          name: row.name,
          nameEn: row.name_en,
          level: row.level,
          path: row.path,
        }),
      );
    }
    for (const row of categoryRows) {
      this.categories.set(
        row.code,
        record(ServiceCategory, {
          code: row.code,
          name: row.name,
          nameEn: row.name_en,
          sortOrder: row.sort_order,
          path: row.path,
        }),
      );
    }
    groupChildren(this.regions, this.regionChildren, (a, b) => compare(a.code, b.code));
    groupChildren(
      this.categories,
      this.categoryChildren,
      (a, b) => a.sortOrder - b.sortOrder || compare(a.code, b.code),
    );
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A read-only object with the entity's prototype and the given values as its own properties (the
 * entity prototype may carry MikroORM's change-tracking accessors, which a record must not use).
 * `parent` and `children` are own nulls: the cache answers those by code.
 */
function record<T extends object>(type: new () => T, values: Partial<T>): T {
  const target = Object.create(type.prototype as object) as T;
  Object.defineProperties(target, {
    ...Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, { value, enumerable: true, writable: false }]),
    ),
    parent: { value: null },
    children: { value: null },
  });
  return Object.freeze(target);
}

/** Parents' children lists, in the given order; the key is the parent's code. */
function groupChildren<T extends { code: string; path: string[] }>(
  all: Map<string, T>,
  into: Map<string, T[]>,
  order: (a: T, b: T) => number,
): void {
  for (const item of all.values()) {
    const parent = item.path.at(-2);
    if (parent === undefined) continue;
    const siblings = into.get(parent) ?? [];
    siblings.push(item);
    into.set(parent, siblings);
  }
  for (const siblings of into.values()) siblings.sort(order);
}

/**
 * The least time between two reloads that misses start: a code that is missing from the database
 * too (an array element no foreign key guards) must not make every request reload the snapshot.
 */
const MISS_RELOAD_INTERVAL_MS = 5_000;

/** After a failed reload (the database away), the next try; the event that asked is already consumed. */
const RETRY_AFTER_FAILURE_MS = 5_000;

/** A value now, or once a database read completes (GraphQL resolvers accept both). */
type Now<T> = T | Promise<T>;

export class ReferenceCache {
  private snapshot = new Snapshot([], []);
  private orm: MikroORM | null = null;
  private log: Logger | null = null;
  /** The reload in flight, and whether another must follow it (a change arrived meanwhile). */
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private lastMissReload = -Infinity;
  private retryTimer: NodeJS.Timeout | undefined;

  /** Loads the first snapshot; `reload` and the event listener keep it current from then on. */
  async start(orm: MikroORM, log: Logger): Promise<void> {
    this.orm = orm;
    this.log = log;
    await this.reload();
  }

  /** Stops retrying a failed reload (the app is shutting down). */
  stop(): void {
    clearTimeout(this.retryTimer);
    this.orm = null;
  }

  /**
   * Reloads the snapshot; resolves once a load that began after this call has finished (so a caller
   * that just committed a change sees it). Concurrent calls share loads.
   */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading.then(() => this.reloading ?? undefined);
    }
    this.reloading = this.load().finally(() => {
      this.reloading = null;
      if (this.reloadAgain) {
        this.reloadAgain = false;
        void this.reload();
      }
    });
    return this.reloading;
  }

  /** A reload for a code the snapshot lacks; at most one per MISS_RELOAD_INTERVAL_MS. */
  private reloadAfterMiss(): void {
    const now = performance.now();
    if (now - this.lastMissReload < MISS_RELOAD_INTERVAL_MS) return;
    this.lastMissReload = now;
    void this.reload();
  }

  private async load(): Promise<void> {
    const orm = this.orm;
    if (!orm) return;
    try {
      const connection = orm.em.getConnection();
      const [regions, categories] = await Promise.all([
        connection.execute<RegionRow[]>('select code, name, name_en, level, path from region'),
        connection.execute<CategoryRow[]>(
          'select code, name, name_en, sort_order, path from service_category',
        ),
      ]);
      this.snapshot = new Snapshot(regions, categories);
    } catch (error) {
      // The old snapshot keeps serving, misses still go to the database, and a retry follows.
      this.log?.error({ err: error }, 'reference data reload failed; retrying');
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.reload(), RETRY_AFTER_FAILURE_MS);
      this.retryTimer.unref();
    }
  }

  /** A region by code: from the snapshot, or (unknown to it) from the database, starting a reload. */
  region(em: EntityManager, code: string): Now<Region> {
    const region = this.snapshot.regions.get(code);
    if (region) return region;
    this.reloadAfterMiss();
    return ref(em.getReference(Region, code)).loadOrFail({ dataloader: true });
  }

  /** Regions by code, in the order given. */
  regions(em: EntityManager, codes: readonly string[]): Now<Region[]> {
    const found = codes.map((code) => this.region(em, code));
    return found.some((r) => r instanceof Promise) ? Promise.all(found) : (found as Region[]);
  }

  /** The region above `region`, or null for a province. */
  regionParent(em: EntityManager, region: Region): Now<Region> | null {
    const parent = region.path.at(-2);
    return parent === undefined ? null : this.region(em, parent);
  }

  /** Regions directly below `region`, in code order. */
  regionChildren(em: EntityManager, region: Region): Now<Region[]> {
    if (this.snapshot.regions.has(region.code)) return this.snapshot.regionChildren.get(region.code) ?? [];
    this.reloadAfterMiss();
    return em.find(Region, { parent: region.code }, { orderBy: { code: 'asc' } });
  }

  /** A category by code: from the snapshot, or (unknown to it) from the database, starting a reload. */
  category(em: EntityManager, code: string): Now<ServiceCategory> {
    const category = this.snapshot.categories.get(code);
    if (category) return category;
    this.reloadAfterMiss();
    return ref(em.getReference(ServiceCategory, code)).loadOrFail({ dataloader: true });
  }

  /** Categories by code, in the order given. */
  categories(em: EntityManager, codes: readonly string[]): Now<ServiceCategory[]> {
    const found = codes.map((code) => this.category(em, code));
    return found.some((c) => c instanceof Promise) ? Promise.all(found) : (found as ServiceCategory[]);
  }

  /** The category above `category`, or null at the top level. */
  categoryParent(em: EntityManager, category: ServiceCategory): Now<ServiceCategory> | null {
    const parent = category.path.at(-2);
    return parent === undefined ? null : this.category(em, parent);
  }

  /** Categories directly below `category`, by sort order then code. */
  categoryChildren(em: EntityManager, category: ServiceCategory): Now<ServiceCategory[]> {
    if (this.snapshot.categories.has(category.code))
      return this.snapshot.categoryChildren.get(category.code) ?? [];
    this.reloadAfterMiss();
    return em.find(
      ServiceCategory,
      { parent: category.code },
      { orderBy: { sortOrder: 'asc', code: 'asc' } },
    );
  }
}
