import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ref, type EntityClass, type FilterQuery, type Primary } from '@mikro-orm/core';
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
 * a reload. A reload that fails (the database away) is retried every few seconds. Only a change that
 * bypasses the announcement (a hand-written UPDATE) stays unseen until the next reload.
 *
 * The snapshot's objects are read-only records with Region's and ServiceCategory's prototypes (so
 * GraphQL's `id` and type resolution see the entity types); they are not in any identity map and
 * must never be persisted. Write paths load real entities.
 */

/** Writes the `reference.changed` event in the caller's transaction; call it last, like every emit. */
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

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One tree of reference data (the regions, or the categories), swapped whole on every reload. */
export class ReferenceTree<T extends { code: string; path: string[] }> {
  private byCode = new Map<string, T>();
  private children = new Map<string, T[]>();

  constructor(
    private readonly type: EntityClass<T>,
    /** Siblings' order, as the entity's `children` collection orders them. */
    private readonly order: (a: T, b: T) => number,
    /** Told of a code the snapshot lacks (the cache reloads). */
    private readonly onMiss: () => void,
  ) {}

  /** Replaces the snapshot with these records. */
  replace(items: readonly T[]): void {
    const byCode = new Map(items.map((item) => [item.code, item]));
    const children = new Map<string, T[]>();
    for (const item of items) {
      const parent = item.path.at(-2);
      if (parent === undefined) continue;
      const siblings = children.get(parent) ?? [];
      siblings.push(item);
      children.set(parent, siblings);
    }
    for (const siblings of children.values()) siblings.sort(this.order);
    this.byCode = byCode;
    this.children = children;
  }

  /** One by code: from the snapshot, or (unknown to it) from the database, starting a reload. */
  get(em: EntityManager, code: string): Now<T> {
    const item = this.byCode.get(code);
    if (item) return item;
    this.onMiss();
    return ref(em.getReference(this.type, code as Primary<T>)).loadOrFail({ dataloader: true });
  }

  /**
   * One by code, or null when the database has none either: for checking a code a client sent (a
   * write path), where an unknown code is the client's mistake, not a missing row.
   */
  find(em: EntityManager, code: string): Now<T | null> {
    const item = this.byCode.get(code);
    if (item) return item;
    this.onMiss();
    return em.findOne(this.type, { code } as FilterQuery<T>);
  }

  /** Several by code, in the order given. */
  many(em: EntityManager, codes: readonly string[]): Now<T[]> {
    const found = codes.map((code) => this.get(em, code));
    return found.some((item) => item instanceof Promise) ? Promise.all(found) : (found as T[]);
  }

  /** The one above `item`, or null at the top. */
  parentOf(em: EntityManager, item: T): Now<T> | null {
    const parent = item.path.at(-2);
    return parent === undefined ? null : this.get(em, parent);
  }

  /** The ones directly below `item`, in siblings' order. */
  childrenOf(em: EntityManager, item: T): Now<T[]> {
    if (this.byCode.has(item.code)) return this.children.get(item.code) ?? [];
    this.onMiss();
    return em
      .find(this.type, { parent: item.code } as FilterQuery<T>)
      .then((found) => [...found].sort(this.order));
  }
}

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

/**
 * The least time between two reloads that misses start: a code that is missing from the database
 * too (an array element no foreign key guards) must not make every request reload the snapshot.
 */
const MISS_RELOAD_INTERVAL_MS = 5_000;

/** After a failed reload (the database away), the next try; the event that asked is already consumed. */
const RETRY_AFTER_FAILURE_MS = 5_000;

/** A value now, or once a database read completes (GraphQL resolvers accept both). */
type Now<T> = T | Promise<T>;

/** The process's regions and categories (see the module comment); one per process, in the services. */
export class ReferenceCache {
  readonly regions = new ReferenceTree(
    Region,
    (a, b) => compare(a.code, b.code),
    () => this.reloadAfterMiss(),
  );
  readonly categories = new ReferenceTree(
    ServiceCategory,
    (a, b) => a.sortOrder - b.sortOrder || compare(a.code, b.code),
    () => this.reloadAfterMiss(),
  );
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
      this.regions.replace(
        regions.map((row) =>
          record(Region, {
            code: row.code,
            name: row.name,
            nameEn: row.name_en,
            level: row.level,
            path: row.path,
          }),
        ),
      );
      this.categories.replace(
        categories.map((row) =>
          record(ServiceCategory, {
            code: row.code,
            name: row.name,
            nameEn: row.name_en,
            sortOrder: row.sort_order,
            path: row.path,
          }),
        ),
      );
    } catch (error) {
      // The old snapshot keeps serving, misses still go to the database, and a retry follows.
      this.log?.error({ err: error }, 'reference data reload failed; retrying');
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.reload(), RETRY_AFTER_FAILURE_MS);
      this.retryTimer.unref();
    }
  }
}
