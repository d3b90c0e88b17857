import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ref, type EntityClass, type FilterQuery, type Primary } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { emitEvent, Topic } from '../../core/events/outbox.js';
import { RecordReader, type RawRow, type ReadRecord } from '../../core/read-records.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Region } from '../regions/region.entity.js';

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
 * The snapshot's objects are read-only records (core/read-records.ts, the same RecordReader as every
 * read path, frozen since every request shares them) with Region's and ServiceCategory's prototypes,
 * so GraphQL's `id` and type resolution see the entity types; they are not in any identity map and
 * must never be persisted: write paths load real entities or take references by code. Their
 * `parent` is not read (reading it throws): the cache answers parents and children by code.
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

/** What a snapshot record reads of a region and of a category (besides the code, their key). */
const REGION_PROPERTIES: ReadonlySet<string> = new Set(['name', 'nameEn', 'level', 'path']);
const CATEGORY_PROPERTIES: ReadonlySet<string> = new Set(['name', 'nameEn', 'sortOrder', 'path']);

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One tree of reference data (the regions, or the categories), swapped whole on every reload. */
export class ReferenceTree<E extends { code: string; path: string[] }> {
  private byCode = new Map<string, ReadRecord<E>>();
  private children = new Map<string, ReadRecord<E>[]>();
  private top: ReadRecord<E>[] = [];

  constructor(
    private readonly type: EntityClass<E>,
    /** Siblings' order, as the entity's `children` collection orders them. */
    private readonly order: (a: ReadRecord<E>, b: ReadRecord<E>) => number,
    /** Told of a code the snapshot lacks (the cache reloads). */
    private readonly onMiss: () => void,
  ) {}

  /** Replaces the snapshot with these records. */
  replace(items: readonly ReadRecord<E>[]): void {
    const byCode = new Map(items.map((item) => [item.code, item]));
    const children = new Map<string, ReadRecord<E>[]>();
    const top: ReadRecord<E>[] = [];
    for (const item of items) {
      const parent = item.path.at(-2);
      if (parent === undefined) {
        top.push(item);
        continue;
      }
      const siblings = children.get(parent) ?? [];
      siblings.push(item);
      children.set(parent, siblings);
    }
    for (const siblings of children.values()) siblings.sort(this.order);
    top.sort(this.order);
    this.byCode = byCode;
    this.children = children;
    this.top = top;
  }

  /** One by code: from the snapshot, or (unknown to it) from the database, starting a reload. */
  get(em: EntityManager, code: string): Now<ReadRecord<E>> {
    const item = this.byCode.get(code);
    if (item) return item;
    this.onMiss();
    return asRead<E>(ref(em.getReference(this.type, code as Primary<E>)).loadOrFail({ dataloader: true }));
  }

  /**
   * One by code, or null when the database has none either: for checking a code a client sent (a
   * write path), where an unknown code is the client's mistake, not a missing row.
   */
  find(em: EntityManager, code: string): Now<ReadRecord<E> | null> {
    const item = this.byCode.get(code);
    if (item) return item;
    this.onMiss();
    return asRead<E>(em.findOne(this.type, { code } as FilterQuery<E>));
  }

  /** Several by code, in the order given. */
  many(em: EntityManager, codes: readonly string[]): Now<ReadRecord<E>[]> {
    const found = codes.map((code) => this.get(em, code));
    return found.some((item) => item instanceof Promise) ? Promise.all(found) : (found as ReadRecord<E>[]);
  }

  /** The one above `item`, or null at the top. */
  parentOf(em: EntityManager, item: ReadRecord<E>): Now<ReadRecord<E>> | null {
    const parent = item.path.at(-2);
    return parent === undefined ? null : this.get(em, parent);
  }

  /** The ones without a parent, in siblings' order (from the database until the first snapshot). */
  roots(em: EntityManager): Now<ReadRecord<E>[]> {
    if (this.byCode.size > 0) return this.top;
    this.onMiss();
    return asRead<E>(em.find(this.type, { parent: null } as FilterQuery<E>)).then((found) =>
      [...found].sort(this.order),
    );
  }

  /** The ones directly below `item`, in siblings' order. */
  childrenOf(em: EntityManager, item: ReadRecord<E>): Now<ReadRecord<E>[]> {
    if (this.byCode.has(item.code)) return this.children.get(item.code) ?? [];
    this.onMiss();
    return asRead<E>(em.find(this.type, { parent: item.code } as FilterQuery<E>)).then((found) =>
      [...found].sort(this.order),
    );
  }
}

/** Entities the database answered, seen as what the snapshot holds (an entity is a read-only view of itself). */
function asRead<E>(loaded: Promise<E>): Promise<ReadRecord<E>>;
function asRead<E>(loaded: Promise<E | null>): Promise<ReadRecord<E> | null>;
function asRead<E>(loaded: Promise<E[]>): Promise<ReadRecord<E>[]>;
function asRead(loaded: Promise<unknown>): Promise<unknown> {
  return loaded;
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
      // The records' own fork: it holds nothing but what a reader of a record's collection asks for.
      const em = orm.em.fork();
      const regionReader = RecordReader.for(em, Region).only(REGION_PROPERTIES);
      const categoryReader = RecordReader.for(em, ServiceCategory).only(CATEGORY_PROPERTIES);
      const connection = em.getConnection();
      const [regions, categories] = await Promise.all([
        connection.execute<RawRow[]>(`select ${regionReader.selectList()} from "region"`),
        connection.execute<RawRow[]>(`select ${categoryReader.selectList()} from "service_category"`),
      ]);
      this.regions.replace(regions.map((row) => Object.freeze(regionReader.record(em, row))));
      this.categories.replace(categories.map((row) => Object.freeze(categoryReader.record(em, row))));
    } catch (error) {
      // The old snapshot keeps serving, misses still go to the database, and a retry follows.
      this.log?.error({ err: error }, 'reference data reload failed; retrying');
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.reload(), RETRY_AFTER_FAILURE_MS);
      this.retryTimer.unref();
    }
  }
}
