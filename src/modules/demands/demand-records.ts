import { Cursor, Reference, type FilterQuery, type Primary, type Ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { pageFromCursor, pageOptions, type ConnectionArgs, type Page } from '../../core/relay/connection.js';
import { User } from '../accounts/user.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import type { TargetGroup } from '../categories/target-group.js';
import { Organization } from '../organizations/organization.entity.js';
import { Region } from '../regions/region.entity.js';
import { Demand } from './demand.entity.js';
import type { DemandSource, DemandStatus, DemandUrgency } from './demand.enums.js';

/**
 * The feed's read path without entity hydration. Hydrating a page of 100 demands as MikroORM
 * entities (each with five references, each reference an identity-map entry with propagation
 * hooks) was most of the feed's CPU and garbage; a page is only read, never changed, so its rows
 * become "records" instead: the row's values on an object whose prototype chain is Demand's (so
 * GraphQL's `id`, `nodeTypeName` and every field resolver see a Demand), with the references built
 * lazily, only when a nested field asks for one. Records are not in the identity map and must never
 * be changed or flushed; every write path loads real entities.
 */

const KEYS = Symbol('demandRecordKeys');

/** The foreign keys of a record, and the unit of work its lazy references belong to. */
interface RecordKeys {
  em: EntityManager;
  categoryCode: string;
  regionCode: string;
  submittedById: number;
  claimedById: number | null;
  duplicateOfId: number | null;
}

/** A demand row read for display only (see the module comment). */
export type DemandRecord = Demand & { readonly [KEYS]: RecordKeys };

/** Whether a demand is a read-only record rather than a managed entity. */
export function isDemandRecord(demand: Demand): demand is DemandRecord {
  return KEYS in demand;
}

/** The code of a demand's region, without building a reference for a record. */
export function regionCodeOf(demand: Demand): string {
  return isDemandRecord(demand) ? demand[KEYS].regionCode : demand.region.code;
}

/** The code of a demand's category, without building a reference for a record. */
export function categoryCodeOf(demand: Demand): string {
  return isDemandRecord(demand) ? demand[KEYS].categoryCode : demand.category.code;
}

/** The submitter's and claimant's ids, without building references for a record. */
export function partyIdsOf(demand: Demand): { submittedById: number; claimedById: number | null } {
  if (isDemandRecord(demand)) {
    const { submittedById, claimedById } = demand[KEYS];
    return { submittedById, claimedById };
  }
  return { submittedById: demand.submittedBy.id, claimedById: demand.claimedBy?.id ?? null };
}

/** A reference through the record's unit of work (identity map hit when already known). */
function lazyRef<T extends object>(record: DemandRecord, type: new () => T, key: string | number): Ref<T> {
  return Reference.create<T>(record[KEYS].em.getReference<T>(type, key as Primary<T>));
}

// One prototype for all records: Demand's, with the references as getters over the stored keys.
const recordPrototype: object = Object.create(Demand.prototype, {
  category: {
    get(this: DemandRecord) {
      return lazyRef(this, ServiceCategory, this[KEYS].categoryCode);
    },
  },
  region: {
    get(this: DemandRecord) {
      return lazyRef(this, Region, this[KEYS].regionCode);
    },
  },
  submittedBy: {
    get(this: DemandRecord) {
      return lazyRef(this, User, this[KEYS].submittedById);
    },
  },
  claimedBy: {
    get(this: DemandRecord) {
      const id = this[KEYS].claimedById;
      return id === null ? null : lazyRef(this, Organization, id);
    },
  },
  duplicateOf: {
    get(this: DemandRecord) {
      const id = this[KEYS].duplicateOfId;
      return id === null ? null : lazyRef(this, Demand, id);
    },
  },
});

/** A `demand` row as PostgreSQL returns it (bigints as strings). */
interface DemandRow {
  id: string | number;
  title: string;
  description: string;
  category_code: string;
  category_path: string[];
  region_code: string;
  region_path: string[];
  target_groups: TargetGroup[];
  urgency: DemandUrgency;
  people_affected: number;
  endorsement_count: number;
  source: DemandSource;
  submitted_by_id: string | number;
  anonymous: boolean;
  contact: string | null;
  contact_consent: boolean;
  status: DemandStatus;
  duplicate_of_id: string | number | null;
  claimed_by_id: string | number | null;
  claimed_at: Date | null;
  last_progress_at: Date | null;
  close_reason: string | null;
  rating: number | null;
  rating_comment: string | null;
  rated_at: Date | null;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

const idOrNull = (value: string | number | null): number | null => (value === null ? null : Number(value));

/** Turns a row into a record bound to `em` for its lazy references. */
function toRecord(em: EntityManager, row: DemandRow): DemandRecord {
  const record = Object.create(recordPrototype) as DemandRecord;
  Object.defineProperty(record, KEYS, {
    value: {
      em,
      categoryCode: row.category_code,
      regionCode: row.region_code,
      submittedById: Number(row.submitted_by_id),
      claimedById: idOrNull(row.claimed_by_id),
      duplicateOfId: idOrNull(row.duplicate_of_id),
    } satisfies RecordKeys,
  });
  record.id = Number(row.id);
  record.title = row.title;
  record.description = row.description;
  record.categoryPath = row.category_path;
  record.regionPath = row.region_path;
  record.targetGroups = row.target_groups;
  record.urgency = row.urgency;
  record.peopleAffected = row.people_affected;
  record.endorsementCount = row.endorsement_count;
  record.source = row.source;
  record.anonymous = row.anonymous;
  record.contact = row.contact;
  record.contactConsent = row.contact_consent;
  record.status = row.status;
  record.claimedAt = row.claimed_at;
  record.lastProgressAt = row.last_progress_at;
  record.closeReason = row.close_reason;
  record.rating = row.rating;
  record.ratingComment = row.rating_comment;
  record.ratedAt = row.rated_at;
  record.expiresAt = row.expires_at;
  record.createdAt = row.created_at;
  record.updatedAt = row.updated_at;
  return record;
}

type Direction = 'asc' | 'desc';

/**
 * The keyset condition MikroORM's `findByCursor` builds for `(createdAt, id)` in one direction:
 * rows strictly after the cursor's position (or before it, for `before`).
 */
function cursorCondition(cursor: string, direction: Direction, inverse: boolean): FilterQuery<Demand> {
  const offsets: unknown[] = Cursor.decode(cursor);
  if (offsets.length !== 2) return {}; // as findByCursor: a cursor of another shape does not filter
  const [createdAt, id] = offsets as [Date, number];
  const op = (direction === 'desc') !== inverse ? '$lt' : '$gt';
  return { $or: [{ createdAt: { [op]: createdAt } }, { createdAt, id: { [op]: id } }] };
}

/**
 * One page of demands matching `where`, ordered by (createdAt, id) in `direction`, as records, with
 * MikroORM's own Cursor for the edge cursors and page info, so cursors stay interchangeable with
 * `em.findByCursor`'s. One SQL statement (plus the count, only if asked for).
 */
export async function demandRecordPage(
  em: EntityManager,
  where: FilterQuery<Demand>,
  args: ConnectionArgs,
  direction: Direction,
): Promise<Page<Demand>> {
  const options = pageOptions(args);
  const isLast = options.first == null && options.last != null;
  const limit = options.first ?? options.last;
  const queryDirection: Direction = isLast ? (direction === 'desc' ? 'asc' : 'desc') : direction;
  const and: FilterQuery<Demand>[] = [where];
  if (options.after) and.push(cursorCondition(options.after, direction, false));
  if (options.before) and.push(cursorCondition(options.before, direction, true));
  const qb = em
    .createQueryBuilder(Demand, 'd')
    .select('*')
    .where({ $and: and })
    .orderBy({ createdAt: queryDirection, id: queryDirection });
  if (limit != null) qb.limit(limit + 1); // one more, to know whether another page follows
  const rows = await qb.execute<DemandRow[]>('all', false);
  if (isLast) rows.reverse();
  const records = rows.map((row) => toRecord(em, row));
  const cursor = new Cursor<Demand, never, '*', never, boolean>(
    records,
    undefined as never,
    { ...options, orderBy: { createdAt: direction, id: direction }, overfetch: true },
    em.getMetadata().get(Demand.name),
  );
  return pageFromCursor(cursor, () => em.count(Demand, where));
}

/** Per unit of work: regions by code, each batch also loading its ancestors (see `regionOf`). */
const regionLoaders = new WeakMap<EntityManager, DataLoader<{ code: string; path: readonly string[] }, Region, string>>();

/**
 * A demand's region, batched across the operation; each batch also loads the regions on the demands'
 * paths (province → city → district) into the identity map, so `region { parent { … } }` is answered
 * from it instead of a further query per level.
 */
export function regionOf(em: EntityManager, demand: Demand): Promise<Region> {
  let loader = regionLoaders.get(em);
  if (!loader) {
    loader = new DataLoader(
      async (keys) => {
        const codes = new Set<string>();
        for (const key of keys) {
          codes.add(key.code);
          for (const code of key.path) codes.add(code);
        }
        const regions = await em.find(Region, { code: { $in: [...codes] } });
        const byCode = new Map(regions.map((r) => [r.code, r]));
        return keys.map((key) => byCode.get(key.code) ?? new Error(`Region ${key.code} not found`));
      },
      { cacheKeyFn: (key) => key.code },
    );
    regionLoaders.set(em, loader);
  }
  return loader.load({ code: regionCodeOf(demand), path: demand.regionPath });
}
