import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { IsOptional, Max, Min, ValidateIf } from 'class-validator';
import type { Cursor } from '@mikro-orm/core';
import { BadUserInputError } from '../errors.js';
import type { ReadRecord } from '../read-records.js';

/** Hard maximum of `first`/`last` on every connection (docs/api.md, "Connections and cursors"). */
export const PAGE_MAX = 100;
/** `first` when a client gives neither `first` nor `last`. */
export const PAGE_DEFAULT = 20;

@ObjectType({ description: 'Where a page sits in its list (Relay cursor connections).' })
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size from the start; default ${PAGE_DEFAULT}, at most ${PAGE_MAX}.`,
  })
  @IsOptional()
  @Min(0)
  @Max(PAGE_MAX)
  first?: number;

  @Field(() => String, { nullable: true, description: 'Cursor of the item after which the page starts.' })
  after?: string;

  @Field(() => Int, {
    nullable: true,
    description: `Page size from the end, at most ${PAGE_MAX}; used with \`before\`.`,
  })
  @ValidateIf((args: ConnectionArgs) => args.last !== undefined && args.last !== null)
  @Min(0)
  @Max(PAGE_MAX)
  last?: number;

  @Field(() => String, { nullable: true, description: 'Cursor of the item before which the page ends.' })
  before?: string;
}

/** The page request handed to MikroORM's keyset pagination (`em.findByCursor`). */
export function pageOptions(args: ConnectionArgs): {
  first?: number;
  after?: string;
  last?: number;
  before?: string;
} {
  if (args.last != null && args.first == null) return { last: args.last, before: args.before ?? undefined };
  return { first: args.first ?? PAGE_DEFAULT, after: args.after ?? undefined };
}

/** A page of a connection before GraphQL shapes it; `count` runs only if `totalCount` is asked for. */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  count: () => Promise<number>;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

/**
 * Builds `<Name>Connection` and `<Name>Edge` object types for a node type. `totalCount` is a method
 * field so the COUNT query runs only when a client selects it.
 */
export function ConnectionType<T extends object>(
  nodeType: ClassType<T>,
  name: string,
): ClassType<ConnectionShape<T>> {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String, { description: 'Opaque keyset cursor of this edge.' }) cursor!: string;
    @Field(() => nodeType) node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (Relay cursor connection).` })
  class Connection implements ConnectionShape<T> {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    count!: () => Promise<number>;

    @Field(() => Int, { description: 'How many items match, across all pages.' })
    totalCount(): Promise<number> {
      return this.count();
    }
  }
  return Connection;
}

/**
 * Wraps a page in the connection class so type-graphql can resolve its method fields. A page of
 * read-only records (read-records.ts) answers as a page of entities: its nodes only reach GraphQL,
 * whose field resolvers take the read-only type.
 */
export function toConnection<T extends object>(
  type: ClassType<ConnectionShape<T>>,
  page: Page<ReadRecord<NoInfer<T>>>,
): ConnectionShape<T> {
  return Object.assign(new type(), page) as ConnectionShape<T>;
}

/**
 * An edge whose cursor is encoded only when read. Encoding a cursor costs more than reading its
 * node, and most pages ask only for `pageInfo`'s. A class rather than an object literal with a
 * getter: the literal builds a closure and an accessor per edge (2 % of the nested read's CPU).
 */
class LazyEdge<T extends object> {
  constructor(
    readonly node: T,
    private readonly page: Cursor<T, never, '*', never, boolean>,
  ) {}

  get cursor(): string {
    return this.page.from(this.node);
  }
}

/** Page info whose start and end cursors are encoded only when read (see LazyEdge). */
class LazyPageInfo<T extends object> implements PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;

  constructor(private readonly page: Cursor<T, never, '*', never, boolean>) {
    this.hasNextPage = page.hasNextPage ?? false;
    this.hasPreviousPage = page.hasPrevPage ?? false;
  }

  get startCursor(): string | null {
    return this.page.startCursor;
  }

  get endCursor(): string | null {
    return this.page.endCursor;
  }
}

/** Turns MikroORM's keyset Cursor into a Page. */
export function pageFromCursor<T extends object>(
  cursor: Cursor<T, never, '*', never, boolean>,
  count: () => Promise<number>,
): Page<T> {
  return {
    edges: cursor.items.map((node) => new LazyEdge(node, cursor)),
    pageInfo: new LazyPageInfo(cursor),
    count,
  };
}

/**
 * What one position of a keyset cursor holds, so that a tampered cursor is refused before it reaches
 * SQL (where an odd value is a database error): `id` a positive safe integer, `integer` a safe
 * integer, `int32` a 32-bit integer, `timestamp` an ISO date-time (MikroORM's) or PostgreSQL's text
 * of a timestamptz, `decimal` a decimal number as text, `text` a string. Any but `id` may be null
 * (a nullable sort column).
 */
export type CursorColumn = 'id' | 'integer' | 'int32' | 'timestamp' | 'decimal' | 'text';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)?$/;

function isTimestamp(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  return (
    year! >= 1 &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    hour! < 24 &&
    minute! < 60 &&
    second! < 60
  );
}

function fitsColumn(value: unknown, column: CursorColumn): boolean {
  if (value === null) return column !== 'id';
  switch (column) {
    case 'id':
      return Number.isSafeInteger(value) && (value as number) > 0;
    case 'integer':
      return Number.isSafeInteger(value);
    case 'int32':
      return (
        (typeof value === 'number' || (typeof value === 'string' && /^-?\d{1,10}$/.test(value))) &&
        Math.abs(Number(value)) <= 2 ** 31 - 1
      );
    case 'timestamp':
      return typeof value === 'string' && isTimestamp(value);
    case 'decimal':
      return typeof value === 'string' && /^-?\d{1,15}(\.\d{1,15})?$/.test(value);
    case 'text':
      return typeof value === 'string' && value.length <= 1000;
  }
}

/**
 * The values of a keyset cursor (base64url of a JSON array, as MikroORM's and the directory's are
 * written), checked against `columns`; BAD_USER_INPUT naming `argument` when it is anything else.
 */
export function cursorValues(
  raw: string,
  columns: readonly CursorColumn[],
  argument: 'after' | 'before',
): unknown[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (
    !Array.isArray(values) ||
    values.length !== columns.length ||
    !values.every((value, index) => fitsColumn(value, columns[index]!))
  )
    throw BadUserInputError.field(argument, 'is not a valid cursor');
  return values;
}

/** Checks `after` and `before` of a keyset connection ordered by `columns` (see {@link cursorValues}). */
export function checkCursors(args: ConnectionArgs, columns: readonly CursorColumn[]): void {
  if (args.after != null) cursorValues(args.after, columns, 'after');
  if (args.before != null) cursorValues(args.before, columns, 'before');
}
