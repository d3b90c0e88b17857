/**
 * Directory search: the filter and order SQL, and keyset pagination with opaque cursors.
 *
 * @module
 */

import type { Actor } from '../../core/context.js';
import { BadUserInputError } from '../../core/errors.js';
import { cursorValues, PAGE_DEFAULT, type CursorColumn, type Page } from '../../core/relay/connection.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { Organization } from './organization.entity.js';
import { EvaluationGrade, gradeRank } from './organization.enums.js';
import { likePattern } from './search-text.js';
import { OrganizationOrder, type OrganizationFilter, type OrganizationsArgs } from './organization.args.js';
import { viewerFactsOf } from '../../core/viewer-facts.js';
import { directoryVisibility, getOrganization } from './organization.policy.js';

/** A keyset position in the directory: the order, its key as PostgreSQL prints it, and the id. */
type DirectoryCursor = [OrganizationOrder, string, number];

/**
 * Directory search with keyset pagination. One statement selects the page's ids and order keys,
 * one loads the entities, and `totalCount` (only when asked) runs one COUNT over the same filter.
 */
export async function searchDirectory(ctx: Actor, args: OrganizationsArgs): Promise<Page<Organization>> {
  if (args.last != null || args.before != null)
    throw BadUserInputError.field('last', 'the directory pages forward only: use first and after');
  const first = args.first ?? PAGE_DEFAULT;
  const filter = args.filter ?? {};
  // Members of a hub the viewer may not see are listed as for an unknown id: none.
  const hubVisible = filter.hubId
    ? (await getOrganization(ctx, parseIdOf('Organization', filter.hubId, 'filter.hubId'))) !== null
    : true;
  const where = directoryWhere(ctx, filter, hubVisible);
  const order = orderKey(args.orderBy ?? OrganizationOrder.NAME, args.filter?.text);
  const conditions = [...where.sql];
  const params = [...order.params, ...where.params];
  const orderName = args.orderBy ?? OrganizationOrder.NAME;
  if (args.after) {
    const [key, id] = decodeCursor(args.after, orderName, order.cast);
    conditions.push(`(${order.expr}, o.id) ${order.dir === 'asc' ? '>' : '<'} (?::${order.cast}, ?)`);
    params.push(...order.params, key, id);
  }
  params.push(...order.params); // the ORDER BY repeats the key expression
  const sql =
    `select o.id, (${order.expr})::text as k from organization o` +
    (conditions.length ? ` where ${conditions.join(' and ')}` : '') +
    ` order by ${order.expr} ${order.dir}, o.id ${order.dir} limit ${first + 1}`;
  const rows =
    first === 0 ? [] : await ctx.em.getConnection().execute<{ id: string; k: string }[]>(sql, params, 'all');
  const page = rows.slice(0, first);
  const ids = page.map((r) => Number(r.id));
  const loaded = ids.length ? await ctx.em.find(Organization, { id: { $in: ids } }) : [];
  const byId = new Map(loaded.map((o) => [o.id, o]));
  const edges = page.flatMap((r) => {
    const node = byId.get(Number(r.id));
    return node ? [{ cursor: encodeCursor([orderName, r.k, Number(r.id)]), node }] : [];
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    count: async () => {
      const countSql =
        'select count(*)::int as n from organization o' +
        (where.sql.length ? ` where ${where.sql.join(' and ')}` : '');
      const [row] = await ctx.em.getConnection().execute<{ n: number }[]>(countSql, where.params, 'all');
      return row?.n ?? 0;
    },
  };
}

/** The WHERE conditions of a directory filter, with the visibility rule always included. */
function directoryWhere(
  ctx: Actor,
  filter: OrganizationFilter,
  hubVisible: boolean,
): { sql: string[]; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    sql.push(clause);
    params.push(...values);
  };
  const visible = directoryVisibility(viewerFactsOf(ctx.viewer));
  if (visible) add(visible.sql, ...visible.params);
  const pattern = filter.text ? likePattern(filter.text) : null;
  // The trigram GIN index serves ILIKE for patterns of 3 or more characters (Chinese included:
  // the template database uses a UTF-8 locale). Shorter patterns still work, by a scan.
  if (pattern) add('o.search_text ilike ?', pattern);
  if (filter.categoryCode) {
    // Covers: the category itself, its ancestors (a broader offer), and anything inside it.
    add(
      `o.category_codes && (coalesce((select c.path from service_category c where c.code = ?), '{}') ` +
        `|| array(select c.code::text from service_category c where c.path @> array[?]::text[]))`,
      filter.categoryCode,
      filter.categoryCode,
    );
  }
  if (filter.regionCode) {
    add(
      `o.region_codes && (coalesce((select r.path from region r where r.code = ?), '{}') ` +
        `|| array(select r.code::text from region r where r.path @> array[?]::text[]))`,
      filter.regionCode,
      filter.regionCode,
    );
  }
  if (filter.homeRegionCode)
    add(
      `o.home_region_code in (select r.code from region r where r.path @> array[?]::text[])`,
      filter.homeRegionCode,
    );
  if (filter.targetGroups?.length)
    add(`o.target_groups && array[${placeholders(filter.targetGroups)}]::text[]`, ...filter.targetGroups);
  if (filter.foundingTypes?.length)
    add(`o.founding_type in (${placeholders(filter.foundingTypes)})`, ...filter.foundingTypes);
  if (filter.isHub != null) add('o.is_hub = ?', filter.isHub);
  if (filter.hubId)
    add(
      hubVisible ? 'o.hub_id = ?' : 'false',
      ...(hubVisible ? [parseIdOf('Organization', filter.hubId, 'filter.hubId')] : []),
    );
  if (filter.minGrade && gradeRank(filter.minGrade) > 0) {
    const grades = Object.values(EvaluationGrade).filter((g) => gradeRank(g) >= gradeRank(filter.minGrade!));
    add(`o.grade in (${placeholders(grades)})`, ...grades);
  }
  if (filter.verificationStatus) add('o.verification_status = ?', filter.verificationStatus);
  return { sql, params };
}

/** The order key of each directory order, as SQL over alias `o`. */
function orderKey(
  order: OrganizationOrder,
  text: string | null | undefined,
): { expr: string; cast: string; dir: 'asc' | 'desc'; params: unknown[] } {
  switch (order) {
    case OrganizationOrder.NEWEST:
      return { expr: 'o.created_at', cast: 'timestamptz', dir: 'desc', params: [] };
    case OrganizationOrder.RATING:
      return { expr: 'o.rating_score', cast: 'int', dir: 'desc', params: [] };
    case OrganizationOrder.RELEVANCE: {
      const pattern = text ? likePattern(text) : null;
      if (!pattern) break;
      // A name match outranks a match elsewhere; trigram similarity breaks ties. Rounded numeric,
      // not float, so the cursor's key compares exactly.
      return {
        expr: `((case when o.name ilike ? then 1 else 0 end) + round(similarity(o.search_text, ?)::numeric, 4))`,
        cast: 'numeric',
        dir: 'desc',
        params: [pattern, text!.trim().toLowerCase()],
      };
    }
    case OrganizationOrder.NAME:
      break;
  }
  return { expr: 'o.name', cast: 'text', dir: 'asc', params: [] };
}

function encodeCursor(cursor: DirectoryCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** The cursor column of each SQL cast of an order key. */
const KEY_COLUMN: Record<string, CursorColumn> = {
  text: 'text',
  timestamptz: 'timestamp',
  int: 'int32',
  numeric: 'decimal',
};

/** Reads a cursor made by {@link encodeCursor} for the same order; anything else is BAD_USER_INPUT. */
function decodeCursor(raw: string, order: OrganizationOrder, cast: string): [string, number] {
  const [name, key, id] = cursorValues(raw, ['text', KEY_COLUMN[cast] ?? 'text', 'id'], 'after');
  if (name !== order) throw BadUserInputError.field('after', 'is not a valid cursor');
  return [key as string, id as number];
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}
