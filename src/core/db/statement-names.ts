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

/** A statement in node-postgres's form (`$n` placeholders) and the name it is prepared under. */
export interface NamedStatement {
  text: string;
  name: string;
}

/**
 * `sql` (with `?` placeholders, none inside its literals) as a {@link NamedStatement}: built once for a
 * fixed statement run on every request, so neither the placeholders nor the name's hash are worked
 * out again per request.
 */
export function namedStatement(prefix: string, sql: string): NamedStatement {
  const text = dollarPlaceholders(sql);
  return { text, name: preparedStatementName(prefix, text) };
}

/** `sql` with its `?` placeholders numbered as node-postgres wants them (`$1`, `$2`…). */
export function dollarPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * The prepared-statement names of a family of statements built per request (the directory search,
 * whose filters combine into many texts), at most `cap` of them per process: the first `cap` texts
 * seen get a name, any other runs unprepared. So a pooled connection keeps at most `cap` statements
 * of the family whatever the requests ask, and the common shapes, asked first and most, are planned
 * once per connection (docs/architecture.md, "Read path").
 */
export class PreparedShapes {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly prefix: string,
    private readonly cap: number,
  ) {}

  /** The name to prepare `text` under, or undefined once `cap` other texts have one. */
  nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.cap) {
      name = preparedStatementName(this.prefix, text);
      this.names.set(text, name);
    }
    return name;
  }

  /** How many texts have a name. */
  get size(): number {
    return this.names.size;
  }
}
