/**
 * Directory statistics: verified organizations and active services per region and category.
 *
 * @module
 */

import type { Actor } from '../../core/context.js';
import { BadUserInputError } from '../../core/errors.js';
import { Region } from '../regions/region.entity.js';
import { ServiceCategory } from '../categories/service-category.entity.js';

/** One row of `organizationStats`: a child region or category and what is verified there. */
export interface StatsRow {
  code: string;
  organizationCount: number;
  serviceCount: number;
}

/** The organization directory's statistics. */
export class DirectoryStatsService {
  /**
   * Verified organizations and their active services per child region of `regionCode` (top-level
   * regions when null) and per child category of `categoryCode`, each inside the other filter. An
   * organization serving a whole city counts in the city and in each of its districts' parent rows.
   */
  async stats(
    ctx: Actor,
    regionCode: string | null | undefined,
    categoryCode: string | null | undefined,
  ): Promise<{ byRegion: StatsRow[]; byCategory: StatsRow[] }> {
    if (regionCode && !(await ctx.em.count(Region, { code: regionCode })))
      throw BadUserInputError.field('regionCode', `region ${regionCode} does not exist`);
    if (categoryCode && !(await ctx.em.count(ServiceCategory, { code: categoryCode })))
      throw BadUserInputError.field('categoryCode', `service category ${categoryCode} does not exist`);
    const reach = (column: string, table: string) =>
      `${column} && (coalesce((select x.path from ${table} x where x.code = ?), '{}') ` +
      `|| array(select x.code::text from ${table} x where x.path @> array[?]::text[]))`;
    const run = async (
      table: 'region' | 'service_category',
      parent: string | null | undefined,
      childColumn: 'region_codes' | 'category_codes',
      other: { table: string; column: 'region_codes' | 'category_codes'; code: string | null | undefined },
    ): Promise<StatsRow[]> => {
      const otherOrg = other.code ? ` and ${reach(`o.${other.column}`, other.table)}` : '';
      const otherSvc = other.code ? ` and ${reach(`s.${other.column}`, other.table)}` : '';
      const otherParams = other.code ? [other.code, other.code] : [];
      const childReach = (alias: string) =>
        `${alias}.${childColumn} && (ch.path || array(select d.code::text from ${table} d where d.path @> array[ch.code]::text[]))`;
      const sql =
        `select ch.code, ` +
        `(select count(*)::int from organization o where o.verification_status = 'VERIFIED' and ${childReach('o')}${otherOrg}) as organization_count, ` +
        `(select count(*)::int from service s join organization o on o.id = s.organization_id ` +
        `where o.verification_status = 'VERIFIED' and s.status = 'ACTIVE' and ${childReach('s')}${otherSvc}) as service_count ` +
        `from ${table} ch where ${parent ? 'ch.parent_code = ?' : 'ch.parent_code is null'} order by ch.code`;
      const rows = await ctx.em
        .getConnection()
        .execute<{ code: string; organization_count: number; service_count: number }[]>(
          sql,
          [...otherParams, ...otherParams, ...(parent ? [parent] : [])],
          'all',
        );
      return rows.map((r) => ({
        code: r.code,
        organizationCount: r.organization_count,
        serviceCount: r.service_count,
      }));
    };
    const [byRegion, byCategory] = await Promise.all([
      run('region', regionCode, 'region_codes', {
        table: 'service_category',
        column: 'category_codes',
        code: categoryCode,
      }),
      run('service_category', categoryCode, 'category_codes', {
        table: 'region',
        column: 'region_codes',
        code: regionCode,
      }),
    ]);
    return { byRegion, byCategory };
  }
}
