import { Cursor } from '@mikro-orm/core';
import { TargetGroup } from '../categories/target-group.js';
import { browsesOpenDemands, type DemandViewer } from './demand-access.js';
import { isGeneralAudience, type OrganizationScope } from './demand-matching.js';
import { DemandStatus } from './demand.enums.js';
import type { DemandFilter } from './demand.args.js';

/**
 * The feed's WHERE clause, written as SQL over the `demand` table aliased `d`. MikroORM's
 * QueryBuilder built the same conditions from a filter object on every request; in the nested
 * read's profile that (criteria nodes, knex compiling) was about 15 % of the server's CPU, for a
 * statement whose shape is fixed. The conditions are few and fixed, so they are written here, with
 * `?` placeholders (MikroORM's connection numbers them) and one value per placeholder.
 *
 * Each array condition uses a GIN-indexed array operator on the demand's paths or groups.
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
const placeholders = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

/** A text[] literal from its elements, as a parameterised ARRAY constructor. */
const textArray = (values: readonly unknown[]): string => `array[${placeholders(values)}]::text[]`;

/**
 * The rows a viewer may see: the SQL twin of `canSeeDemand` (demand-access.ts), endorsed demands
 * included; keep the two in step. Admins see every row (no condition).
 */
export function addVisibility(where: FeedConditions, viewer: DemandViewer): void {
  if (viewer.isAdmin) return;
  const anyOf = ['d.submitted_by_id = ?'];
  const values: unknown[] = [viewer.userId];
  if (viewer.isWorker) {
    // Only workers endorse. An array computed once (an InitPlan), so the primary key serves it.
    anyOf.push('d.id = any(array(select e.demand_id from demand_endorsement e where e.worker_id = ?))');
    values.push(viewer.userId);
  }
  if (browsesOpenDemands(viewer)) {
    anyOf.push('d.status = ?');
    values.push(DemandStatus.OPEN);
  }
  if (viewer.memberOrgIds.length > 0) {
    anyOf.push(`d.claimed_by_id in (${placeholders(viewer.memberOrgIds)})`);
    values.push(...viewer.memberOrgIds);
  }
  if (viewer.unionScope !== null) {
    anyOf.push(`d.region_path @> ${textArray([viewer.unionScope])}`);
    values.push(viewer.unionScope);
  }
  where.add(anyOf.join(' or '), ...values);
}

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
 * "The organization can serve it": the SQL twin of `canServe` (demand-matching.ts). The demand's
 * category path shares a code with the organization's categories, its region path with the
 * organization's regions, and the target groups fit. Stored demands always have at least one group
 * (none given = ALL_WORKERS), so "either side general" needs no empty-array test.
 */
function addServableBy(where: FeedConditions, organization: OrganizationScope): void {
  const categories = [...organization.categoryCodes];
  const regions = [...organization.regionCodes];
  // An organization serving no category (or region) can serve nothing; an empty ARRAY[] overlaps nothing.
  where.add(categories.length ? `d.category_path && ${textArray(categories)}` : 'false', ...categories);
  where.add(regions.length ? `d.region_path && ${textArray(regions)}` : 'false', ...regions);
  if (!isGeneralAudience(organization.targetGroups)) {
    const groups = [...organization.targetGroups, TargetGroup.ALL_WORKERS];
    where.add(`d.target_groups && ${textArray(groups)}`, ...groups);
  }
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
