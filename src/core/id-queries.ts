import {
  wrap,
  type EntityClass,
  type Primary,
  type EntityData,
  type EntityName,
  type FilterQuery,
} from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { queryFirstRow } from './db/pooled-query.js';
import { RecordReader, type RawRow, type ReadRecord } from './read-records.js';

/**
 * Ids of the rows matching `where`, read without hydrating entities. A partial load (`fields: ['id']`)
 * would put half-filled entities in the request's identity map, and a later relation load in the same
 * request would return them as if complete (e.g. an organization without its name).
 */
export async function selectIds<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
): Promise<number[]> {
  const rows = await em
    .createQueryBuilder(entity)
    .select('id')
    .where(where)
    .execute<{ id: string | number }[]>('all', false);
  return rows.map((row) => Number(row.id));
}

/** An entity this request already loaded with this id (as findOne answers from the identity map). */
function alreadyLoaded<T extends object>(em: EntityManager, entity: EntityClass<T>, id: number): T | null {
  const known = em.getUnitOfWork().getById<T>(entity.name, id as Primary<T>);
  return known && wrap(known).isInitialized() ? known : null;
}

/**
 * The entity with this id, as `em.findOne(entity, { id })` returns it (merged into the request's
 * identity map), but read by a statement built once per entity instead of per call. In a profile
 * of `organization(id:)`, MikroORM's find path with knex compiling the same SELECT again was about
 * half of the server's CPU; with this, the benchmark's lookup went from 1.55 to 0.71 ms of CPU.
 * The statement reads the columns a full record reads: every eagerly loaded column.
 */
export async function findById<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  id: number,
): Promise<T | null> {
  const known = alreadyLoaded(em, entity, id);
  if (known) return known;
  const sql = RecordReader.for(em, entity).byIdStatement;
  const row = await em.getConnection().execute<EntityData<T>>(sql, [id], 'get', em.getTransactionContext());
  return row ? em.map(entity, row) : null;
}

/**
 * The entity with this id as a read-only record (read-records.ts) of `properties` (null: all), for
 * read paths only: no identity-map entry, no hydration. An entity this request already loaded is
 * returned as is.
 */
export async function readById<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  id: number,
  properties: ReadonlySet<string> | null = null,
): Promise<ReadRecord<T> | null> {
  const known = alreadyLoaded(em, entity, id);
  if (known) return known as ReadRecord<T>;
  const reader = RecordReader.for(em, entity).only(properties);
  const transaction = em.getTransactionContext();
  // Outside a transaction, straight to node-postgres: the lookup's hot path (db/pooled-query.ts).
  const row = transaction
    ? await em.getConnection().execute<RawRow>(reader.byIdStatement, [id], 'get', transaction)
    : await queryFirstRow(em, reader.byIdQuery.text, [id], reader.byIdQuery.name);
  return row ? reader.record(em, row) : null;
}
