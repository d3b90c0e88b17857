/**
 * What each field resolver reads of its parent entity, declared on the resolver method itself:
 *
 *     const reads = fieldReads(Demand);
 *     …
 *     @reads('claimedBy')
 *     @FieldResolver(() => Organization, { nullable: true })
 *     claimedBy(@Root() demand: ReadRecord<Demand>) { … }
 *
 * The read paths that load only the selected columns (selected-properties.ts, through each type's
 * plan) take their `resolverReads` from here, so what a resolver reads and what its read path loads
 * are written in one place and cannot drift apart. The property names are checked against the
 * entity by the compiler. A record read without a property a resolver then reads throws
 * (read-records.ts); tests/integration/core/field-reads.test.ts asks every field of the planned
 * types alone and compares it with a full read.
 *
 * @module
 */

/** A class whose instances are the rows (an entity, or an abstract base such as Node). */
type RowClass<T> = abstract new (...args: never[]) => T;

/** Per class: field name → the properties its resolver reads of the parent. */
const declared = new Map<RowClass<object>, Record<string, readonly string[]>>();

function readsOfClass(type: RowClass<object>): Record<string, readonly string[]> {
  let reads = declared.get(type);
  if (!reads) declared.set(type, (reads = {}));
  return reads;
}

/**
 * A method decorator factory for resolvers of fields of `type`: `@reads('a', 'b')` declares that the
 * decorated field resolver (its GraphQL field is named after the method) reads those properties of
 * its parent. Several resolver classes may add fields to one type; each makes its own `reads`.
 */
export function fieldReads<T extends object>(
  type: RowClass<T>,
): (...properties: Extract<keyof T, string>[]) => (target: object, field: string) => void {
  const reads = readsOfClass(type);
  return (...properties) =>
    (_target, field) => {
      reads[field] = properties;
    };
}

/** The same declaration without a decorator: for a field whose method has another name (Node's id). */
export function declareFieldReads<T extends object>(
  type: RowClass<T>,
  field: string,
  properties: readonly Extract<keyof T, string>[],
): void {
  readsOfClass(type)[field] = properties;
}

/**
 * Every field resolver's declared reads for rows of `type`, its base classes' included (a subclass's
 * own declaration wins). Read when a selection is planned, by which time every resolver module has
 * been loaded (the schema is built from them).
 */
export function fieldReadsOf(type: RowClass<object>): Readonly<Record<string, readonly string[]>> {
  const chain: RowClass<object>[] = [];
  for (
    let c: unknown = type;
    typeof c === 'function' && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  )
    chain.push(c as RowClass<object>);
  const merged: Record<string, readonly string[]> = {};
  for (const c of chain.reverse()) Object.assign(merged, declared.get(c));
  return merged;
}
