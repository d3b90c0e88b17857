import {
  Collection,
  Reference,
  ReferenceKind,
  wrap,
  type EntityClass,
  type EntityMetadata,
  type EntityProperty,
  type Platform,
  type Primary,
} from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { preparedStatementName, type NamedStatement } from './db/statement-names.js';

/**
 * Read-only records: an entity's row as an object whose prototype chain is the entity's class (so
 * GraphQL's `id`, `nodeTypeName`, methods such as `rating()` and every field resolver see the
 * entity), holding the row's values as plain own properties, with its many-to-one references and
 * collections built only when something reads them.
 *
 * Why: `em.map`/`findOne` hydrate a managed entity: an identity-map entry, a change-tracking
 * snapshot, propagation hooks, and a managed reference per many-to-one. On the read paths that
 * answer most requests (the demand feed, an organization by id) that was the largest share of the
 * server's CPU after the SQL itself (20 % of the lookup profile), for objects that are only read.
 *
 * Records are not in the identity map and must never be changed, persisted or flushed: every write
 * path loads real entities. `wrap(record)` has no helper; code that needs one must load the entity.
 * Their type says so: a record is a {@link ReadRecord}, on which an assignment does not compile.
 * Code that accepts a record or an entity takes the read-only type (an entity is one), and reads a
 * many-to-one's key with {@link foreignKeyOf}, the one place that tells the two apart.
 */

/** A value of a record, read-only all the way down (relations, dates and methods as they are). */
type ReadOnlyValue<V> = unknown extends V
  ? V
  : V extends
        | Reference<object>
        | Collection<object>
        | Date
        | ((...args: never[]) => unknown)
        | string
        | number
        | boolean
        | bigint
        | symbol
        | null
        | undefined
    ? V
    : V extends readonly (infer E)[]
      ? readonly ReadOnlyValue<E>[]
      : { readonly [K in keyof V]: ReadOnlyValue<V[K]> };

/**
 * A row of entity `T` as the read paths hand it out: a record (this module), a reference-data
 * snapshot object (reference-cache.ts), or a managed entity a request already loaded. Every
 * property is read-only, arrays and JSON values included, so writing to a record fails to compile;
 * write paths load the entity.
 */
export type ReadRecord<T> = { readonly [K in keyof T]: ReadOnlyValue<T[K]> };

const KEYS = Symbol('recordKeys');

/** The unit of work a record's lazy references belong to, and its foreign keys by property. */
interface RecordKeys {
  em: EntityManager;
  foreignKeys: Record<string, Primary<object> | null>;
}

type RecordOf<T> = T & { readonly [KEYS]: RecordKeys };

/** A raw row as the pg driver returns it: column name → value. */
export type RawRow = Record<string, unknown>;

/** A property read from one column, with its conversion (null when the driver's value is kept). */
interface ColumnProperty {
  name: string;
  column: string;
  convert: Converter | null;
}

/** How many column subsets (`only`) a reader keeps; past that, a subset reads every column. */
const MAX_SUBSETS = 64;

/**
 * How one entity's rows become records; built once per entity from MikroORM's metadata, and once
 * per subset of its properties that a read path asks for (`only`).
 */
export class RecordReader<T extends object> {
  /** The columns a record needs: every eagerly loaded scalar and foreign key (of the subset). */
  private readonly columns: string[];
  /** Readers of subsets of the properties, by their sorted names. */
  private readonly subsets = new Map<string, RecordReader<T>>();
  /**
   * The same readers by the set asked with: read paths pass the set their selection plan keeps per
   * document (selected-properties.ts), so a repeated query finds its reader without sorting names.
   */
  private readonly subsetsBySet = new WeakMap<ReadonlySet<string>, RecordReader<T>>();
  /** Builds one record; generated per entity (see `compileBuilder`). */
  private readonly build: (em: EntityManager, row: RawRow) => ReadRecord<T>;
  private readonly scalars: ColumnProperty[];
  private readonly toOne: ColumnProperty[];

  private constructor(
    private readonly meta: EntityMetadata<T>,
    private readonly platform: Platform,
    /** The properties read (null: all); reading any other throws (see `recordPrototype`). */
    private readonly selected: ReadonlySet<string> | null = null,
  ) {
    const props = meta.props.filter((p) => p.persist !== false);
    const unsupported = props.find(
      (p) => p.kind === ReferenceKind.EMBEDDED || (p.fieldNames?.length ?? 0) > 1,
    );
    if (unsupported)
      throw new Error(`${meta.className}.${unsupported.name}: records support single-column properties only`);
    const isRead = (p: EntityProperty<T>) => !selected || selected.has(p.name) || p.primary;
    this.scalars = props
      .filter((p) => p.kind === ReferenceKind.SCALAR && !p.lazy && isRead(p))
      .map((p) => ({ name: p.name, column: p.fieldNames[0]!, convert: scalarConverter(p, platform) }));
    this.toOne = props
      .filter(
        (p) =>
          (p.kind === ReferenceKind.MANY_TO_ONE || (p.kind === ReferenceKind.ONE_TO_ONE && p.owner)) &&
          isRead(p),
      )
      .map((p) => ({ name: p.name, column: p.fieldNames[0]!, convert: keyConverter(p, platform) }));
    this.columns = [...this.scalars, ...this.toOne].map((p) => p.column);
    this.build = this.compileBuilder(this.recordPrototype(props));
  }

  private static readonly readers = new WeakMap<object, unknown>();

  /** The reader for `entity` (built on first use). */
  static for<T extends object>(em: EntityManager, entity: EntityClass<T>): RecordReader<T> {
    const meta = em.getMetadata().get<T>(entity.name);
    let reader = RecordReader.readers.get(meta) as RecordReader<T> | undefined;
    if (!reader) {
      reader = new RecordReader<T>(meta, em.getPlatform());
      RecordReader.readers.set(meta, reader);
    }
    return reader;
  }

  /**
   * The reader of only these properties (and the primary key): a record from it throws when code
   * reads any other, so a read path that selects too little fails loudly instead of answering with
   * undefined. `null` is this reader.
   */
  only(properties: ReadonlySet<string> | null): RecordReader<T> {
    if (!properties) return this;
    const known = this.subsetsBySet.get(properties);
    if (known) return known;
    const key = [...properties].sort().join(',');
    let subset = this.subsets.get(key);
    if (!subset) {
      if (this.subsets.size >= MAX_SUBSETS) return this;
      subset = new RecordReader<T>(this.meta, this.platform, properties);
      this.subsets.set(key, subset);
    }
    this.subsetsBySet.set(properties, subset);
    return subset;
  }

  /** The statement that reads one row of this reader's columns by id (built once per reader). */
  get byIdStatement(): string {
    this.byIdSql ??= `select ${this.selectList()} from "${this.meta.tableName}" where "id" = ?`;
    return this.byIdSql;
  }
  private byIdSql: string | undefined;

  /**
   * The same statement with a `$1` placeholder and its prepared-statement name, for node-postgres
   * itself (db/pooled-query.ts). One per reader, so a pooled connection prepares at most one per
   * entity and subset (`MAX_SUBSETS`).
   */
  get byIdQuery(): NamedStatement {
    if (!this.byIdPg) {
      const text = `select ${this.selectList()} from "${this.meta.tableName}" where "id" = $1`;
      this.byIdPg = { text, name: preparedStatementName(`by_id_${this.meta.tableName}`, text) };
    }
    return this.byIdPg;
  }
  private byIdPg: NamedStatement | undefined;

  /** The columns a record needs (a caller checks that a table holds them all). */
  get columnNames(): readonly string[] {
    return this.columns;
  }

  /** The SELECT list of the columns a record needs, qualified by `alias` when given. */
  selectList(alias?: string): string {
    const prefix = alias ? `"${alias}".` : '';
    return this.columns.map((column) => `${prefix}"${column}"`).join(', ');
  }

  /** The record of one raw row (keyed by column), its references resolved through `em`. */
  record(em: EntityManager, row: RawRow): ReadRecord<T> {
    return this.build(em, row);
  }

  /**
   * The record builder, generated as MikroORM generates its hydrators: one assignment per column
   * with the property name written out, so every record of an entity gets the same hidden class and
   * each store is monomorphic. A loop over the properties with computed keys was 6 % of the nested
   * read's CPU. The names come from the entity metadata, quoted by JSON.stringify.
   */
  private compileBuilder(prototype: object): (em: EntityManager, row: RawRow) => ReadRecord<T> {
    const converters: Converter[] = [];
    const read = (p: ColumnProperty) => {
      const value = `row[${JSON.stringify(p.column)}]`;
      if (!p.convert) return value;
      converters.push(p.convert);
      return `(${value} == null ? null : convert[${converters.length - 1}](${value}))`;
    };
    const keys = this.toOne.map((p) => `${JSON.stringify(p.name)}: ${read(p)}`).join(', ');
    const scalars = this.scalars.map((p) => `  record[${JSON.stringify(p.name)}] = ${read(p)};`).join('\n');
    const body = [
      'return function record(em, row) {',
      '  const record = Object.create(prototype);',
      // A plain assignment, cheaper than defineProperty per record (a symbol key is never enumerated).
      `  record[KEYS] = { em, foreignKeys: { ${keys} } };`,
      scalars,
      '  return record;',
      '};',
    ].join('\n');
    // Generated from metadata only, as MikroORM's hydrator is.
    return new Function('prototype', 'KEYS', 'convert', body)(prototype, KEYS, converters) as (
      em: EntityManager,
      row: RawRow,
    ) => ReadRecord<T>;
  }

  /**
   * The entity's prototype, with the scalars as plain writable slots (MikroORM puts change-tracking
   * accessors for them on the entity's prototype once the ORM starts; a record must not go through
   * those, they create an entity helper per object) and relations as getters over the stored keys.
   */
  private recordPrototype(props: EntityProperty<T>[]): object {
    const descriptors: PropertyDescriptorMap = {};
    for (const p of this.scalars)
      descriptors[p.name] = { value: undefined, writable: true, enumerable: true };
    for (const p of props.filter((p) => p.lazy && p.kind === ReferenceKind.SCALAR)) {
      descriptors[p.name] = { value: undefined, writable: true, enumerable: true }; // as findOne leaves it
    }
    const className = this.meta.className;
    for (const p of props.filter((p) => this.selected && !this.selected.has(p.name) && !p.primary)) {
      if (p.kind === ReferenceKind.ONE_TO_MANY || p.kind === ReferenceKind.MANY_TO_MANY) continue;
      descriptors[p.name] = {
        get() {
          throw new Error(`${className}.${p.name} was not read for this record (RecordReader.only)`);
        },
      };
    }
    for (const p of this.toOne) {
      const target = props.find((q) => q.name === p.name)!.targetMeta!.class;
      descriptors[p.name] = {
        get(this: RecordOf<T>) {
          const keys = this[KEYS];
          const key = keys.foreignKeys[p.name];
          return key == null ? null : Reference.create(keys.em.getReference(target, key));
        },
      };
    }
    const meta = this.meta;
    for (const p of props.filter(
      (p) => p.kind === ReferenceKind.ONE_TO_MANY || p.kind === ReferenceKind.MANY_TO_MANY,
    )) {
      descriptors[p.name] = {
        // The collection of the managed reference with this record's key, not yet loaded, as on an
        // entity that findOne returned. A reference is built without its collections; this one is
        // created on the reference, where the next reader of the same key finds it.
        get(this: RecordOf<T> & Record<string, unknown>) {
          const owner = this[KEYS].em.getReference(meta.class, this[meta.primaryKeys[0]!] as Primary<T>);
          const existing = (owner as Record<string, unknown>)[p.name];
          return existing instanceof Collection
            ? existing
            : Collection.create(owner, p.name, undefined, false);
        },
      };
    }
    return Object.create(meta.class.prototype, descriptors);
  }
}

/** Whether an object is a read-only record rather than a managed entity. */
export function isRecord(value: object): boolean {
  return KEYS in value;
}

/**
 * The key of a many-to-one (or owning one-to-one) property of a row, record or entity: a record's
 * stored foreign key (its reference getter would build a managed reference to read it), an entity's
 * reference's primary key. Null when the relation is empty. Live feeds call it once per subscriber
 * and event, so a record's key costs one lookup.
 */
export function foreignKeyOf<T extends object>(
  row: T | ReadRecord<T>,
  property: Extract<keyof T, string>,
): Primary<object> | null {
  if (KEYS in row) {
    const keys = (row as RecordOf<object>)[KEYS].foreignKeys;
    if (!(property in keys)) throw new Error(`${property} was not read for this record (RecordReader.only)`);
    return keys[property] ?? null;
  }
  const related = (row as Record<string, unknown>)[property];
  return related == null
    ? null
    : (wrap(Reference.unwrapReference(related as object), true).getPrimaryKey() as Primary<object>);
}

type Converter = (value: unknown) => unknown;

/**
 * As MikroORM's hydrator converts a scalar column's value (custom types, booleans, dates); null when
 * the driver's value is what the entity holds, so the generated builder reads it without a call.
 */
function scalarConverter(prop: EntityProperty, platform: Platform): Converter | null {
  const { customType } = prop;
  if (customType) return (value) => customType.convertToJSValue(value, platform);
  if (prop.runtimeType === 'boolean') return (value) => !!value;
  if (prop.runtimeType === 'Date')
    return (value) => (value instanceof Date ? value : new Date(value as string));
  return null;
}

/** A foreign key's value as its target's primary key property holds it (a bigint id as a number). */
function keyConverter(prop: EntityProperty, platform: Platform): Converter | null {
  const target = prop.targetMeta!;
  const pk = target.properties[target.primaryKeys[0]!];
  return pk ? scalarConverter(pk, platform) : null;
}
