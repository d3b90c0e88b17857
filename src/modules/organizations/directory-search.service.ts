/**
 * Directory search: the filter and order SQL, and keyset pagination with opaque cursors.
 *
 * @module
 */

import type { Actor } from '../../core/context.js';
import { BadUserInputError } from '../../core/errors.js';
import { cursorValues, PAGE_DEFAULT, type CursorColumn, type Page } from '../../core/relay/connection.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Organization } from './organization.entity.js';
import { OrganizationSearch } from './organization-search.entity.js';
import { OrganizationSearchGram } from './organization-search-gram.entity.js';
import { EvaluationGrade, gradeRank } from './organization.enums.js';
import { likePattern, queryGram } from './search-text.js';
import { RecordReader, type RawRow, type ReadRecord } from '../../core/read-records.js';
import { OrganizationOrder, type OrganizationFilter, type OrganizationsArgs } from './organization.args.js';
import { viewerFactsOf } from './viewer-facts.js';
import { directoryVisibility, getOrganization } from './organization.policy.js';
import { executeShaped } from '../../core/db/pooled-query.js';
import { PreparedShapes } from '../../core/db/statement-names.js';

/**
 * How many texts of the directory's page statement each process prepares (docs/architecture.md,
 * "Directory text search"): the filters, orders, page sizes and the viewer's memberships combine
 * into more texts than a connection should keep; the common ones come first and stay prepared.
 */
export const DIRECTORY_PREPARED_SHAPES = 128;
const pageShapes = new PreparedShapes('directory_page', DIRECTORY_PREPARED_SHAPES);

/** The prepared shapes of the page statement (tests read its size). */
export function directoryPageShapes(): PreparedShapes {
  return pageShapes;
}

const searchCopyColumns = new Map<SearchTable, ReadonlySet<string>>();

/**
 * Whether a search copy holds every one of `columns` (they copy `organization`'s under the same
 * names, with the id), from its entity: a text search whose page reads only these reads no
 * `organization` row.
 */
function searchCopyHolds(em: EntityManager, table: SearchTable, columns: readonly string[]): boolean {
  let held = searchCopyColumns.get(table);
  if (!held) {
    const entity = table === 'organization_search' ? OrganizationSearch : OrganizationSearchGram;
    held = new Set(
      em
        .getMetadata()
        .get(entity.name)
        .props.flatMap((p) => p.fieldNames ?? []),
    );
    searchCopyColumns.set(table, held);
  }
  return columns.every((column) => held.has(column));
}

/** A keyset position in the directory: the order, its key as PostgreSQL prints it, and the id. */
type DirectoryCursor = [OrganizationOrder, string, number];

/** The search copy a text search reads (docs/architecture.md, "Directory text search"). */
type SearchTable = 'organization_search' | 'organization_search_gram';

/**
 * The text condition of a directory filter, over alias `o` (a row of the search copy it names), or
 * null without text. search_text is stored lower-cased and the pattern is too, so a plain LIKE
 * (which the trigram GIN index serves) matches case-insensitively. A query of one to three
 * characters is found exactly by the gram index of `organization_search_gram` (every character, and
 * every two and three adjacent ones, of the text), so it needs no LIKE and PostgreSQL reads no text;
 * ordered by RELEVANCE, which reads the text, its matches are taken from that index by id.
 */
function textCondition(
  filter: OrganizationFilter,
  order: OrganizationOrder,
): { sql: string; params: unknown[]; table: SearchTable } | null {
  const pattern = filter.text ? likePattern(filter.text) : null;
  if (!pattern) return null;
  const gram = queryGram(filter.text!);
  if (gram && order !== OrganizationOrder.RELEVANCE)
    return { sql: 'o.grams @> array[?::text]', params: [gram], table: 'organization_search_gram' };
  if (gram)
    return {
      sql: 'o.id in (select g.id from organization_search_gram g where g.grams @> array[?::text])',
      params: [gram],
      table: 'organization_search',
    };
  return { sql: 'o.search_text like ?', params: [pattern], table: 'organization_search' };
}

/**
 * The WHERE conditions of a directory filter, with the visibility rule always included, and the
 * search copy a text filter reads (null: `organization`). They read only columns that both search
 * copies hold under the same names, so they apply to any of the three tables.
 */
function directoryWhere(
  ctx: Actor,
  filter: OrganizationFilter,
  order: OrganizationOrder,
  hubVisible: boolean,
): { sql: string[]; params: unknown[]; table: SearchTable | null } {
  const sql: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    sql.push(clause);
    params.push(...values);
  };
  const visible = directoryVisibility(viewerFactsOf(ctx.viewer));
  if (visible) add(visible.sql, ...visible.params);
  const text = textCondition(filter, order);
  if (text) add(text.sql, ...text.params);
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
  if (filter.providerKinds?.length)
    add(`o.provider_kind in (${placeholders(filter.providerKinds)})`, ...filter.providerKinds);
  return { sql, params, table: text?.table ?? null };
}

/** The order key of each directory order, as SQL over alias `o`. */
function orderKey(
  order: OrganizationOrder,
  text: string | null | undefined,
): { expr: string; cast: string; dir: 'asc' | 'desc'; params: unknown[]; computed: boolean } {
  switch (order) {
    case OrganizationOrder.NEWEST:
      return { expr: 'o.created_at', cast: 'timestamptz', dir: 'desc', params: [], computed: false };
    case OrganizationOrder.RATING:
      return { expr: 'o.rating_score', cast: 'int', dir: 'desc', params: [], computed: false };
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
        computed: true,
      };
    }
    case OrganizationOrder.NAME:
      break;
  }
  return { expr: 'o.name', cast: 'text', dir: 'asc', params: [], computed: false };
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

/**
 * An edge whose cursor is encoded only when read: a search asking for its nodes alone encodes none
 * (the encoding was 1–2 % of the server's CPU per search of 20 rows). As `LazyEdge` in
 * core/relay/connection.ts, a class rather than a literal with a getter.
 */
class DirectoryEdge {
  constructor(
    readonly node: ReadRecord<Organization>,
    private readonly order: OrganizationOrder,
    private readonly key: string,
  ) {}

  get cursor(): string {
    return encodeCursor([this.order, this.key, Number(this.node.id)]);
  }
}

/** ` where a and b …` of SQL conditions, or nothing without any. */
function whereOf(conditions: readonly string[]): string {
  return conditions.length ? ` where ${conditions.join(' and ')}` : '';
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** The organization directory's search. */
export class DirectorySearchService {
  /**
   * Directory search with keyset pagination. One statement selects the page's rows (the columns of
   * `properties`, null: all; organization-selection.ts) with their order keys, and `totalCount` (only
   * when asked) runs one COUNT over the same filter.
   */
  async search(
    ctx: Actor,
    args: OrganizationsArgs,
    properties: ReadonlySet<string> | null = null,
  ): Promise<Page<ReadRecord<Organization>>> {
    if (args.last != null || args.before != null)
      throw BadUserInputError.field('last', 'the directory pages forward only: use first and after');
    const first = args.first ?? PAGE_DEFAULT;
    const filter = args.filter ?? {};
    // Members of a hub the viewer may not see are listed as for an unknown id: none.
    const hubVisible = filter.hubId
      ? (await getOrganization(ctx, parseIdOf('Organization', filter.hubId, 'filter.hubId'))) !== null
      : true;
    const orderName = args.orderBy ?? OrganizationOrder.NAME;
    const where = directoryWhere(ctx, filter, orderName, hubVisible);
    const order = orderKey(orderName, args.filter?.text);
    const reader = RecordReader.for(ctx.em, Organization).only(properties);
    const limit = `limit ${first + 1}`;
    // The table the page is read from in one scan and a top-N sort: organization without a text
    // filter; with one, the search copy when it holds every column of the page (the common
    // `{ id name }`), so organization is not read. Neither copy has an index that yields an order,
    // so a text search's plan is a bitmap scan of a text index (or a sequential scan) and the sort.
    const textTable = where.table;
    const pageTable = !textTable
      ? 'organization'
      : searchCopyHolds(ctx.em, textTable, reader.columnNames)
        ? textTable
        : null;
    // The matches (alias `o`) and their order key. A computed key (RELEVANCE: similarity() over the
    // whole text) is computed once per match, in a subquery that `offset 0` keeps apart: merged into
    // the statement, its expression would be computed wherever it is written (the key's text, the
    // ORDER BY, a cursor's comparison), two or three times per match. A column key needs no subquery,
    // which would hide an index that yields the order (organization's, without a text filter).
    const matches = order.computed
      ? {
          from: `(select o.*, (${order.expr}) as "order_key" from ${pageTable ?? textTable} o${whereOf(where.sql)} offset 0) o`,
          fromParams: [...order.params, ...where.params],
          key: 'o."order_key"',
          keyParams: [] as unknown[],
          conditions: [] as string[],
          conditionParams: [] as unknown[],
        }
      : {
          from: `${pageTable ?? textTable} o`,
          fromParams: [] as unknown[],
          key: order.expr,
          keyParams: order.params,
          conditions: [...where.sql],
          conditionParams: [...where.params],
        };
    const { key, keyParams, conditions } = matches;
    const params = [...keyParams, ...matches.fromParams, ...matches.conditionParams];
    if (args.after) {
      const [after, id] = decodeCursor(args.after, orderName, order.cast);
      conditions.push(`(${key}, o.id) ${order.dir === 'asc' ? '>' : '<'} (?::${order.cast}, ?)`);
      params.push(...keyParams, after, id);
    }
    const whereSql = whereOf(conditions);
    let sql: string;
    if (pageTable) {
      params.push(...keyParams); // the ORDER BY repeats the key expression
      sql =
        `select ${reader.selectList('o')}, (${key})::text as "order_key_text" from ${matches.from}${whereSql}` +
        ` order by ${key} ${order.dir}, o.id ${order.dir} ${limit}`;
    } else {
      // The matches are found and ordered in the search copy (its rows hold the filters' columns
      // and the order keys), and only the page's rows are then read from organization, by id, in
      // the same statement (one snapshot, which sees both tables as the same transaction wrote
      // them). The page is a subquery, which its ORDER BY and LIMIT keep apart from the join: the
      // sort reads the scan's rows directly.
      const dir = order.dir;
      sql =
        `select ${reader.selectList('o')}, page."order_key"::text as "order_key_text"` +
        ` from (select o.id as "page_id", (${key}) as "order_key" from ${matches.from}${whereSql}` +
        ` order by "order_key" ${dir}, "page_id" ${dir} ${limit}) page` +
        ` join organization o on o.id = page."page_id"` +
        ` order by page."order_key" ${dir}, page."page_id" ${dir}`;
    }
    const rows =
      first === 0
        ? []
        : await executeShaped<RawRow & { id: string; order_key_text: string }>(
            ctx.em,
            pageShapes,
            sql,
            params,
          );
    const edges = rows
      .slice(0, first)
      .map((row) => new DirectoryEdge(reader.record(ctx.em, row), orderName, row.order_key_text));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: Boolean(args.after),
        get startCursor() {
          return edges[0]?.cursor ?? null;
        },
        get endCursor() {
          return edges.at(-1)?.cursor ?? null;
        },
      },
      count: async () => {
        const countSql =
          `select count(*)::int as n from ${where.table ?? 'organization'} o` +
          (where.sql.length ? ` where ${where.sql.join(' and ')}` : '');
        const [row] = await ctx.em.getConnection().execute<{ n: number }[]>(countSql, where.params, 'all');
        return row?.n ?? 0;
      },
    };
  }
}
