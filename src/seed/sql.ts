/**
 * Set-based writing for the generator: one INSERT … SELECT FROM json_to_recordset per batch, so a
 * batch of thousands of rows is one statement and one round trip, with PostgreSQL doing the typing
 * (arrays, timestamps, enums-as-text) from the column list.
 *
 * @module
 */
import type { Knex } from '@mikro-orm/postgresql';

/** A column and its PostgreSQL type, e.g. `['category_path', 'text[]']`. */
export type ColumnSpec = readonly [name: string, type: string];

/** Options of {@link insertRows}. */
export interface InsertOptions {
  /** Appended after the SELECT, e.g. `on conflict ("credit_code") do nothing`. */
  onConflict?: string;
  /** Columns to return for the inserted rows (skipped rows return nothing). */
  returning?: readonly string[];
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Inserts `rows` (objects keyed by column name) into `table` in one statement.
 *
 * @param db - a knex connection or transaction
 * @param table - the table name
 * @param columns - the columns to fill, with their types
 * @param rows - the rows; a missing key is NULL
 * @param options - conflict handling and returned columns
 * @returns the returned columns of the inserted rows (empty without `returning`)
 */
export async function insertRows<R = Record<string, unknown>>(
  db: Knex,
  table: string,
  columns: readonly ColumnSpec[],
  rows: readonly object[],
  options: InsertOptions = {},
): Promise<R[]> {
  if (rows.length === 0) return [];
  const names = columns.map(([name]) => quote(name)).join(', ');
  const record = columns.map(([name, type]) => `${quote(name)} ${type}`).join(', ');
  const sql =
    `insert into ${quote(table)} (${names}) select ${names} from json_to_recordset(?::json) as r(${record})` +
    (options.onConflict ? ` ${options.onConflict}` : '') +
    (options.returning?.length ? ` returning ${options.returning.map(quote).join(', ')}` : '');
  const result = (await db.raw(sql, [JSON.stringify(rows)])) as { rows: R[] };
  return result.rows;
}
