import type { EntityName, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

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
