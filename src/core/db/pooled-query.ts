import type { EntityManager } from '@mikro-orm/postgresql';
import type { RawRow } from '../read-records.js';
import { dollarPlaceholders, preparedStatementName, type PreparedShapes } from './statement-names.js';

/** The parts of knex's client this module uses: its pool of node-postgres connections and its events. */
interface KnexPool {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
  emit(event: 'query', query: { sql: string; bindings: readonly unknown[]; __knexUid?: string }): boolean;
}

interface PgConnection {
  __knexUid?: string;
  query(config: { name?: string; text: string; values: readonly unknown[] }): Promise<{ rows: RawRow[] }>;
}

/**
 * The rows of one parameterized statement (`$1`, `$2`… placeholders), run on a connection of the em's
 * pool (the primary's, or a replica's for a replica fork) straight through node-postgres, outside any
 * transaction: the hot reads (an organization by id), the report statements worth preparing, and
 * `submitDemand`'s autocommitted statement.
 *
 * Why: through `em.getConnection().execute` the same statement goes through MikroORM (value inlining,
 * query logging) and knex (a raw builder, its runner, the pool's callbacks); for a lookup whose SQL
 * takes PostgreSQL a tenth of a millisecond, those layers cost the server more than the statement
 * (docs/architecture.md, "Read path"). The pool, its connection limit and timeouts, the driver's type
 * parsers and errors are the same; the statement is announced as knex announces its own (`query`
 * event), so the tests that watch the statements a request runs see it.
 *
 * `preparedName`, when given, makes it a named prepared statement: PostgreSQL plans it once per pooled
 * connection and reuses the plan, for statements whose planning costs about as much as their run
 * (docs/architecture.md, "Reports"). The name must identify the text: one name, one text.
 *
 * Inside a transaction use the em's connection (`execute` with `em.getTransactionContext()`): this
 * takes another connection from the pool and would not see the transaction's writes.
 */
export async function queryPooledRows(
  em: EntityManager,
  sql: string,
  values: readonly unknown[],
  preparedName?: string,
): Promise<RawRow[]> {
  const pool = em.getConnection().getKnex().client as unknown as KnexPool;
  const connection = await pool.acquireConnection();
  try {
    pool.emit('query', { sql, bindings: values, __knexUid: connection.__knexUid });
    const result = await connection.query(
      preparedName ? { name: preparedName, text: sql, values } : { text: sql, values },
    );
    return result.rows;
  } finally {
    void pool.releaseConnection(connection);
  }
}

/**
 * The first row of {@link queryPooledRows}, as a named prepared statement: a record by id. Parsing
 * and planning a primary-key SELECT cost PostgreSQL more than running it (docs/architecture.md,
 * "Read path").
 */
export async function queryFirstRow(
  em: EntityManager,
  sql: string,
  values: readonly unknown[],
  preparedName: string,
): Promise<RawRow | undefined> {
  return (await queryPooledRows(em, sql, values, preparedName))[0];
}

/**
 * Runs `sql` (with `?` placeholders) as a named prepared statement through {@link queryPooledRows}:
 * for statements PostgreSQL spends about as long planning as running, run on every request (the
 * report statements, docs/architecture.md "Report rollups" and "Report cache"). The name is `prefix`
 * and a hash of the text, so each shape of statement is planned once per pooled connection, then
 * reused. Inside a transaction (a caller's snapshot) it runs on the transaction's connection like
 * every other statement.
 */
export async function executePrepared<T>(
  em: EntityManager,
  prefix: string,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  return executeNamed(em, sql, params, (text) => preparedStatementName(prefix, text));
}

/**
 * Runs `sql` (with `?` placeholders) through {@link queryPooledRows}, as a named prepared statement
 * when `shapes` still names its text (a bounded family of statements built per request: the
 * directory search), else unprepared; the values stay parameters either way. Inside a transaction
 * it runs on the transaction's connection like every other statement.
 */
export async function executeShaped<T>(
  em: EntityManager,
  shapes: PreparedShapes,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  return executeNamed(em, sql, params, (text) => shapes.nameOf(text));
}

/**
 * Runs `sql` (with `?` placeholders) on the transaction's connection inside a transaction, else
 * through {@link queryPooledRows} under the prepared-statement name `nameOf` gives its `$n` text
 * (none: unprepared).
 */
async function executeNamed<T>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
  nameOf: (text: string) => string | undefined,
): Promise<T[]> {
  // `em.execute` passes the em's transaction on; `getConnection().execute` without it would take another
  // pooled connection, outside the transaction and blind to its writes and snapshot.
  if (em.getTransactionContext()) return em.execute<T[]>(sql, [...params], 'all');
  const text = dollarPlaceholders(sql);
  return (await queryPooledRows(em, text, params, nameOf(text))) as T[];
}
