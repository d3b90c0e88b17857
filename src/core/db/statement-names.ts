/**
 * Names of named prepared statements (node-postgres `name`), shared by the pooled reads
 * (pooled-query.ts) and the record readers (read-records.ts).
 *
 * @module
 */

import { createHash } from 'node:crypto';

/**
 * The name of a prepared statement for `text` (`$n` placeholders): `prefix` and a hash of the text,
 * so one name always means one text, and each shape of statement is planned once per pooled
 * connection. The shapes must be bounded (a fixed set of statements, or one per reader subset,
 * read-records.ts `MAX_SUBSETS`): a connection keeps every statement it prepared.
 */
export function preparedStatementName(prefix: string, text: string): string {
  return `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
}
