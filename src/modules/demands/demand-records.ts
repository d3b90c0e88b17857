import { Cursor, raw, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pageFromCursor, pageOptions, type ConnectionArgs, type Page } from '../../core/relay/connection.js';
import { foreignKeyOf, isRecord, RecordReader, type RawRow } from '../../core/read-records.js';
import { Demand } from './demand.entity.js';

/**
 * The feed's read path without entity hydration. Hydrating a page of 100 demands as MikroORM
 * entities (each with five references, each reference an identity-map entry with propagation
 * hooks) was most of the feed's CPU and garbage; a page is only read, never changed, so its rows
 * become read-only records (core/read-records.ts). Every write path loads real entities.
 */

/** The code of a demand's region, without building a reference for a record. */
export function regionCodeOf(demand: Demand): string {
  return isRecord(demand) ? (foreignKeyOf(demand, 'region') as string) : demand.region.code;
}

/** The code of a demand's category, without building a reference for a record. */
export function categoryCodeOf(demand: Demand): string {
  return isRecord(demand) ? (foreignKeyOf(demand, 'category') as string) : demand.category.code;
}

/** The submitter's and claimant's ids, without building references for a record. */
export function partyIdsOf(demand: Demand): { submittedById: number; claimedById: number | null } {
  if (isRecord(demand)) {
    return {
      submittedById: foreignKeyOf(demand, 'submittedBy') as number,
      claimedById: foreignKeyOf(demand, 'claimedBy') as number | null,
    };
  }
  return { submittedById: demand.submittedBy.id, claimedById: demand.claimedBy?.id ?? null };
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
  const reader = RecordReader.for(em, Demand);
  const qb = em
    .createQueryBuilder(Demand, 'd')
    .select(raw(reader.selectList('d')))
    .where({ $and: and })
    .orderBy({ createdAt: queryDirection, id: queryDirection });
  if (limit != null) qb.limit(limit + 1); // one more, to know whether another page follows
  // Raw rows (no mapping to property names): the reader converts them as the hydrator would.
  const rows = await qb.execute<RawRow[]>('all', false);
  if (isLast) rows.reverse();
  const records = rows.map((row) => reader.record(em, row));
  const cursor = new Cursor<Demand, never, '*', never, boolean>(
    records,
    undefined as never,
    { ...options, orderBy: { createdAt: direction, id: direction }, overfetch: true },
    em.getMetadata().get(Demand.name),
  );
  return pageFromCursor(cursor, () => em.count(Demand, where));
}
