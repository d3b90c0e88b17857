import { Cursor } from '@mikro-orm/core';
import { addServableBy } from './demand.policy.js';
import type { OrganizationScope } from './demand-matching.js';
import type { DemandFilter } from './demand.args.js';

/**
 * The feed's WHERE clause, written as SQL over the `demand` table aliased `d`. MikroORM's
 * QueryBuilder built the same conditions from a filter object on every request; in the nested
 * read's profile that (criteria nodes, knex compiling) was about 15 % of the server's CPU, for a
 * statement whose shape is fixed. The conditions are few and fixed, so they are written here, with
 * `?` placeholders (MikroORM's connection numbers them) and one value per placeholder.
 *
 * Each array condition uses a GIN-indexed array operator on the demand's paths or groups. Who may
 * see a row, and which an organization can serve, are demand.policy.ts's (`addVisibility`,
 * `addServableBy`), beside the rules they mirror.
 */
export class FeedConditions {
  private readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  /** Adds `sql`, whose `?` placeholders take `values` in order. */
  add(sql: string, ...values: unknown[]): this {
    this.conditions.push(sql);
    this.params.push(...values);
    return this;
  }

  /** The conditions joined by AND (`true` when there are none). */
  get sql(): string {
    return this.conditions.length ? this.conditions.map((c) => `(${c})`).join(' and ') : 'true';
  }
}

/** `?, ?, ?` for a list of values (never empty: callers skip empty lists). */
export const placeholders = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

/** A text[] literal from its elements, as a parameterised ARRAY constructor. */
export const textArray = (values: readonly unknown[]): string => `array[${placeholders(values)}]::text[]`;

/** The feed's own filter (`demands(filter:)`); `servableBy` is the organization it names, if any. */
export function addFilter(
  where: FeedConditions,
  filter: DemandFilter,
  servableBy: OrganizationScope | null,
): void {
  if (filter.categoryCode)
    where.add(`d.category_path @> ${textArray([filter.categoryCode])}`, filter.categoryCode);
  if (filter.regionCode) where.add(`d.region_path @> ${textArray([filter.regionCode])}`, filter.regionCode);
  if (filter.targetGroups?.length) {
    where.add(`d.target_groups && ${textArray(filter.targetGroups)}`, ...filter.targetGroups);
  }
  if (filter.statuses?.length)
    where.add(`d.status in (${placeholders(filter.statuses)})`, ...filter.statuses);
  if (filter.urgency?.length) where.add(`d.urgency in (${placeholders(filter.urgency)})`, ...filter.urgency);
  if (filter.createdAfter) where.add('d.created_at >= ?', filter.createdAfter);
  if (filter.createdBefore) where.add('d.created_at < ?', filter.createdBefore);
  if (servableBy) addServableBy(where, servableBy);
}

/**
 * Keyset pagination on (created_at, id): the rows strictly after the cursor's position in
 * `direction` (before it when `inverse`), as MikroORM's `findByCursor` builds it, so cursors stay
 * interchangeable with MikroORM's own.
 */
export function addCursor(
  where: FeedConditions,
  cursor: string,
  direction: 'asc' | 'desc',
  inverse: boolean,
): void {
  const offsets: unknown[] = Cursor.decode(cursor);
  if (offsets.length !== 2) return; // as findByCursor: a cursor of another shape does not filter
  const [createdAt, id] = offsets;
  const op = (direction === 'desc') !== inverse ? '<' : '>';
  where.add(`d.created_at ${op} ? or (d.created_at = ? and d.id ${op} ?)`, createdAt, createdAt, id);
}
