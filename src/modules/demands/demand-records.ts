import { Cursor } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pageFromCursor, pageOptions, type ConnectionArgs, type Page } from '../../core/relay/connection.js';
import { foreignKeyOf, RecordReader, type RawRow, type ReadRecord } from '../../core/read-records.js';
import { Demand } from './demand.entity.js';
import { addCursor, FeedConditions } from './demand-feed.sql.js';

/**
 * The feed's read path without entity hydration. Hydrating a page of 100 demands as MikroORM
 * entities (each with five references, each reference an identity-map entry with propagation
 * hooks) was most of the feed's CPU and garbage; a page is only read, never changed, so its rows
 * become read-only records (core/read-records.ts). Every write path loads real entities.
 */

/*
 * The keys below are read with `foreignKeyOf` (read-records.ts), which reads a record's stored
 * foreign keys without building references. They run once per subscriber and event on the live feed.
 */

/** The code of a demand's region. */
export function regionCodeOf(demand: ReadRecord<Demand>): string {
  return foreignKeyOf<Demand>(demand, 'region') as string;
}

/** The code of a demand's category. */
export function categoryCodeOf(demand: ReadRecord<Demand>): string {
  return foreignKeyOf<Demand>(demand, 'category') as string;
}

/** The submitter's and claimant's ids. */
export function partyIdsOf(demand: ReadRecord<Demand>): {
  submittedById: number;
  claimedById: number | null;
} {
  return {
    submittedById: foreignKeyOf<Demand>(demand, 'submittedBy') as number,
    claimedById: foreignKeyOf<Demand>(demand, 'claimedBy') as number | null,
  };
}

type Direction = 'asc' | 'desc';

/**
 * One page of the demands matching `where` (conditions on `demand d`, demand-feed.sql.ts), ordered
 * by (createdAt, id) in `direction`, as records of `properties` (null: all; demand-selection.ts),
 * with MikroORM's own Cursor for the edge cursors and page info, so cursors stay interchangeable
 * with `em.findByCursor`'s. One SQL statement (plus the count, only if asked for).
 */
export async function demandRecordPage(
  em: EntityManager,
  where: FeedConditions,
  args: ConnectionArgs,
  direction: Direction,
  properties: ReadonlySet<string> | null,
): Promise<Page<ReadRecord<Demand>>> {
  const options = pageOptions(args);
  const isLast = options.first == null && options.last != null;
  const limit = options.first ?? options.last;
  const queryDirection = isLast ? (direction === 'desc' ? 'asc' : 'desc') : direction;
  const page = new FeedConditions().add(where.sql, ...where.params);
  if (options.after) addCursor(page, options.after, direction, false);
  if (options.before) addCursor(page, options.before, direction, true);
  const reader = RecordReader.for(em, Demand).only(properties);
  // One more row than asked for, to know whether another page follows.
  const sql =
    `select ${reader.selectList('d')} from "demand" as "d" where ${page.sql}` +
    ` order by "d"."created_at" ${queryDirection}, "d"."id" ${queryDirection}` +
    (limit != null ? ` limit ${limit + 1}` : '');
  const rows = await em
    .getConnection()
    .execute<RawRow[]>(sql, page.params, 'all', em.getTransactionContext());
  if (isLast) rows.reverse();
  const records = rows.map((row) => reader.record(em, row));
  // MikroORM's Cursor only reads the keyset properties of the rows it is given.
  const cursor = new Cursor<Demand, never, '*', never, boolean>(
    records as Demand[],
    undefined as never,
    { ...options, orderBy: { createdAt: direction, id: direction }, overfetch: true },
    em.getMetadata().get(Demand.name),
  );
  return pageFromCursor(cursor, async () => {
    const [row] = await em
      .getConnection()
      .execute<{ count: string }[]>(
        `select count(*) as count from "demand" as "d" where ${where.sql}`,
        where.params,
        'all',
        em.getTransactionContext(),
      );
    return Number(row?.count ?? 0);
  });
}
