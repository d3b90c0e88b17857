import { Cursor, Reference, type FilterQuery, type Primary, type Ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pageFromCursor, pageOptions, type ConnectionArgs, type Page } from '../../core/relay/connection.js';
import { User } from '../accounts/user.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Region } from '../regions/region.entity.js';
import { Demand } from './demand.entity.js';

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

/** The row values a record holds as its own plain properties. */
const SCALARS = [
  'id',
  'title',
  'description',
  'categoryPath',
  'regionPath',
  'targetGroups',
  'urgency',
  'peopleAffected',
  'endorsementCount',
  'source',
  'anonymous',
  'contact',
  'contactConsent',
  'status',
  'claimedAt',
  'lastProgressAt',
  'closeReason',
  'rating',
  'ratingComment',
  'ratedAt',
  'expiresAt',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof Demand)[];

/** A `demand` row as QueryBuilder maps it (property names, dates parsed; bigints as strings). */
type DemandRow = Pick<Demand, (typeof SCALARS)[number]> & {
  category: string;
  region: string;
  submittedBy: string | number;
  claimedBy: string | number | null;
  duplicateOf: string | number | null;
};

/**
 * One prototype for all records: Demand's, with the references as getters over the stored keys.
 * The scalars are plain writable slots here because MikroORM puts change-tracking accessors for
 * them on Demand's prototype once the ORM starts; a record must not go through those (they create
 * an entity helper per object), so its values become own properties instead.
 */
const recordPrototype: object = Object.create(Demand.prototype, {
  ...Object.fromEntries(
    SCALARS.map((name) => [name, { value: undefined, writable: true, enumerable: true, configurable: true }]),
  ),
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

const idOrNull = (value: string | number | null): number | null => (value === null ? null : Number(value));

/** Turns a mapped row into a record bound to `em` for its lazy references. */
function toRecord(em: EntityManager, row: DemandRow): DemandRecord {
  const record = Object.create(recordPrototype) as DemandRecord;
  // A plain assignment, cheaper than defineProperty per record (a symbol key is never enumerated).
  (record as { [KEYS]: RecordKeys })[KEYS] = {
    em,
    categoryCode: row.category,
    regionCode: row.region,
    submittedById: Number(row.submittedBy),
    claimedById: idOrNull(row.claimedBy),
    duplicateOfId: idOrNull(row.duplicateOf),
  };
  const target = record as unknown as Record<string, unknown>;
  for (const name of SCALARS) target[name] = row[name];
  record.id = Number(row.id); // bigint comes as a string
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
  const rows = await qb.execute<DemandRow[]>('all', true);
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
